"""Snapshot integrity: a well-formed archive passes; every kind of damage is refused before a restore."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from infra.ops import cli_snapshot
from infra.ops.snapshot_archive import SnapshotIntegrityError, verify_archive

META = json.dumps({"Version": 1, "Index": 86, "Term": 3}).encode()
STATE = b"raft fsm state " * 100


def _archive(path: Path, files: dict[str, bytes], sums: dict[str, str] | None = None) -> Path:
    if sums is None:
        sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    members = dict(files)
    members["SHA256SUMS"] = "".join(f"{digest}  {name}\n" for name, digest in sums.items()).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buffer.getvalue())
    return path


def test_good_snapshot(tmp_path: Path):
    info = verify_archive(_archive(tmp_path / "s.snap", {"meta.json": META, "state.bin": STATE}))
    assert (info.index, info.term) == (86, 3)
    assert set(info.files) == {"meta.json", "state.bin"}


@pytest.mark.parametrize(
    ("case", "build", "message"),
    [
        (
            "tampered-state",
            lambda p: _archive(
                p,
                {"meta.json": META, "state.bin": STATE},
                {"meta.json": hashlib.sha256(META).hexdigest(), "state.bin": "0" * 64},
            ),
            "does not match",
        ),
        ("missing-state", lambda p: _archive(p, {"meta.json": META}), "state.bin is missing"),
        ("no-sums", lambda p: p.write_bytes(gzip.compress(b"not a tar")), "not a readable snapshot"),
        (
            "truncated",
            lambda p: p.write_bytes(_archive(p, {"meta.json": META, "state.bin": STATE}).read_bytes()[:-40]),
            "not a readable snapshot",
        ),
        (
            "listed-but-absent",
            lambda p: _archive(
                p,
                {"meta.json": META, "state.bin": STATE},
                {
                    "meta.json": hashlib.sha256(META).hexdigest(),
                    "state.bin": hashlib.sha256(STATE).hexdigest(),
                    "extra.bin": "1" * 64,
                },
            ),
            "extra.bin",
        ),
    ],
)
def test_damaged_snapshot_is_refused(tmp_path: Path, case: str, build, message: str):
    path = tmp_path / f"{case}.snap"
    build(path)
    with pytest.raises(SnapshotIntegrityError, match=message):
        verify_archive(path)


def test_restore_refuses_a_damaged_file_before_any_request(tmp_path: Path, monkeypatch, capsys):
    path = _archive(tmp_path / "bad.snap", {"meta.json": META})
    monkeypatch.setenv(
        "VAULT_ADDR", "https://127.0.0.1:9"
    )  # nothing listens: a request would fail differently
    monkeypatch.setenv("VAULT_TOKEN", "t")
    monkeypatch.delenv("VAULT_SKIP_VERIFY", raising=False)
    assert cli_snapshot.main(["restore", str(path), "--force"]) == 1
    assert "integrity check failed" in capsys.readouterr().err


def test_skip_verify_is_refused(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_ADDR", "https://127.0.0.1:9")
    monkeypatch.setenv("VAULT_SKIP_VERIFY", "true")
    assert cli_snapshot.main(["save", "--to", str(tmp_path / "x.snap")]) == 1
    assert "VAULT_SKIP_VERIFY" in capsys.readouterr().err


def test_gcs_prefix_resolves_to_the_newest_snapshot(tmp_path: Path, monkeypatch):
    """`gs://bucket/prod/` means the newest object the CronJob wrote (names sort by UTC timestamp)."""
    fake = tmp_path / "gcloud"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$2" = ls ]; then\n'
        "  echo gs://b/prod/vault-raft-20261122T180000Z.snap\n"
        "  echo gs://b/prod/vault-raft-20261123T060000Z.snap\n"
        "  echo gs://b/prod/vault-raft-20261123T000000Z.snap\n"
        "  echo gs://b/prod/notes.txt\n"
        "fi\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv(cli_snapshot.GCLOUD_ENV, str(fake))
    assert cli_snapshot.resolve_gcs("gs://b/prod/") == "gs://b/prod/vault-raft-20261123T060000Z.snap"
    assert cli_snapshot.resolve_gcs("gs://b/prod/x.snap") == "gs://b/prod/x.snap"
