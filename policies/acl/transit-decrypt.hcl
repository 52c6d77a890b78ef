# transit-decrypt: decrypt with one key.
path "${transit_mount}/decrypt/${key}" {
  capabilities = ["update"]
}
