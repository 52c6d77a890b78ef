# expect: VP-ACL-008
# This project's layout: apps/<service>/, so apps/* is every service's secrets.
path "kv/data/apps/*" {
  capabilities = ["read"]
}
