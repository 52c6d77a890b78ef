# HCL1 forms the server accepts: brace on its own line, an identifier label, trailing commas.
path "kv/data/apps/app-a/*"
{
  capabilities = ["read",]
}

path cubbyhole {
  capabilities = ["read"]
}
