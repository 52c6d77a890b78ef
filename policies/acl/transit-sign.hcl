# transit-sign: sign with one key.
path "${transit_mount}/sign/${key}" {
  capabilities = ["update"]
}
