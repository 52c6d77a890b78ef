"""`vaultctl keys rotate`: write a provider key's next version with check-and-set, verify it, and roll
back when the verification fails; record who rotated and when.

Where the new key travels, and where it never does:
- In: from stdin or a file, never argv (`/proc/<pid>/cmdline` is readable by every local user and ends
  up in shell history and CI logs).
- To the verification hook: on its stdin by default, or as a 0600 file in a private temporary folder
  when the command names `{key_file}` (for tools that read a file). Never in its argv, and never in its
  environment: `/proc/<pid>/environ` is readable by the same user, every child inherits it, and crash
  reports and `set -x` traces print it.
- Out: nowhere. Messages name the key's path and version numbers only.

Rollback writes the previous version's data again as a new version (check-and-set against the version
just written, so a concurrent writer is never overwritten); a first version that fails verification is
soft-deleted (recoverable, and services read "no key" as before).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hvac

from infra.ops.keys_status import (
    LAST_FAILED,
    LAST_FAILED_BY,
    LAST_ROTATION,
    ROTATED_BY,
    ROTATION_VERSION,
    format_time,
    parse_time,
)

KEY_FIELD = "api_key"  # the field services read from `<kv>/data/ai/providers/<provider>/<service>`
KEY_FILE = "{key_file}"


class RotationError(RuntimeError):
    """The rotation did not complete; the message says what state the key is in."""


class RollbackFailed(RotationError):
    """Verification failed and the previous key could not be restored: a person must act."""


@dataclass(frozen=True)
class Outcome:
    verified: bool
    previous_version: int
    written_version: int
    current_version: int  # after a rollback: the version holding the previous value again
    detail: str


# ----------------------------------------------------------------------------- the new key


def read_new_key(source: str, stdin: Any) -> str:
    """The new key from a file path or `-` (stdin), stripped of its line ending; one line, not empty."""
    if source == "-":
        if stdin.isatty():
            import getpass

            text = getpass.getpass("new key (not echoed): ")
        else:
            text = stdin.read()
    else:
        path = Path(source)
        mode = path.stat().st_mode
        if mode & 0o077:
            raise RotationError(f"{path}: readable by group or others (mode {mode & 0o777:o}); chmod 600 it")
        text = path.read_text()
    key = text.strip()
    if not key:
        raise RotationError("the new key is empty")
    if any(c in key for c in "\r\n"):
        raise RotationError("the new key spans several lines; give exactly one key")
    return key


# ----------------------------------------------------------------------------- the hook


@contextlib.contextmanager
def _key_file(key: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="vaultctl-key-"))  # 0700
    path = folder / "key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        yield path
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()


def run_hook(command: str, key: str, context: dict[str, str], timeout: float) -> tuple[bool, str]:
    """Run the operator's verification command without a shell; (passed, why) never carries the key."""
    argv = shlex.split(command)
    if not argv:
        raise RotationError("--verify: empty command")
    env = {**os.environ, **context}
    env.pop("VAULT_TOKEN", None)  # the hook tests the provider key; it needs no Vault token
    env.pop("BAO_TOKEN", None)
    uses_file = any(KEY_FILE in arg for arg in argv)
    try:
        with _key_file(key) if uses_file else contextlib.nullcontext() as path:
            final = [arg.replace(KEY_FILE, str(path)) for arg in argv] if path else argv
            proc = subprocess.run(
                final,
                input=None if uses_file else key + "\n",
                stdin=subprocess.DEVNULL if uses_file else None,
                text=True,
                env=env,
                timeout=timeout,
                check=False,
            )
    except FileNotFoundError:
        return False, f"verification command not found: {argv[0]}"
    except subprocess.TimeoutExpired:
        return False, f"verification timed out after {timeout:.0f}s"
    if proc.returncode != 0:
        return False, f"verification command exited {proc.returncode}"
    return True, "verification command exited 0"


# ----------------------------------------------------------------------------- Vault calls


def who_am_i(client: hvac.Client) -> str:
    """`display_name` of the token (plus its entity id when it has one) from `auth/token/lookup-self`."""
    data = client.auth.token.lookup_self()["data"]
    name = str(data.get("display_name") or "unknown")
    entity = data.get("entity_id")
    return f"{name} (entity {entity})" if entity else name


def read_metadata(client: hvac.Client, mount: str, path: str) -> dict[str, Any] | None:
    try:
        return client.secrets.kv.v2.read_secret_metadata(path, mount_point=mount)["data"]
    except hvac.exceptions.InvalidPath:
        return None


def patch_custom_metadata(client: hvac.Client, mount: str, path: str, fields: dict[str, str]) -> None:
    """Merge `fields` into the key's custom metadata (JSON merge patch): the declared owner, period and
    ticket stay. hvac has no call for it; the KV v2 API takes PATCH on the metadata path."""
    client.adapter.request(
        "PATCH",
        f"/v1/{mount}/metadata/{path}",
        json={"custom_metadata": fields},
        headers={"Content-Type": "application/merge-patch+json"},
    )


def _write(client: hvac.Client, mount: str, path: str, data: dict[str, Any], cas: int) -> int:
    response = client.secrets.kv.v2.create_or_update_secret(path, secret=data, cas=cas, mount_point=mount)
    return int(response["data"]["version"])


def _live(meta: dict[str, Any], version: int) -> bool:
    info = (meta.get("versions") or {}).get(str(version)) or {}
    return bool(version) and not info.get("deletion_time") and not info.get("destroyed")


# ----------------------------------------------------------------------------- the flow


def rotate(
    client: hvac.Client,
    mount: str,
    path: str,
    new_key: str,
    *,
    verify: str | None,
    timeout: float,
    context: dict[str, str],
    now: dt.datetime | None = None,
) -> Outcome:
    meta = read_metadata(client, mount, path)
    if meta is None:
        raise RotationError(f"{mount}/metadata/{path} does not exist: apply the Vault layer first")
    who = who_am_i(client)
    previous = int(meta.get("current_version") or 0)
    previous_data: dict[str, Any] | None = None
    if _live(meta, previous):
        read = client.secrets.kv.v2.read_secret_version(
            path, version=previous, mount_point=mount, raise_on_deleted_version=True
        )
        previous_data = dict(read["data"]["data"] or {})
        if previous_data.get(KEY_FIELD) == new_key:
            raise RotationError(f"{path}: the new key equals version {previous}'s; nothing to rotate")
    try:
        written = _write(client, mount, path, {KEY_FIELD: new_key}, cas=previous)
    except hvac.exceptions.InvalidRequest as err:
        raise RotationError(
            f"{path}: version {previous} is no longer current (check-and-set refused: {err}); re-run"
        ) from None
    passed, why = (True, "no verification hook (--no-verify)")
    if verify:
        passed, why = run_hook(verify, new_key, {**context, "VAULTCTL_KEY_VERSION": str(written)}, timeout)
    stamp = format_time(now or dt.datetime.now(dt.UTC))
    if passed:
        patch_custom_metadata(
            client, mount, path, {LAST_ROTATION: stamp, ROTATED_BY: who, ROTATION_VERSION: str(written)}
        )
        return Outcome(True, previous, written, written, why)
    return _roll_back(client, mount, path, meta, previous, previous_data, written, who, stamp, why)


def _roll_back(
    client: hvac.Client,
    mount: str,
    path: str,
    meta: dict[str, Any],
    previous: int,
    previous_data: dict[str, Any] | None,
    written: int,
    who: str,
    stamp: str,
    why: str,
) -> Outcome:
    failure = {LAST_FAILED: stamp, LAST_FAILED_BY: who}
    if previous_data is None:
        try:
            client.secrets.kv.v2.delete_latest_version_of_secret(path, mount_point=mount)
        except hvac.exceptions.VaultError as err:
            raise RollbackFailed(
                f"{path}: {why}, and soft-deleting unverified version {written} failed ({err}); it is "
                "being served: delete it by hand"
            ) from None
        patch_custom_metadata(client, mount, path, failure)
        return Outcome(False, previous, written, 0, f"{why}; version {written} soft-deleted (no earlier key)")
    try:
        restored = _write(client, mount, path, previous_data, cas=written)
    except hvac.exceptions.VaultError as err:
        raise RollbackFailed(
            f"{path}: {why}, and restoring version {previous} failed ({err}): unverified version "
            f"{written} may be served; restore by hand (`bao kv rollback -version={previous}`)"
        ) from None
    # The restored version holds the value set when `previous` was: carry its age over, so a rollback
    # never makes an old key look fresh.
    custom = meta.get("custom_metadata") or {}
    created = ((meta.get("versions") or {}).get(str(previous)) or {}).get("created_time")
    consistent = custom.get(ROTATION_VERSION) == str(previous) and parse_time(custom.get(LAST_ROTATION))
    record = {
        LAST_ROTATION: custom[LAST_ROTATION]
        if consistent
        else format_time(parse_time(created) or dt.datetime.now(dt.UTC)),
        ROTATED_BY: custom.get(ROTATED_BY, "unrecorded") if consistent else "unrecorded",
        ROTATION_VERSION: str(restored),
    }
    patch_custom_metadata(client, mount, path, {**record, **failure})
    return Outcome(
        False, previous, written, restored, f"{why}; version {previous}'s key restored as version {restored}"
    )
