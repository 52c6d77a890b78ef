# ai-keys-rotator: rotate the catalog's provider keys (vaultctl keys rotate)
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# (no provider keys in the catalog)
