# transit-hmac: HMAC with one key.
path "${transit_mount}/hmac/${key}" {
  capabilities = ["update"]
}
