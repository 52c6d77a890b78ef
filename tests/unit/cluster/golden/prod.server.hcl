# node_id, api_addr and cluster_addr come from the pod's environment
ui = true
disable_mlock = true
plugin_directory = "/vault/plugins"
log_level = "info"
log_format = "json"
default_lease_ttl = "3600s"
max_lease_ttl = "86400s"

listener "tcp" {
  address         = "0.0.0.0:8200"
  cluster_address = "0.0.0.0:8201"
  tls_cert_file   = "/vault/tls/tls.crt"
  tls_key_file    = "/vault/tls/tls.key"
  tls_min_version = "tls13"
  telemetry {
    unauthenticated_metrics_access = true
  }
}

storage "raft" {
  path = "/vault/data"
  performance_multiplier = 1
  retry_join {
    leader_api_addr     = "https://vault-0.vault-internal.vault.svc:8200"
    leader_ca_cert_file = "/vault/tls/ca.crt"
    leader_tls_servername = "vault-0.vault-internal.vault.svc"
  }
  retry_join {
    leader_api_addr     = "https://vault-1.vault-internal.vault.svc:8200"
    leader_ca_cert_file = "/vault/tls/ca.crt"
    leader_tls_servername = "vault-1.vault-internal.vault.svc"
  }
  retry_join {
    leader_api_addr     = "https://vault-2.vault-internal.vault.svc:8200"
    leader_ca_cert_file = "/vault/tls/ca.crt"
    leader_tls_servername = "vault-2.vault-internal.vault.svc"
  }
  retry_join {
    leader_api_addr     = "https://vault-3.vault-internal.vault.svc:8200"
    leader_ca_cert_file = "/vault/tls/ca.crt"
    leader_tls_servername = "vault-3.vault-internal.vault.svc"
  }
  retry_join {
    leader_api_addr     = "https://vault-4.vault-internal.vault.svc:8200"
    leader_ca_cert_file = "/vault/tls/ca.crt"
    leader_tls_servername = "vault-4.vault-internal.vault.svc"
  }
}

seal "gcpckms" {
  project    = "acme-vault-prod-kms"
  region     = "europe"
  key_ring   = "vault-prod"
  crypto_key = "vault-unseal"
}

service_registration "kubernetes" {}

telemetry {
  prometheus_retention_time = "30s"
  disable_hostname          = true
}
