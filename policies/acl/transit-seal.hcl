# transit-seal: the local KMS stand-in's token for the cluster's transit auto-unseal. Only what the
# seal needs: wrap and unwrap the cluster's root key with one key. Nothing else.
path "${transit_mount}/encrypt/${key}" {
  capabilities = ["update"]
}
path "${transit_mount}/decrypt/${key}" {
  capabilities = ["update"]
}
