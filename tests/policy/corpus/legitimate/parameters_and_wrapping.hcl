# Parameter constraints and wrapping TTLs on an own-scope write.
path "kv/data/app-a/config" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "data" = []
    "options" = []
  }
  denied_parameters = {
    "version" = []
  }
  required_parameters = ["data"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = "1h"
}
