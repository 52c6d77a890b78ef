"""The snapshot bucket: private, uniform access, versioned, expiring after retention, write-only for the job."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config, run_program, unwrap

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


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_bucket_survives_the_loss_of_the_cluster_region(program, one, config, stack):
    cfg = config(stack)
    bucket = one(program(stack), BUCKET).inputs
    assert bucket["location"] == "EU"  # multi-region: europe-west1 lost, the snapshots are not
    assert bucket["location"].lower() != cfg.gcp.region
    assert "customPlacementConfig" not in bucket


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_bucket_survives_the_loss_of_the_workload_project(program, one, config, stack):
    """Deleting a project deletes its buckets: the snapshots live in the recovery project with the key
    that unseals them, and the workload project's snapshot account writes there across projects."""
    cfg = config(stack)
    bucket = one(program(stack), BUCKET).inputs
    assert bucket["project"] == cfg.kms_project() == f"acme-vault-{stack}-kms"
    assert bucket["project"] != cfg.gcp.project
    unseal_ring = one(program(stack), "gcp:kms/keyRing:KeyRing").inputs
    assert unseal_ring["project"] == bucket["project"]


def _cfg(stack: str, snapshots: dict):
    return parse_stack_config(read_stack_config(stack, {"snapshots": snapshots}))


@pytest.mark.parametrize("location", ["europe-west1", "EUROPE-WEST4", "us-central1"])
def test_a_single_region_bucket_is_refused_by_name(location):
    with pytest.raises(ConfigError, match=rf"snapshots.location='{location}': a single region is lost"):
        _cfg("prod", {"location": location})


def test_a_custom_dual_region_names_two_regions_inside_its_multi_region(program):
    cfg = _cfg("staging", {"location": "EU", "data_locations": ["europe-west1", "europe-west4"]})
    assert cfg.snapshots.bucket_location(cfg.gcp.region) == "EU"
    for bad, message in [
        ({"location": "EU", "data_locations": ["europe-west1"]}, "exactly two"),
        ({"location": "EU", "data_locations": ["europe-west1", "europe-west1"]}, "exactly two"),
        ({"location": "EUR4", "data_locations": ["europe-west1", "europe-west4"]}, "multi-region that"),
    ]:
        with pytest.raises(ConfigError, match=message):
            _cfg("staging", bad)
    # The default follows the region's continent, and nothing is guessed for a continent without one.
    assert _cfg("prod", {"location": None}).snapshots.bucket_location("europe-west1") == "EU"
    with pytest.raises(ConfigError, match=r"snapshots\.location: required for gcp\.region"):
        parse_stack_config(
            read_stack_config("prod", {"snapshots": {"location": None}, "gcp": {"region": "me-central1"}})
        )


def test_dual_region_is_declared_as_custom_placement():
    declared = run_program(
        "staging", {"snapshots": {"location": "EU", "data_locations": ["europe-west1", "europe-west4"]}}
    )
    [bucket] = [r for r in declared if r.type == BUCKET]
    assert unwrap(bucket.inputs["customPlacementConfig"]) == {
        "dataLocations": ["EUROPE-WEST1", "EUROPE-WEST4"]
    }
