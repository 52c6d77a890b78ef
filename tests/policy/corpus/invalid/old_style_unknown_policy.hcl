path "kv/data/app-a/*" {
  policy = "admin"
}
