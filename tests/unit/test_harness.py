"""The harness records what the engine acts on besides inputs: without it, ordering, protect and
replacement behaviour are invisible to every other test."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.harness import run_program


def _tiny_program() -> None:
    provider = vault.Provider("p", address="https://vault.example:8200", skip_child_token=True)
    mount = vault.Mount(
        "kv",
        path="kv",
        type="kv-v2",
        opts=pulumi.ResourceOptions(provider=provider, protect=True, ignore_changes=["options"]),
    )
    vault.Policy(
        "pol",
        name="pol",
        policy=mount.path.apply(lambda p: f'path "{p}/data/x" {{ capabilities = ["read"] }}'),
        opts=pulumi.ResourceOptions(provider=provider, delete_before_replace=True),
    )
    vault.Policy("plain", name="plain", policy="", opts=pulumi.ResourceOptions(provider=provider))


def test_options_and_dependencies_are_recorded() -> None:
    declared = {r.name: r for r in run_program("local", program=_tiny_program)}
    provider, mount, pol, plain = declared["p"], declared["kv"], declared["pol"], declared["plain"]

    assert mount.provider_urn == provider.urn
    assert mount.protect and mount.ignore_changes == ("options",)
    assert not mount.delete_before_replace and not pol.protect
    assert pol.delete_before_replace
    # A dependency through an Output (no depends_on) is what orders a real apply.
    assert mount.urn in pol.dependencies
    assert pol.property_dependencies.get("policy") == (mount.urn,)
    assert plain.dependencies == ()
