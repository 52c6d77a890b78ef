path "auth/kubernetes/login" {
  capabilities = ["update"]
}
