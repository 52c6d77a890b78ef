// a C-style comment
/* and a block comment */
# and a hash comment
path "kv/data/app-a/*" {
  capabilities = ["read"] # trailing
}
