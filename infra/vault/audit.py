"""Audit devices through the API: HashiCorp Vault only (OpenBao declares them in server HCL).

`vaultctl init` creates them with an operator's token before anything else is configured, and the
program adopts them: CI can list them but never add one (a device is a copy of every request, and a
socket device ships it off the box: CVE-2025-6000).
"""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import AuditDevice, StackConfig
from infra.vault._opts import bootstrapped

DESCRIPTION = "declared in code (infra/vault/audit.py)"


def audit_options(device: AuditDevice) -> dict[str, str]:
    # JSON lines for the log pipeline; accessors HMAC'd so the log cannot be used to act on tokens.
    options = {"format": "json", "hmac_accessor": "true"}
    if device.type == "file":
        options["file_path"] = device.file_path or ""
    else:
        options |= {"address": device.address or "", "socket_type": device.socket_type}
    return options


def declare_audit_devices(cfg: StackConfig, parent: pulumi.Resource) -> list[vault.Audit]:
    return [
        vault.Audit(
            f"audit-{device.name}",
            path=device.name,
            type=device.type,
            description=DESCRIPTION,
            options=audit_options(device),
            opts=bootstrapped(cfg, device.name, parent),
        )
        for device in cfg.vault.audit
    ]
