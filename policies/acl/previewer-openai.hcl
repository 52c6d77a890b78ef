# previewer-openai: refreshing the plugin's catalog entry reads sys/plugins/catalog, which Vault serves
# only with sudo; read only, nothing can be registered or removed.
# lint:exempt VP-ACL-002 reason: Vault requires sudo to read audit devices and the plugin catalog (the provider's refresh of a vault.Audit and a vault.Plugin); read only
path "sys/plugins/catalog/secret/${plugin}" {
  capabilities = ["read", "sudo"]
}
