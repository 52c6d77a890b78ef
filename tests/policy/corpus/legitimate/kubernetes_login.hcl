# Logging in is not administering the auth method.
path "auth/kubernetes/login" {
  capabilities = ["update"]
}
