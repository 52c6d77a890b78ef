"""Audit devices through the API: HashiCorp Vault only (OpenBao declares them in server HCL)."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import AuditDevice
from infra.vault._opts import child


def audit_options(device: AuditDevice) -> dict[str, str]:
    # JSON lines for the log pipeline; accessors HMAC'd so the log cannot be used to act on tokens.
    options = {"format": "json", "hmac_accessor": "true"}
    if device.type == "file":
        options["file_path"] = device.file_path or ""
    else:
        options |= {"address": device.address or "", "socket_type": device.socket_type}
    return options


def declare_audit_devices(devices: list[AuditDevice], parent: pulumi.Resource) -> list[vault.Audit]:
    return [
        vault.Audit(
            f"audit-{device.name}",
            path=device.name,
            type=device.type,
            description="declared in code (infra/vault/audit.py)",
            options=audit_options(device),
            opts=child(parent),
        )
        for device in devices
    ]
