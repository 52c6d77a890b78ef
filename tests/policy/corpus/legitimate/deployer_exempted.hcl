# Each broad grant is exempted for exactly the paths it needs, with a reason.
# lint:exempt VP-ACL-007 path="sys/policies/acl/svc-*" reason="the deployer applies the generated service policies; CI is its only login"
# lint:exempt VP-ACL-005 path="auth/kubernetes/role/*" reason="the deployer declares the auth roles"
# lint:exempt VP-ACL-009 path="database/config/postgres" reason="the deployer configures the database engine"
path "sys/policies/acl/svc-*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "auth/kubernetes/role/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "database/config/postgres" {
  capabilities = ["create", "read", "update"]
}
