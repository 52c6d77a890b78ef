# idp-person: a person signed in at the local IdP (infra/local/idp.py, the stand-in for the
# organisation's IdP) may ask its OIDC provider for an authorization code for themselves; nothing else.
# lint:exempt VP-ACL-006 path="identity/oidc/provider/${provider}/authorize" reason="the authorize endpoint issues a code for the caller's own entity; it writes no entity, group or alias"
path "identity/oidc/provider/${provider}/authorize" {
  capabilities = ["read", "update"]
}
