# Old-style policy = "read" on an own KV v1 scope.
path "secret/app-a/*" {
  policy = "read"
}
