# Dynamic credentials of one named database role.
path "database/creds/app-a-readonly" {
  capabilities = ["read"]
}
