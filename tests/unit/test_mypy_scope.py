"""mypy reads exactly the cloud-SDK subpackages the program uses (infra/ops/mypy_scope.py)."""

from __future__ import annotations

from infra.ops import mypy_scope


def test_the_pyproject_block_matches_the_sources_and_the_installed_sdks() -> None:
    # Fails when the code starts using an SDK subpackage mypy still skips (its constructors would be
    # unchecked `Any`), or when the SDK gains subpackages: regenerate with --write.
    assert mypy_scope.main([]) == 0


def test_a_subpackage_the_code_names_is_read_and_the_others_are_skipped() -> None:
    texts = [
        "import pulumi_gcp as gcp\ngcp.container.Cluster('c')\n",
        "from pulumi_gcp import kms as keys, storage\n",
        "import pulumi_kubernetes as k8s\nk8s.core.v1.Secret('s')\n",
    ]
    skipped = mypy_scope.skipped(texts)
    for used in ("pulumi_gcp.container", "pulumi_gcp.kms", "pulumi_gcp.storage", "pulumi_kubernetes.core"):
        assert used not in skipped
    assert "pulumi_gcp.accessapproval" in skipped and "pulumi_kubernetes.helm" in skipped
    assert "pulumi_gcp.accessapproval" not in mypy_scope.skipped([*texts, "gcp.accessapproval.Folder('f')"])


def test_every_program_subpackage_in_use_is_read() -> None:
    skipped = set(mypy_scope.skipped(mypy_scope.source_texts()))
    for used in ("container", "compute", "kms", "storage", "serviceaccount", "monitoring", "logging"):
        assert f"pulumi_gcp.{used}" not in skipped
    for used in ("core", "apps", "rbac", "networking", "policy", "batch", "admissionregistration"):
        assert f"pulumi_kubernetes.{used}" not in skipped
