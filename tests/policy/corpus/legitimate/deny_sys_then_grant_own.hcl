# A deny on sys/ and an own-scope read.
path "sys/*" {
  capabilities = ["deny"]
}

path "kv/data/app-a/*" {
  capabilities = ["read"]
}
