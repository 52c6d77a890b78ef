# A lease revoke pinned by allowed_parameters to the caller's own database leases.
path "sys/leases/revoke" {
  capabilities = ["update"]
  allowed_parameters = {
    "lease_id" = ["database/creds/app-a/*"]
  }
}
