# Credentials of one named AWS role, both credential types.
path "aws/creds/app-a" {
  capabilities = ["read"]
}

path "aws/sts/app-a" {
  capabilities = ["update"]
}
