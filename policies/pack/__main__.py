"""Pulumi CrossGuard entry point. PolicyPack(...) serves gRPC and never returns: every rule lives in
policies.rules (importable and tested); this file only assembles the pack."""

from pulumi_policy import PolicyPack

from policies.rules.pack_policies import PACK_NAME, build_policies, current_stack, enforcement_for_stack

PolicyPack(
    name=PACK_NAME,
    policies=build_policies(),
    enforcement_level=enforcement_for_stack(current_stack()),
)
