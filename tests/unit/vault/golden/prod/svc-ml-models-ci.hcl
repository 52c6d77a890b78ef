# svc-ml-models-ci: what service ml-models-ci may use
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# (no grants beyond the shared policies)
