# aws-creds: credentials of exactly one AWS role (`creds` for iam_user, `sts` for assumed_role).
path "${aws_mount}/${endpoint}/${role}" {
  capabilities = ["${capability}"]
}
