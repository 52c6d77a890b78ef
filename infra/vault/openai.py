"""Dynamic OpenAI keys: the OpenAI secrets plugin (gitrgoliveira/vault-plugin-secrets-openai) registered
in the plugin catalog by checksum, mounted at its pinned version, configured with the admin key, and
one role per catalog service that asks for it.

API (the plugin's `plugin/path_config.go`, `plugin/path_dynamic_creds.go`): `config` takes
`admin_api_key`, `admin_api_key_id`, `organization_id`, `api_endpoint`, `rotation_period`, and keeps
any field a later write omits; `config/rotate` replaces the admin key with a new one and revokes the
old; `roles/<name>` takes `project_id`, `ttl`, `max_ttl` (seconds), `service_account_name_template`,
`service_account_description`, and reads them back (TTLs in seconds); `creds/<name>` mints a project
service-account key for one lease.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_vault as vault

from infra.config import OpenAiPluginConfig, StackConfig
from infra.vault._opts import child, rotate_root_once, secret

# The plugin's default; the suffix keeps concurrent leases of one role apart in the OpenAI project.
NAME_TEMPLATE = "vault-{{.RoleName}}-{{.RandomSuffix}}"


def admin_key_body(openai: OpenAiPluginConfig) -> dict[str, object]:
    """The first `config` write: the only one that carries the admin key (a Pulumi secret)."""
    return {
        "admin_api_key": openai.admin_api_key.get_secret_value(),
        "admin_api_key_id": openai.admin_api_key_id,
        **settings_body(openai),
    }


def settings_body(openai: OpenAiPluginConfig) -> dict[str, object]:
    """What later `config` writes send: never the admin key nor its id, which the plugin replaces on
    every rotation; sending the bootstrap ones again would point the engine at a revoked key."""
    return {
        "organization_id": openai.organization_id,
        "api_endpoint": openai.api_endpoint,
        "rotation_period": openai.rotation_period,
    }


def role_body(cfg: StackConfig, service_name: str) -> dict[str, object]:
    service = next(s for s in cfg.services if s.name == service_name)
    assert service.openai is not None
    return {
        "project_id": service.openai.project_id,
        "ttl": service.openai.ttl,
        "max_ttl": service.openai.max_ttl,
        "service_account_name_template": NAME_TEMPLATE,
        "service_account_description": f"{service_name}: minted by Vault ({cfg.environment}), revoked at lease end",
    }


def declare_openai(cfg: StackConfig, parent: pulumi.Resource) -> vault.Mount:
    openai = cfg.openai
    assert openai is not None
    # Registering a plugin runs its binary inside Vault: only the binary with this checksum, at this
    # version, may be registered under this name (the deployer's policy pins all three).
    plugin = vault.Plugin(
        "openai-plugin",
        type="secret",
        name=openai.plugin_name,
        version=openai.version,
        sha256=openai.sha256,
        command=openai.command,
        opts=child(parent),
    )
    roles = [s for s in cfg.services if s.openai]
    mount = vault.Mount(
        "openai",
        path=openai.path,
        type=openai.plugin_name,
        plugin_version=openai.version,
        description="dynamic OpenAI project service-account keys, one role per service",
        # A lease cannot outlive the longest role's max_ttl.
        max_lease_ttl_seconds=max((s.openai.max_ttl for s in roles if s.openai), default=3600),
        # Deleting the mount revokes every lease and forgets the rotated admin key.
        opts=pulumi.ResourceOptions.merge(child(parent, plugin), pulumi.ResourceOptions(protect=True)),
    )
    config_path = pulumi.Output.concat(mount.path, "/config")
    # Written once: after the first rotation only Vault knows the admin key (ignore_changes), and the
    # plugin's read never returns it.
    admin_key = vault.generic.Endpoint(
        "openai-config-admin-key",
        path=config_path,
        data_json=secret(json.dumps(admin_key_body(openai), sort_keys=True)),
        disable_read=True,
        disable_delete=True,
        opts=pulumi.ResourceOptions.merge(
            child(parent, mount), pulumi.ResourceOptions(ignore_changes=["dataJson"])
        ),
    )
    # Later changes to the settings go through their own write, without the key. Not read back: the
    # plugin reports the rotation fields in its own shape, which would show as drift on every refresh.
    settings = vault.generic.Endpoint(
        "openai-config",
        path=config_path,
        data_json=json.dumps(settings_body(openai), sort_keys=True),
        disable_read=True,
        disable_delete=True,
        opts=child(parent, admin_key),
    )
    declared_roles = [
        vault.generic.Endpoint(
            f"openai-role-{service.name}",
            path=pulumi.Output.concat(mount.path, "/roles/", service.name),
            data_json=json.dumps(role_body(cfg, service.name), sort_keys=True),
            # The plugin reads roles back with exactly these fields (TTLs in seconds): drift shows.
            ignore_absent_fields=True,
            opts=child(parent, settings),
        )
        for service in roles
    ]
    if openai.rotate_root:
        rotate_root_once(
            "openai-rotate-admin-key",
            pulumi.Output.concat(mount.path, "/config/rotate"),
            parent,
            settings,
            *declared_roles,
        )
    return mount
