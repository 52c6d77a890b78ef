# human-auditor-auth: the roles of one auth method this stack declares (who may log in as what), read only.
path "auth/${mount}/role" {
  capabilities = ["list"]
}
path "auth/${mount}/role/*" {
  capabilities = ["read"]
}
