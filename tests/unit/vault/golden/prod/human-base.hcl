# human-base: every person's token (OIDC login)
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# human-base: every person's token, whatever their group: its own lifetime and the UI's view of its own
# permissions. No secret and no configuration: what a person may do comes from their IdP group.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
path "sys/capabilities-self" {
  capabilities = ["update"]
}
path "sys/internal/ui/resultant-acl" {
  capabilities = ["read"]
}
