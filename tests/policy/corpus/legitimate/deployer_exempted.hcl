# lint:exempt VP-ACL-007 reason: the deployer applies policies from code; CI is its only login
# lint:exempt VP-ACL-005 reason: the deployer declares the auth roles
# lint:exempt VP-ACL-009 reason: the deployer configures the database engine
path "sys/policies/acl/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "auth/kubernetes/role/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "database/config/postgres" {
  capabilities = ["create", "read", "update"]
}
