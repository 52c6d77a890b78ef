"""Capture the audit entries a request produces on the local cluster, and wrap them as Cloud Logging
would receive them from GKE (helpers for the alarm tests).

The local stack's audit device writes `audit.log` in each node's state folder (the active node
audits; every node's file is read so a standby that served a read is not missed). On GKE the same
JSON lines go to the container's stdout and the logging agent ships each as a `k8s_container` entry:
the line becomes `jsonPayload` and the resource labels name the cluster, namespace and container.
Whether the agent also lifts the line's `time` into the entry's `timestamp` is not relied on: no filter
names `time` (the wrapper keeps it in the payload and copies it to the timestamp).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.alarms.filters import CONTAINER
from infra.config import StackConfig
from infra.platform.gke import cluster_name


class AuditTail:
    """Everything the audit devices wrote since `mark()`."""

    def __init__(self, state_root: Path) -> None:
        self.files = sorted((state_root / "nodes").glob("*/audit.log"))
        self.marks: dict[Path, int] = {}
        self.mark()

    def mark(self) -> None:
        self.marks = {f: f.stat().st_size if f.exists() else 0 for f in self.files}

    def entries(self) -> list[dict[str, Any]]:
        found = []
        for path, offset in self.marks.items():
            if not path.exists():
                continue
            with path.open() as handle:
                handle.seek(offset)
                found += [json.loads(line) for line in handle if line.strip()]
        return found

    def responses(self, path: str, settle: float = 2.0) -> list[dict[str, Any]]:
        """Response entries for `path` (waiting briefly: the write may trail the HTTP answer)."""
        deadline = time.monotonic() + settle
        while True:
            found = [
                e for e in self.entries() if e.get("type") == "response" and e["request"].get("path") == path
            ]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def capture(tail: AuditTail, path: str, action: Callable[[], Any]) -> dict[str, Any]:
    """Run `action` (errors are part of some events) and return the one response entry it left for `path`."""
    tail.mark()
    with contextlib.suppress(Exception):  # a refused request is the event for several alarms
        action()
    found = tail.responses(path)
    assert len(found) == 1, f"expected one response entry for {path}, got {len(found)}"
    return found[0]


def log_entry(cfg: StackConfig, audit: dict[str, Any]) -> dict[str, Any]:
    """The Cloud Logging entry GKE makes of one audit line of the Vault container."""
    payload = dict(audit)
    return {
        "logName": "projects/acme/logs/stdout",
        "timestamp": payload.get("time"),
        "severity": "DEFAULT",
        "resource": {
            "type": "k8s_container",
            "labels": {
                "project_id": "acme",
                "location": "europe-west1",
                "cluster_name": cluster_name(cfg),
                "namespace_name": cfg.cluster.namespace,
                "pod_name": "vault-0",
                "container_name": CONTAINER,
            },
        },
        "jsonPayload": payload,
    }
