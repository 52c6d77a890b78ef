# svc-web: what service web may use
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# (no grants beyond the shared policies)
