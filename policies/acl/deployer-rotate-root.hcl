# deployer-rotate-root: the one-shot rotation of an engine's root credential after setup, so no person
# keeps knowing it.
path "${path}" {
  capabilities = ["update"]
}
