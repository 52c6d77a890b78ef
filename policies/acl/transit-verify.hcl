# transit-verify: verify signatures made with one key.
path "${transit_mount}/verify/${key}" {
  capabilities = ["update"]
}
