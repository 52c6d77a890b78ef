path "database/creds/app-a-readonly" {
  capabilities = ["read"]
}
