# expect: VP-ACL-005
# Writing a Kubernetes auth role sets its policies.
path "auth/kubernetes/role/app-a" {
  capabilities = ["create", "update"]
}
