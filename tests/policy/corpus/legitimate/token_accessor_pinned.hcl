# Looking up one listed token by accessor (e.g. a monitor's own) is pinned by allowed_parameters.
path "auth/token/lookup-accessor" {
  capabilities = ["update"]
  allowed_parameters = {
    "accessor" = ["hmac-accessor-of-the-monitor"]
  }
}
