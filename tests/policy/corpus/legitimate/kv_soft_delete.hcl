path "kv/delete/app-a/*" {
  capabilities = ["update"]
}

path "kv/undelete/app-a/*" {
  capabilities = ["update"]
}
