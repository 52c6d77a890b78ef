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


def _sums(files: dict[str, bytes]) -> str:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())


def _archive(
    path: Path,
    files: dict[str, bytes],
    sums: dict[str, str] | None = None,
    *,
    sums_text: str | None = None,
    extra: tuple[tarfile.TarInfo, ...] = (),
) -> Path:
    if sums is None:
        sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    members = dict(files)
    if sums_text is None:
        sums_text = "".join(f"{digest}  {name}\n" for name, digest in sums.items())
    members["SHA256SUMS"] = sums_text.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info in extra:
            tar.addfile(info)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buffer.getvalue())
    return path


GOOD = {"meta.json": META, "state.bin": STATE}
GOOD_SUMS = {name: hashlib.sha256(data).hexdigest() for name, data in GOOD.items()}


def test_good_snapshot(tmp_path: Path):
    info = verify_archive(_archive(tmp_path / "s.snap", GOOD))
    assert (info.index, info.term) == (86, 3)
    assert info.files == GOOD_SUMS


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
        ("missing-meta", lambda p: _archive(p, {"state.bin": STATE}), "meta.json is missing"),
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


def test_sums_in_sha256sum_formats_are_read(tmp_path: Path):
    """`sha256sum -b` marks binary mode with `*`; blank lines (a trailing one, or between entries) are
    skipped, not the end of the list; upper-case hex is the same digest."""
    meta, state = (hashlib.sha256(data).hexdigest() for data in (META, STATE))
    text = f"\n{meta.upper()} *meta.json\n\n{state}  state.bin\n\n"
    info = verify_archive(_archive(tmp_path / "s.snap", GOOD, sums_text=text))
    assert info.files == {"meta.json": meta, "state.bin": state}


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("abc123  state.bin", "digest too short"),
        (f"{'0' * 65}  state.bin", "digest too long"),
        (f"{'0' * 64}", "no file name"),
        (f"{'0' * 64}  *", "only the binary marker"),
    ],
)
def test_malformed_sums_line_is_refused(tmp_path: Path, line: str, why: str):
    text = _sums(GOOD) + line + "\n"
    with pytest.raises(SnapshotIntegrityError, match=r"SHA256SUMS: malformed line '.*'"):
        verify_archive(_archive(tmp_path / "s.snap", GOOD, sums_text=text))


def test_a_file_the_sums_do_not_cover_is_refused(tmp_path: Path):
    # state.bin is in the archive but SHA256SUMS only lists meta.json: nothing vouches for it.
    sums = {"meta.json": hashlib.sha256(META).hexdigest()}
    with pytest.raises(SnapshotIntegrityError, match=r"state.bin is not covered by SHA256SUMS"):
        verify_archive(_archive(tmp_path / "s.snap", GOOD, sums))


def test_an_archive_without_sums_is_refused(tmp_path: Path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in GOOD.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "s.snap").write_bytes(buffer.getvalue())
    with pytest.raises(SnapshotIntegrityError, match="no SHA256SUMS in the archive"):
        verify_archive(tmp_path / "s.snap")


def test_a_member_the_server_would_not_read_is_refused(tmp_path: Path):
    # The server's reader accepts meta.json, state.bin, SHA256SUMS(.sealed) and nothing else.
    files = {**GOOD, "notes.txt": b"unlisted"}
    path = _archive(tmp_path / "s.snap", files, {"state.bin": "0" * 64})
    with pytest.raises(SnapshotIntegrityError, match=r"unexpected member 'notes.txt'") as refused:
        verify_archive(path)
    assert str(refused.value).startswith(f"{path}: ")  # the operator sees which file
    directory = tarfile.TarInfo("state.bin.d")
    directory.type = tarfile.DIRTYPE
    with pytest.raises(SnapshotIntegrityError, match=r"unexpected member 'state.bin.d'"):
        verify_archive(_archive(tmp_path / "d.snap", GOOD, extra=(directory,)))


def test_a_member_twice_is_refused(tmp_path: Path):
    # A first, damaged copy would be part of what the server hashes; the check must not see only the last.
    first = tarfile.TarInfo("state.bin")
    first.type = tarfile.DIRTYPE
    with pytest.raises(SnapshotIntegrityError, match=r"state.bin is not a regular file"):
        verify_archive(_archive(tmp_path / "d.snap", GOOD, extra=(first,)))
    # A link is not its target: the server would read an empty state.bin, never meta.json's bytes.
    link = tarfile.TarInfo("state.bin")
    link.type, link.linkname = tarfile.SYMTYPE, "meta.json"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in [
            ("meta.json", META),
            ("SHA256SUMS", _sums({"meta.json": META, "state.bin": META}).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        tar.addfile(link)
    (tmp_path / "link.snap").write_bytes(buffer.getvalue())
    with pytest.raises(SnapshotIntegrityError, match=r"state.bin is not a regular file"):
        verify_archive(tmp_path / "link.snap")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in [("state.bin", b"garbage"), *GOOD.items(), ("SHA256SUMS", _sums(GOOD).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "twice.snap").write_bytes(buffer.getvalue())
    with pytest.raises(SnapshotIntegrityError, match=r"state.bin appears twice"):
        verify_archive(tmp_path / "twice.snap")


def test_the_sealed_sums_member_is_accepted(tmp_path: Path):
    info = verify_archive(_archive(tmp_path / "s.snap", {**GOOD, "SHA256SUMS.sealed": b"opaque"}, GOOD_SUMS))
    assert set(info.files) == {"meta.json", "state.bin", "SHA256SUMS.sealed"}


def test_meta_json_must_be_an_object(tmp_path: Path):
    files = {"meta.json": b"[1, 2]", "state.bin": STATE}
    with pytest.raises(SnapshotIntegrityError, match=r"meta.json is not a JSON object"):
        verify_archive(_archive(tmp_path / "s.snap", files))


def test_a_large_meta_json_is_read_whole(tmp_path: Path):
    # Members are hashed in 64 KiB chunks; meta.json of a big cluster spans several (numbers only, so
    # anything inserted at a chunk boundary would break the JSON).
    meta = json.dumps({"Index": 7, "Term": 2, "Configuration": [1] * 100_000}).encode()
    info = verify_archive(_archive(tmp_path / "s.snap", {"meta.json": meta, "state.bin": STATE}))
    assert (info.index, info.term) == (7, 2)


def test_a_long_sums_file_is_read_whole(tmp_path: Path):
    # SHA256SUMS is hashed in 64 KiB chunks like every member; blank lines are skipped, so a list longer
    # than one chunk must parse exactly as the same list in one piece.
    text = _sums(GOOD) + "\n" * 200_000
    info = verify_archive(_archive(tmp_path / "s.snap", GOOD, sums_text=text))
    assert info.files == GOOD_SUMS


def test_sums_names_are_taken_as_written(tmp_path: Path):
    # Only sha256sum's binary marker '*' is dropped: an entry naming another file is not a member's.
    text = _sums(GOOD) + f"{GOOD_SUMS['state.bin']} *Xstate.bin\n"
    with pytest.raises(
        SnapshotIntegrityError, match=r"SHA256SUMS lists Xstate.bin, which is not in the archive"
    ):
        verify_archive(_archive(tmp_path / "s.snap", GOOD, sums_text=text))


def test_a_damaged_gzip_trailer_is_refused(tmp_path: Path):
    """The tar reader stops at the end-of-archive blocks; only reading the gzip stream to its end checks
    the CRC-32 and length in its trailer."""
    path = _archive(tmp_path / "s.snap", GOOD)
    data = bytearray(path.read_bytes())
    data[-8] ^= 0xFF  # first byte of the CRC-32
    path.write_bytes(bytes(data))
    with tarfile.open(path, "r:gz") as tar:  # the damage is invisible to the tar reader alone
        assert {m.name for m in tar} == {"meta.json", "state.bin", "SHA256SUMS"}
    with pytest.raises(SnapshotIntegrityError, match="not a readable snapshot archive"):
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
