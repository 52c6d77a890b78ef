"""`vaultctl keys`: the age and overdue logic on metadata shapes the KV v2 API returns, and where the new
key may travel (never argv, never the hook's environment)."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.config import parse_stack_config
from infra.harness import read_stack_config
from infra.ops import keys_status as ks
from infra.ops.keys_rotate import RotationError, read_new_key, run_hook
from infra.vault.ai_keys import declared_metadata

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
CFG = parse_stack_config(read_stack_config("local"))
SERVICE, KEY = CFG.provider_keys()[0]  # ai-gateway's openai key, rotation_period 90d


def meta(
    created: str, version: int = 1, custom: dict[str, str] | None = None, **version_info: Any
) -> dict[str, Any]:
    versions = {
        str(v): {"created_time": created, "deletion_time": "", "destroyed": False}
        for v in range(1, version + 1)
    }
    versions[str(version)].update(version_info)
    return {
        "current_version": version,
        "versions": versions,
        "custom_metadata": {**declared_metadata(SERVICE, KEY), **(custom or {})},
    }


def test_parse_time_reads_vaults_nanosecond_times() -> None:
    assert ks.parse_time("2026-11-30T16:17:06.620535097Z") == dt.datetime(
        2026, 11, 30, 16, 17, 6, 620535, tzinfo=dt.UTC
    )
    assert ks.parse_time("2026-11-30T16:17:06Z") == dt.datetime(2026, 11, 30, 16, 17, 6, tzinfo=dt.UTC)
    assert ks.parse_time("yesterday") is None and ks.parse_time(None) is None


def test_fresh_key_is_ok_and_an_old_one_overdue() -> None:
    fresh = ks.assess(SERVICE, KEY, meta("2027-02-01T00:00:00.5Z"), NOW)
    assert (fresh.state, fresh.version, round(fresh.age / 86_400)) == (ks.OK, 1, 28)
    old = ks.assess(SERVICE, KEY, meta("2026-11-01T00:00:00Z"), NOW)
    assert old.state == ks.OVERDUE and old.age > KEY.rotation_period


def test_missing_states() -> None:
    assert ks.assess(SERVICE, KEY, None, NOW).state == ks.MISSING
    never = {"current_version": 0, "versions": {}, "custom_metadata": declared_metadata(SERVICE, KEY)}
    assert ks.assess(SERVICE, KEY, never, NOW).notes[0] == "never written"
    deleted = ks.assess(SERVICE, KEY, meta("2027-02-01T00:00:00Z", deletion_time="2027-02-02T00:00:00Z"), NOW)
    assert deleted.state == ks.MISSING and deleted.notes[0] == "version 1 deleted"


def test_a_rotation_record_names_who_and_only_ever_makes_a_key_older() -> None:
    recorded = {"last_rotation": "2027-02-10T00:00:00Z", "rotated_by": "token-alice", "rotation_version": "2"}
    status = ks.assess(SERVICE, KEY, meta("2027-02-10T00:00:01Z", version=2, custom=recorded), NOW)
    assert status.rotated_by == "token-alice" and status.set_at == dt.datetime(2027, 2, 10, tzinfo=dt.UTC)
    # After a rollback the current version is new but holds the value rotated long ago: overdue.
    rolled_back = {**recorded, "last_rotation": "2026-10-01T00:00:00Z", "rotation_version": "4"}
    assert (
        ks.assess(SERVICE, KEY, meta("2027-02-28T00:00:00Z", version=4, custom=rolled_back), NOW).state
        == ks.OVERDUE
    )
    # A forged "rotated just now" on an old version cannot hide it: the version's own time wins.
    forged = {**recorded, "last_rotation": "2027-03-01T11:00:00Z", "rotation_version": "1"}
    status = ks.assess(SERVICE, KEY, meta("2026-10-01T00:00:00Z", custom=forged), NOW)
    assert status.state == ks.OVERDUE


def test_writes_outside_keys_rotate_and_metadata_drift_are_noted() -> None:
    recorded = {"last_rotation": "2027-02-10T00:00:00Z", "rotated_by": "token-alice", "rotation_version": "1"}
    status = ks.assess(SERVICE, KEY, meta("2027-02-20T00:00:00Z", version=2, custom=recorded), NOW)
    assert any("version 2 has no rotation record" in n for n in status.notes)
    assert status.rotated_by == ""
    drifted = ks.assess(
        SERVICE,
        KEY,
        meta("2027-02-20T00:00:00Z", custom={"owner": "someone-else", "rotation_period": "3650d"}),
        NOW,
    )
    assert any("owner, rotation_period" in n for n in drifted.notes)
    # The period is the catalog's, whatever the metadata says.
    assert drifted.period == KEY.rotation_period


def test_undeclared_keys_are_reported() -> None:
    found = ks.undeclared(CFG, {"openai": ["ai-gateway", "shadow-app"], "mistral": ["ai-gateway"]})
    assert [(s.provider, s.service, s.state) for s in found] == [
        ("mistral", "ai-gateway", ks.UNDECLARED),
        ("openai", "shadow-app", ks.UNDECLARED),
    ]


def test_renderings_flag_problems() -> None:
    statuses = [ks.assess(SERVICE, KEY, meta("2026-11-01T00:00:00Z"), NOW), *ks.undeclared(CFG, {"x": ["y"]})]
    text = ks.render_text(statuses, NOW)
    assert "OVERDUE" in text and "UNDECLARED" in text and "2 need attention" in text
    assert "| `openai/ai-gateway` | **overdue** |" in ks.render_markdown(statuses, NOW, "local")


# ----------------------------------------------------------------------------- the new key's path


SECRET = "sk-test-0123456789abcdef"  # pragma: allowlist secret (a fake key that must never reach argv or env)


def _spy(tmp_path: Path) -> str:
    """A hook that records its argv, environment and stdin, and passes only if stdin holds the key."""
    script = tmp_path / "spy.py"
    script.write_text(
        "import json, os, sys\n"
        "data = sys.stdin.read() if not sys.argv[1:] else open(sys.argv[1]).read()\n"
        f"json.dump({{'argv': sys.argv, 'env': dict(os.environ), 'stdin': data}}, open({str(tmp_path / 'seen.json')!r}, 'w'))\n"
        f"sys.exit(0 if data.strip() == {SECRET!r} else 7)\n"
    )
    return f"{sys.executable} {script}"


def _seen(tmp_path: Path) -> dict[str, Any]:
    import json

    return json.loads((tmp_path / "seen.json").read_text())


def test_hook_gets_the_key_on_stdin_and_nowhere_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "hvs.should-not-leak")
    passed, why = run_hook(_spy(tmp_path), SECRET, {"VAULTCTL_KEY_SERVICE": "ai-gateway"}, timeout=30)
    assert passed, why
    seen = _seen(tmp_path)
    assert SECRET not in " ".join(seen["argv"]) and SECRET not in str(seen["env"])
    assert seen["env"]["VAULTCTL_KEY_SERVICE"] == "ai-gateway"
    assert "VAULT_TOKEN" not in seen["env"]  # the hook tests the provider key, not Vault
    assert SECRET not in why


def test_hook_can_take_a_private_file_instead(tmp_path: Path) -> None:
    passed, _ = run_hook(_spy(tmp_path) + " {key_file}", SECRET, {}, timeout=30)
    assert passed
    seen = _seen(tmp_path)
    key_file = Path(seen["argv"][1])
    assert SECRET not in " ".join(seen["argv"]) and SECRET not in str(seen["env"])
    assert not key_file.exists() and not key_file.parent.exists()  # removed right after


def test_hook_failures(tmp_path: Path) -> None:
    assert run_hook(_spy(tmp_path), "sk-wrong", {}, timeout=30) == (False, "verification command exited 7")
    assert run_hook("/nonexistent/verify", SECRET, {}, timeout=30)[0] is False
    passed, why = run_hook(f"{sys.executable} -c 'import time; time.sleep(5)'", SECRET, {}, timeout=0.5)
    assert not passed and "timed out" in why


def test_new_key_sources(tmp_path: Path) -> None:
    assert read_new_key("-", io.StringIO(SECRET + "\n")) == SECRET
    key_file = tmp_path / "key"
    key_file.write_text(SECRET + "\n")
    os.chmod(key_file, 0o644)
    with pytest.raises(RotationError, match="readable by group or others"):
        read_new_key(str(key_file), io.StringIO())
    os.chmod(key_file, 0o600)
    assert read_new_key(str(key_file), io.StringIO()) == SECRET
    with pytest.raises(RotationError, match="empty"):
        read_new_key("-", io.StringIO("\n"))
    with pytest.raises(RotationError, match="several lines"):
        read_new_key("-", io.StringIO("sk-a\nsk-b\n"))


def test_the_cli_takes_no_key_argument() -> None:
    from infra.ops.keys import main

    with pytest.raises(SystemExit):
        main(["rotate", "ai-gateway", "openai", SECRET, "--stack", "local", "--no-verify"])
