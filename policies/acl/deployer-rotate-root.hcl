# deployer-rotate-root: the one-shot rotation of an engine's root credential after setup, so no person
# keeps knowing it.
# lint:exempt VP-ACL-009 path="${path}" reason="the one-shot rotation of the root credential after setup, so no person keeps knowing it"
path "${path}" {
  capabilities = ["update"]
}
