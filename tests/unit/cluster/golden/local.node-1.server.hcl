api_addr = "https://127.0.0.1:18210"
cluster_addr = "https://127.0.0.1:18211"
ui = true
log_level = "info"
log_format = "json"
default_lease_ttl = "3600s"
max_lease_ttl = "86400s"

listener "tcp" {
  address         = "127.0.0.1:18210"
  cluster_address = "127.0.0.1:18211"
  tls_cert_file   = "/srv/vaultctl/pki/node.pem"
  tls_key_file    = "/srv/vaultctl/pki/node-key.pem"
  tls_min_version = "tls13"
  telemetry {
    unauthenticated_metrics_access = true
  }
}

storage "raft" {
  path = "/srv/vaultctl/nodes/node-1/raft"
  node_id = "node-1"
  performance_multiplier = 1
  autopilot_reconcile_interval = "500ms"
  autopilot_update_interval = "250ms"
  retry_join {
    leader_api_addr     = "https://127.0.0.1:18200"
    leader_ca_cert_file = "/srv/vaultctl/pki/ca.pem"
    leader_tls_servername = "localhost"
  }
  retry_join {
    leader_api_addr     = "https://127.0.0.1:18220"
    leader_ca_cert_file = "/srv/vaultctl/pki/ca.pem"
    leader_tls_servername = "localhost"
  }
}

seal "transit" {
  address    = "https://127.0.0.1:18300"
  key_name   = "autounseal"
  mount_path = "transit/"
  tls_ca_cert = "/srv/vaultctl/pki/kms-ca.pem"
}

telemetry {
  prometheus_retention_time = "30s"
  disable_hostname          = true
}

audit "file" "file" {
  description = "declared in code"
  options {
    file_path = "audit.log"
    format = "json"
    hmac_accessor = "true"
  }
}
