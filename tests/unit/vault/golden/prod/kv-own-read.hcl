# kv-own-read: each service reads its own subtree `apps/<service>/`. The service name comes from
# entity metadata that only this Vault layer writes, never from a name the caller controls
# (OpenBao GHSA-59w7-v8rr-pr4p), so one templated policy serves every service.
path "kv/data/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read"]
}
path "kv/metadata/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read", "list"]
}
