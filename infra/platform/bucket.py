"""The off-cluster Raft snapshot bucket: private, versioned, expiring after the retention period, and
in a multi- or dual-region location, so losing the cluster's region does not lose its backups (GCS
replicates objects between the regions of such a bucket; a single-region bucket is refused by config).

It lives in the recovery project (`kms.project`, `StackConfig.kms_project()`), next to the unseal key
every snapshot is sealed by, not in the workload project: deleting a project deletes its buckets, so
a bucket in `gcp.project` would die with the very project whose loss it is meant to survive. The
snapshot job's service account (workload project) writes across projects through the bucket-level
grant below; nothing else of the workload project reaches the bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig
from infra.platform.identity import account_member


@dataclass(frozen=True)
class SnapshotBucket:
    bucket: gcp.storage.Bucket
    writer: gcp.storage.BucketIAMMember


def lifecycle_rules(retention_days: int) -> list[gcp.storage.BucketLifecycleRuleArgs]:
    delete = gcp.storage.BucketLifecycleRuleActionArgs(type="Delete")
    return [
        gcp.storage.BucketLifecycleRuleArgs(
            action=delete, condition=gcp.storage.BucketLifecycleRuleConditionArgs(age=retention_days)
        ),
        # Versioning keeps an overwritten or deleted snapshot recoverable, but not forever.
        gcp.storage.BucketLifecycleRuleArgs(
            action=delete,
            condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                days_since_noncurrent_time=retention_days, with_state="ARCHIVED"
            ),
        ),
    ]


def create_snapshot_bucket(
    cfg: StackConfig, snapshot_account: gcp.serviceaccount.Account, opts: pulumi.ResourceOptions
) -> SnapshotBucket:
    assert cfg.gcp is not None and cfg.snapshots is not None
    bucket = gcp.storage.Bucket(
        "snapshots",
        project=cfg.kms_project(),
        name=cfg.snapshots.bucket,
        location=cfg.snapshots.bucket_location(cfg.gcp.region),
        custom_placement_config=gcp.storage.BucketCustomPlacementConfigArgs(
            data_locations=[r.upper() for r in cfg.snapshots.data_locations]
        )
        if cfg.snapshots.data_locations
        else None,
        storage_class="STANDARD",
        uniform_bucket_level_access=True,
        public_access_prevention="enforced",
        versioning=gcp.storage.BucketVersioningArgs(enabled=True),
        lifecycle_rules=lifecycle_rules(cfg.snapshots.retention_days),
        force_destroy=False,
        labels={"environment": cfg.environment, "purpose": "vault-raft-snapshots"},
        # A snapshot is the disaster-recovery copy of every secret: never deleted by a preview mistake.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True)),
    )
    # objectCreator only: the job can add snapshots but neither read, overwrite nor delete them, so a
    # compromised job cannot exfiltrate or destroy the backups.
    writer = gcp.storage.BucketIAMMember(
        "snapshots-writer",
        bucket=bucket.name,
        role="roles/storage.objectCreator",
        member=account_member(snapshot_account),  # from the account's outputs: the grant waits for it
        opts=opts,
    )
    return SnapshotBucket(bucket, writer)
