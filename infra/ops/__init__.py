"""Operator actions against a running Vault/OpenBao (VAULT_ADDR): init, snapshots, verify."""
