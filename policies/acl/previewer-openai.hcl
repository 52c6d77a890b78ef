# previewer-openai: refreshing the plugin's catalog entry reads sys/plugins/catalog, which Vault serves
# only with sudo; read only, nothing can be registered or removed.
# lint:exempt VP-ACL-002 path="sys/plugins/catalog/secret/${plugin}" reason="Vault requires sudo to read the plugin catalog (the provider's refresh of a vault.Plugin); read only"
# lint:exempt VP-ACL-003 path="sys/plugins/catalog/secret/${plugin}" reason="read-only view of the one declared plugin's catalog entry"
path "sys/plugins/catalog/secret/${plugin}" {
  capabilities = ["read", "sudo"]
}
