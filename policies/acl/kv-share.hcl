# kv-share: ${service} reads one secret of service ${source}, declared in services[${service}].kv.shares_from.
# lint:share from="${source}" path="${kv_mount}/data/apps/${source}/${path}"
path "${kv_mount}/data/apps/${source}/${path}" {
  capabilities = ["read"]
}
