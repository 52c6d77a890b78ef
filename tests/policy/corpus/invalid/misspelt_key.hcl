path "kv/data/app-a/*" {
  capabilites = ["read"]
}
