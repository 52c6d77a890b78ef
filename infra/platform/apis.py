"""The Google APIs the platform needs, enabled in code so a fresh project stands up from nothing."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig

APIS = (
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "iam.googleapis.com",
    "storage.googleapis.com",
    "dns.googleapis.com",  # the private zone that makes vault.address resolve inside the VPC
    # GitHub Actions' federation (ci_identity.py): token exchange, then the service account's token.
    "sts.googleapis.com",
    "iamcredentials.googleapis.com",
    "cloudresourcemanager.googleapis.com",  # project-level IAM members
    "logging.googleapis.com",  # log-based metrics of the snapshot job (alerting.py) and the audit alarms (infra/alarms)
    "monitoring.googleapis.com",  # alert policies and notification channels
)


def enable_apis(cfg: StackConfig, parent: pulumi.Resource) -> list[gcp.projects.Service]:
    assert cfg.gcp is not None
    return [
        gcp.projects.Service(
            api.split(".", 1)[0],
            project=cfg.gcp.project,
            service=api,
            # Disabling an API on destroy would break anything else in the project that uses it.
            disable_on_destroy=False,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for api in APIS
    ]
