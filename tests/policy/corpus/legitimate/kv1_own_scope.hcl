path "secret/app-a/*" {
  policy = "read"
}
