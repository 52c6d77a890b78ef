"""The rotation flow's refusals and its worst case, against a fake KV v2 (the real server runs the
normal paths in tests/integration/test_ai_keys.py): a concurrent writer stops the rotation before
anything is written, and a rollback that cannot be written is reported as such (exit 3)."""

from __future__ import annotations

import sys
from typing import Any

import hvac
import pytest

from infra.ops import keys
from infra.ops.keys_rotate import RollbackFailed, RotationError, rotate

PATH = "ai/providers/openai/ai-gateway"


class FakeKv:
    """The slice of hvac's KV v2 API the flow uses; `refuse_cas_after` simulates concurrent writers."""

    def __init__(self, versions: list[dict[str, Any]], refuse_cas_after: int | None = None) -> None:
        self.versions = versions
        self.refuse_cas_after = refuse_cas_after
        self.patches: list[dict[str, str]] = []

    def read_secret_metadata(self, path: str, mount_point: str) -> dict[str, Any]:
        return {
            "data": {
                "current_version": len(self.versions),
                "versions": {
                    str(i + 1): {"created_time": "2027-01-01T00:00:00Z", "deletion_time": ""}
                    for i in range(len(self.versions))
                },
                "custom_metadata": {},
            }
        }

    def read_secret_version(
        self, path: str, version: int, mount_point: str, raise_on_deleted_version: bool
    ) -> dict[str, Any]:
        return {"data": {"data": self.versions[version - 1]}}

    def create_or_update_secret(
        self, path: str, secret: dict[str, Any], cas: int, mount_point: str
    ) -> dict[str, Any]:
        if cas != len(self.versions) or (
            self.refuse_cas_after is not None and len(self.versions) >= self.refuse_cas_after
        ):
            raise hvac.exceptions.InvalidRequest("check-and-set parameter did not match the current version")
        self.versions.append(secret)
        return {"data": {"version": len(self.versions)}}


class FakeClient:
    def __init__(self, kv: FakeKv) -> None:
        self.secrets = type("S", (), {"kv": type("K", (), {"v2": kv})()})()
        self.auth = type(
            "A",
            (),
            {
                "token": type(
                    "T", (), {"lookup_self": staticmethod(lambda: {"data": {"display_name": "token-alice"}})}
                )()
            },
        )()
        self.adapter = self

    def request(self, method: str, url: str, json: dict[str, Any], headers: dict[str, str]) -> None:
        assert method == "PATCH" and headers["Content-Type"] == "application/merge-patch+json"
        self.secrets.kv.v2.patches.append(json["custom_metadata"])


def test_a_concurrent_writer_stops_the_rotation_before_anything_is_written() -> None:
    kv = FakeKv([{"api_key": "sk-old"}], refuse_cas_after=1)
    with pytest.raises(RotationError, match="no longer current"):
        rotate(FakeClient(kv), "kv", PATH, "sk-new", verify=None, timeout=5, context={})
    assert kv.versions == [{"api_key": "sk-old"}] and kv.patches == []  # pragma: allowlist secret


def test_same_key_again_is_refused() -> None:
    kv = FakeKv([{"api_key": "sk-old"}])
    with pytest.raises(RotationError, match="equals version 1"):
        rotate(FakeClient(kv), "kv", PATH, "sk-old", verify=None, timeout=5, context={})


def test_a_rollback_that_cannot_be_written_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The new version is written (cas 1), then someone writes version 3 before the rollback (cas 2).
    kv = FakeKv([{"api_key": "sk-old"}], refuse_cas_after=2)
    failing = f"{sys.executable} -c 'import sys; sys.exit(1)'"
    with pytest.raises(RollbackFailed, match="restoring version 1 failed"):
        rotate(FakeClient(kv), "kv", PATH, "sk-new", verify=failing, timeout=30, context={})
    monkeypatch.setattr(
        keys, "from_env", lambda: FakeClient(FakeKv([{"api_key": "sk-old"}], refuse_cas_after=2))
    )
    monkeypatch.setattr(
        sys, "stdin", type("In", (), {"isatty": lambda self: False, "read": lambda self: "sk-new\n"})()
    )
    code = keys.main(["rotate", "ai-gateway", "openai", "--stack", "local", "--verify", failing])
    assert code == 3
    assert "ROLLBACK FAILED" in capsys.readouterr().err


def test_a_verified_rotation_patches_only_the_record() -> None:
    kv = FakeKv([{"api_key": "sk-old"}])
    outcome = rotate(FakeClient(kv), "kv", PATH, "sk-new", verify=None, timeout=5, context={})
    assert outcome.verified and outcome.written_version == 2
    [record] = kv.patches
    assert set(record) == {"last_rotation", "rotated_by", "rotation_version"}
    assert record["rotated_by"] == "token-alice" and record["rotation_version"] == "2"
