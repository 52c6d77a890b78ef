# deployer-transit: create keys (`+` is one segment: keys/<k>, never keys/<k>/trim or /rotate) and set
# their config, with export, plaintext backup and deletion pinned off. No export, backup, restore, trim
# or delete path is granted.
# lint:exempt VP-ACL-008 path="${transit_mount}/keys/+" path="${transit_mount}/keys/+/config" reason="the deployer creates every key the catalog declares, one segment under keys/"
# lint:exempt VP-ACL-010 path="${transit_mount}/keys/+" path="${transit_mount}/keys/+/config" reason="key creation and config with exportable, allow_plaintext_backup and deletion_allowed pinned to false; no export, backup, restore, trim or delete"
path "${transit_mount}/keys/+" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "type" = []
    "derived" = []
    "convergent_encryption" = []
    "auto_rotate_period" = []
    "key_size" = []
  }
}
path "${transit_mount}/keys/+/config" {
  capabilities = ["update"]
  allowed_parameters = {
    "exportable" = [false]
    "allow_plaintext_backup" = [false]
    "deletion_allowed" = [false]
    "min_decryption_version" = []
    "min_encryption_version" = []
    # sic: the provider's create sends this misspelt key (resource_transit_secret_backend_key.go)
    "min_encryption_versoin" = []
    "auto_rotate_period" = []
  }
}
