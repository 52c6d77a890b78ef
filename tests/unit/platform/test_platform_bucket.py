"""The snapshot bucket: private, uniform access, versioned, expiring after retention, write-only for the job."""

from __future__ import annotations

import pytest

BUCKET = "gcp:storage/bucket:Bucket"


@pytest.mark.parametrize(("stack", "days"), [("prod", 90), ("staging", 30)])
def test_bucket_retention_lifecycle_and_access(program, one, config, stack, days):
    assert config(stack).snapshots.retention_days == days
    bucket = one(program(stack), BUCKET).inputs
    assert bucket["name"] == config(stack).snapshots.bucket
    assert bucket["uniformBucketLevelAccess"] is True
    assert bucket["publicAccessPrevention"] == "enforced"
    assert bucket["versioning"] == {"enabled": True}
    assert bucket.get("forceDestroy") is not True
    rules = {(r["action"]["type"], tuple(sorted(r["condition"].items()))) for r in bucket["lifecycleRules"]}
    assert ("Delete", (("age", days),)) in rules
    # noncurrent (overwritten/deleted) versions expire too, so versioning cannot keep data forever
    assert any(
        r["action"]["type"] == "Delete" and r["condition"].get("daysSinceNoncurrentTime") == days
        for r in bucket["lifecycleRules"]
    )


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_bucket_is_protected(program, stack):
    program(stack)
    assert program.protected[(stack, "snapshots")] is True


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_only_the_snapshot_account_may_write_and_only_create(program, config, stack):
    project = config(stack).gcp.project
    grants = [r for r in program(stack) if r.type.startswith("gcp:storage/bucketIAM")]
    assert [(g.inputs["role"], g.inputs["member"]) for g in grants] == [
        ("roles/storage.objectCreator", f"serviceAccount:vault-snapshot@{project}.iam.gserviceaccount.com")
    ]
