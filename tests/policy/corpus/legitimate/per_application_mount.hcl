# A mount per application (secret-<app>, listed as per-application in the corpus context): the whole
# mount is app-a's.
path "secret-app-a/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
