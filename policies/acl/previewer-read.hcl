# previewer-read: one path the provider's Read functions read.
path "${path}" {
  capabilities = ["read"]
}
