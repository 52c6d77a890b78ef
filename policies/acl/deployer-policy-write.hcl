# deployer-policy-write: one policy name (or a prefix only generated names use) the deployer writes.
# lint:exempt VP-ACL-007 path="sys/policies/acl/${name}" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/${name}" {
  capabilities = ["create", "read", "update", "delete"]
}
