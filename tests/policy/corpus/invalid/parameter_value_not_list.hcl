path "kv/data/app-a/*" {
  capabilities = ["update"]
  allowed_parameters = {
    "data" = "x"
  }
}
