# Read-only status: metrics, mounts, auth methods, health, and the caller's own capabilities.
path "sys/metrics" {
  capabilities = ["read"]
}

path "sys/mounts" {
  capabilities = ["read"]
}

path "sys/capabilities-self" {
  capabilities = ["read", "update"]
}

path "sys/health" {
  capabilities = ["read"]
}
