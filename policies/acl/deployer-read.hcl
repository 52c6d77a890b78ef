# deployer-read: an object the provider refreshes but the deployer must not change (written by
# `vaultctl init`, adopted by the program) or that it only reads back.
path "${path}" {
  capabilities = ["read"]
}
