"""Names two layers must agree on (the cluster's snapshot CronJob and the Vault layer's auth role)."""

VAULT_SERVICE_ACCOUNT = "vault"
SNAPSHOT_SERVICE_ACCOUNT = "vault-snapshot"
SNAPSHOT_ROLE = "snapshot"
