# Soft delete and undelete keep versions recoverable.
path "kv/delete/app-a/*" {
  capabilities = ["update"]
}

path "kv/undelete/app-a/*" {
  capabilities = ["update"]
}
