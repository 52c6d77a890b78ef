# previewer-read-definitions: the definitions of every key or role on one engine mount (never credentials
# or key material), which a refresh of the declared keys and roles reads.
# lint:exempt VP-ACL-008 path="${path}" reason="reads key and role definitions, never credentials: a refresh reads every declared one"
path "${path}" {
  capabilities = ["read"]
}
