path "kv/data/app-a/*" {
  capabilities = ["update"]
  allowed_parameters = {
    "da*ta" = []
  }
}
