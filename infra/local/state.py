"""The local environment's state folder: one place for certificates, keys, data, pids and logs.

Default `.local/` at the repository root (git-ignored); `VAULTCTL_LOCAL_STATE` or the tests point it
elsewhere. Nothing in it is ever committed: it holds recovery keys and tokens.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.stacks import PACKAGE_ROOT as REPO_ROOT

STATE_ENV = "VAULTCTL_LOCAL_STATE"


def default_root() -> Path:
    return Path(os.environ.get(STATE_ENV) or REPO_ROOT / ".local")


def write_private(path: Path, data: str | bytes) -> None:
    """Write a file readable by its owner only, created 0600 (never briefly world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT: force it


@dataclass(frozen=True)
class State:
    root: Path

    # Layout. Secrets live in secrets/ (0700, files 0600); everything else is safe to read.
    @property
    def pki(self) -> Path:
        return self.root / "pki"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def kms_dir(self) -> Path:
        return self.root / "kms"

    @property
    def postgres_dir(self) -> Path:
        return self.root / "postgres"

    def node_dir(self, index: int) -> Path:
        return self.root / "nodes" / f"node-{index}"

    @property
    def ca_cert(self) -> Path:
        return self.pki / "ca.pem"

    @property
    def root_token_file(self) -> Path:
        return self.secrets / "root-token"

    @property
    def init_file(self) -> Path:
        return self.secrets / "init.json"

    @property
    def env_file(self) -> Path:
        return self.root / "env.json"

    def ensure(self) -> None:
        for folder in (self.root, self.pki, self.logs, self.pids, self.kms_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.secrets.mkdir(parents=True, exist_ok=True)
        os.chmod(self.secrets, 0o700)
        # 0711: an unprivileged PostgreSQL user (see postgres.py) must traverse the root to its data
        # directory, but nobody else may list it.
        os.chmod(self.root, 0o711)  # noqa: S103 (traverse-only, no read)

    # env.json: ports and addresses chosen at `up`, read by status/down and the tests.
    def read_env(self) -> dict[str, Any]:
        if not self.env_file.is_file():
            return {}
        return json.loads(self.env_file.read_text())

    def write_env(self, env: dict[str, Any]) -> None:
        self.env_file.write_text(json.dumps(env, indent=2, sort_keys=True) + "\n")

    def read_secret(self, name: str) -> str:
        return (self.secrets / name).read_text().strip()

    def write_secret(self, name: str, value: str) -> Path:
        path = self.secrets / name
        write_private(path, value)
        return path
