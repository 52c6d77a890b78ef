"""The local disaster-recovery drill's Vault-layer check: an apply that sends nothing and reports
whether it would have changed anything (`dr.ApplyReport`).

The local applier (`infra.local.apply`) has no diff mode, so this runs it with a client whose writes
are captured instead of sent, and compares each captured write with what the server answers for the
same path, field by field. A write whose every field already reads back equal changes nothing.
One-shot action endpoints (`vault:generic/endpoint:Endpoint`, e.g. rotate-root) have nothing to read
back: like a provider, they are unchanged when their inputs equal the recorded state's.

What this needs from an applier is only the `run_program` hook interface (`make_hook(client)`); an
applier that reports its own diff ("already matches") can replace the capture.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

import hvac

from infra.harness import DeclaredResource, ResourceHook, run_program
from infra.ops.dr import ApplyReport, engine_urns, inputs_digest

ACTION_TYPES = ("vault:generic/endpoint:Endpoint",)
# Fields the API accepts but never returns (credentials), and fields it echoes in another shape
# than it takes them; neither can be compared with a read.
WRITE_ONLY = frozenset({"password", "secret_key", "access_key", "token", "root_rotation_statements"})


class CapturingAdapter:
    """hvac adapter stand-in: reads go to the server, writes are recorded and answered with {}."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.writes: list[tuple[str, str, dict[str, Any]]] = []

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.real.get(url, **kwargs)

    def list(self, url: str, **kwargs: Any) -> Any:
        return self.real.list(url, **kwargs)

    def _write(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        self.writes.append((method, url, dict(kwargs.get("json") or {})))
        return {}

    def post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        return self._write("post", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> dict[str, Any]:
        return self._write("put", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> dict[str, Any]:
        return self._write("delete", url, **kwargs)


class _DryClient:
    """What an applier's hook touches of an hvac client, with writes captured."""

    def __init__(self, client: hvac.Client, adapter: CapturingAdapter) -> None:
        self.adapter = adapter
        self.url = client.url
        self.token = client.token


_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _norm(value: Any) -> Any:
    """One shape for what the API takes and what it answers: 3600, 3600.0, "3600" and "1h" are equal;
    list order and "a,b" vs ["a", "b"] do not matter; empty is empty."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else value
    if isinstance(value, str):
        value = value.strip()  # PEM blocks come back without their final newline
        match = _DURATION.fullmatch(value)
        if match:
            return int(match.group(1)) * _SECONDS[match.group(2)]
        return int(value) if value.strip().isdigit() else value
    if isinstance(value, list | tuple):
        return sorted((_norm(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, Mapping):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _same(sent: Any, read: Any) -> bool:
    if isinstance(sent, str) and isinstance(read, list) and "," in sent:
        sent = [s.strip() for s in sent.split(",") if s.strip()]
    if isinstance(sent, Mapping) and isinstance(read, Mapping):
        return all(_same(v, read.get(k)) for k, v in sent.items())
    sent, read = _norm(sent), _norm(read)
    if sent in (None, "", [], {}) and read in (None, "", [], {}, 0, False):
        return True
    return sent == read


def _read_back(client: hvac.Client, path: str) -> dict[str, Any] | None:
    try:
        response = client.adapter.get(path)
    except hvac.exceptions.VaultError:
        return None
    if not isinstance(response, dict):
        return None
    return response.get("data") if isinstance(response.get("data"), dict) else response


def write_differences(client: hvac.Client, method: str, path: str, body: Mapping[str, Any]) -> list[str]:
    """Why this write would change the server (empty: it changes nothing)."""
    if method == "delete":
        return [f"DELETE {path}"]
    current = _read_back(client, path)
    if current is None and path.endswith("/config"):
        # Some settings are written to `<object>/config` and read back on the object itself
        # (transit keys: `keys/<name>/config` -> `keys/<name>`).
        current = _read_back(client, path.removesuffix("/config"))
    if current is None:
        return [f"{path} does not exist yet"]
    differences = []
    for key, value in body.items():
        if key in WRITE_ONLY or key not in current:
            continue
        if not _same(value, current[key]):
            differences.append(f"{path}: {key}: server has {current[key]!r}, would write {value!r}")
    return differences


def diff_only_apply(
    client: hvac.Client,
    make_hook: Callable[[hvac.Client], ResourceHook],
    stack: str,
    state: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
) -> ApplyReport:
    """Run the program with the applier's hook on a capturing client; compare, don't write."""
    capture = CapturingAdapter(client.adapter)
    real_hook = make_hook(_DryClient(client, capture))
    per_resource: list[tuple[DeclaredResource, list[tuple[str, str, dict[str, Any]]]]] = []

    lock = threading.Lock()
    failed: dict[str, str] = {}

    def hook(resource: DeclaredResource) -> Mapping[str, Any]:
        # The SDK may register resources from several threads: one hook at a time, so each write is
        # attributed to the resource that made it.
        with lock:
            before = len(capture.writes)
            try:
                outputs = real_hook(resource)
            except Exception as err:  # the applier needed its own write to go on: that is a change
                failed[resource.urn] = (
                    f"the applier cannot go on without writing: {type(err).__name__}: {err}"
                )
                outputs = {}
            per_resource.append((resource, capture.writes[before:]))
        return outputs

    declared = run_program(stack, overrides, hook=hook)
    urn_of = {r.urn: urn for urn, r in engine_urns(declared, stack).items()}
    report = ApplyReport(removed=sorted(set(state) - set(urn_of.values())))
    for resource, writes in per_resource:
        urn = urn_of[resource.urn]
        if resource.type in ACTION_TYPES:
            if state.get(urn) != inputs_digest(resource):
                report.changed[urn] = ["action with new inputs: it would run again"]
            else:
                report.unchanged.append(urn)
            continue
        reasons = [d for method, url, body in writes for d in write_differences(client, method, url, body)]
        reasons += [failed[resource.urn]] if resource.urn in failed else []
        if reasons:
            report.changed[urn] = reasons
        else:
            report.unchanged.append(urn)
    return report
