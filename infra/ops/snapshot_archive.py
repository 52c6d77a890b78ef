"""Integrity of a Raft snapshot file, checked before anything is sent to a server.

A Vault/OpenBao Raft snapshot is a gzipped tar holding `meta.json` (index, term, configuration),
`state.bin` (the FSM data) and `SHA256SUMS` (one `<hex>  <name>` line per file). Checking those sums
catches a truncated upload or a corrupted copy in the bucket, which the scheduled job writes without a
sidecar checksum; a `.sha256` sidecar, when present, is checked as well by `infra.ops.snapshot`.
Nothing is extracted to disk: members are hashed as streams, so a hostile archive cannot write files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

SUMS = "SHA256SUMS"
REQUIRED = ("meta.json", "state.bin")
# Exactly the members the server's snapshot reader accepts (hashicorp/vault and OpenBao
# `physical/raft`); `SHA256SUMS.sealed`, a copy of the sums sealed for the server, is not checked here.
MEMBERS = frozenset({*REQUIRED, SUMS, f"{SUMS}.sealed"})


class SnapshotIntegrityError(RuntimeError):
    pass


@dataclass(frozen=True)
class ArchiveInfo:
    files: dict[str, str]  # name -> sha256
    index: int | None
    term: int | None


def parse_sums(text: str) -> dict[str, str]:
    sums = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.strip().lstrip("*")  # `sha256sum -b` marks binary mode with '*'
        if len(digest) != 64 or not name:
            raise SnapshotIntegrityError(f"{SUMS}: malformed line {line!r}")
        sums[name] = digest.lower()
    return sums


def verify_archive(path: Path) -> ArchiveInfo:
    """Raise SnapshotIntegrityError unless `path` is a complete snapshot whose files match SHA256SUMS."""
    try:
        digests, sums_text, meta = _read(path)
    except (
        tarfile.TarError,
        OSError,
        EOFError,
        zlib.error,
        gzip.BadGzipFile,
        json.JSONDecodeError,
        UnicodeDecodeError,
    ) as err:
        raise SnapshotIntegrityError(f"{path}: not a readable snapshot archive ({err})") from err
    if sums_text is None:
        raise SnapshotIntegrityError(f"{path}: no {SUMS} in the archive")
    if not isinstance(meta, dict):
        raise SnapshotIntegrityError(f"{path}: meta.json is not a JSON object")
    sums = parse_sums(sums_text)
    for name in REQUIRED:
        if name not in digests:
            raise SnapshotIntegrityError(f"{path}: {name} is missing from the archive")
        if name not in sums:
            raise SnapshotIntegrityError(f"{path}: {name} is not covered by {SUMS}")
    for name, digest in sums.items():
        if name not in digests:
            raise SnapshotIntegrityError(f"{path}: {SUMS} lists {name}, which is not in the archive")
        if digests[name] != digest:
            raise SnapshotIntegrityError(f"{path}: {name} does not match its {SUMS} entry (corrupt copy)")
    files = {name: digest for name, digest in digests.items() if name != SUMS}
    return ArchiveInfo(files, meta.get("Index"), meta.get("Term"))


def _read(path: Path) -> tuple[dict[str, str], str | None, object]:
    """Each member's sha256, the text of SHA256SUMS (None: absent) and the parsed meta.json."""
    digests: dict[str, str] = {}
    sums_text: str | None = None
    meta: object = {}
    # Read the whole gzip stream first: its CRC-32 and length trailer are only checked at EOF,
    # and the tar reader stops at the end-of-archive blocks without reaching it.
    with gzip.open(path, "rb") as stream:
        while stream.read(1 << 20):
            pass
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            handle = _member(path, member, tar, seen=digests)
            digest = hashlib.sha256()
            chunks = []
            while chunk := handle.read(1 << 16):
                digest.update(chunk)
                if member.name in (SUMS, "meta.json"):
                    chunks.append(chunk)
            digests[member.name] = digest.hexdigest()
            if member.name == SUMS:
                sums_text = b"".join(chunks).decode()
            elif member.name == "meta.json":
                meta = json.loads(b"".join(chunks))
    return digests, sums_text, meta


def _member(path: Path, member: tarfile.TarInfo, tar: tarfile.TarFile, seen: dict[str, str]) -> IO[bytes]:
    """The member's content stream, if the server's reader would accept the member.

    The server reads exactly these names and refuses any other ("unexpected file ... in snapshot");
    a name that appears twice would be hashed as one stream there and checked as the last copy here.
    """
    if member.name not in MEMBERS:
        raise SnapshotIntegrityError(f"{path}: unexpected member {member.name!r} (not part of a snapshot)")
    if member.name in seen:
        raise SnapshotIntegrityError(f"{path}: {member.name} appears twice in the archive")
    handle = tar.extractfile(member) if member.isfile() else None
    if handle is None:
        raise SnapshotIntegrityError(f"{path}: {member.name} is not a regular file")
    return handle
