"""The applier: plays `pulumi up` (engine + the Terraform Vault provider inside pulumi-vault) for the
`vault:*` resources the program declares, against a real server, with the token CI would have.
The SDK registers resources from several threads at once, as the engine runs independent steps in
parallel; a resource still waits for everything it depends on.

`run_program(stack, hook=Applier(token, ca_cert, state_file))` hands it every custom resource in
declaration order (dependencies first). Like the engine, it keeps a state file (URN -> id, inputs with
secrets reduced to digests, outputs) and decides per resource:

- not in state and declared with `import_` (the bootstrap adoption): read it by that id, then update it
  only if the declared inputs differ (what `pulumi up` does since pulumi/pulumi#19339);
- not in state: create;
- in state: refresh it (read, as `pulumi up --refresh` does), create it again if it is gone, update it
  if the declared inputs changed or the read found drift, else leave it;
- `finish()`: delete what state holds and the program no longer declares.

Two read-only modes: `preview` (as `pulumi preview --refresh`: every resource in state is read, and the
steps say what an `up` would do, without writing) and `refresh` (as `pulumi refresh`: reads only). Both
are what the read-only previewer identity runs.

The provider part, per declared `pulumi:providers:vault` (`DeclaredResource.provider_urn`), is
`infra.local.vault_provider` (start-up: lookup-self, a child token unless `skip_child_token`); the calls
per resource type are `infra.local.vault_resources` (one handler per type, naming its provider source
file). The type map is explicit: a type it does not know stops the apply and names the type.

A refused call stops the apply with the resource, the method and the path: a permission the deployer
lacks fails here as it would in CI.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from infra.harness import DeclaredResource, is_secret, unwrap
from infra.local.state import write_private
from infra.local.vault_provider import Call, ProviderConfig, ProviderSession, VaultRefused
from infra.local.vault_resources import HANDLERS, AlreadyExists, Handler, Res, differences

PROVIDER_TYPE = "pulumi:providers:vault"


class ApplyError(RuntimeError):
    """A resource could not be applied; the message names its type, its name and the refused call."""


@dataclass(frozen=True)
class Step:
    urn: str
    type: str
    name: str
    op: str  # create | import | update | same | refresh | delete | not-in-state
    drift: tuple[str, ...] = ()


@dataclass
class EngineState:
    """What the engine remembers between runs (one JSON file, 0600: ids and digests, never a secret)."""

    path: Path | None
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> EngineState:
        if path is None or not path.is_file():
            return cls(path)
        return cls(path, json.loads(path.read_text()).get("resources", {}))

    def save(self) -> None:
        if self.path is not None:
            write_private(self.path, json.dumps({"resources": self.resources}, indent=1, sort_keys=True))


def _plain(value: Any) -> Any:
    # Mocks hand numbers over as floats (10.0); the API wants integers for counts and seconds.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _for_state(value: Any) -> Any:
    """Inputs as state keeps them: each secret replaced by a digest (changes still detected)."""
    if is_secret(value):
        digest = hashlib.sha256(json.dumps(_plain(unwrap(value)), sort_keys=True).encode()).hexdigest()
        return {"secret-sha256": digest}
    if isinstance(value, Mapping):
        return {k: _for_state(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_for_state(v) for v in value]
    return _plain(value)


def _ignore_changes(
    new: dict[str, Any], old: Mapping[str, Any] | None, paths: tuple[str, ...]
) -> dict[str, Any]:
    """The engine's ignoreChanges: the old value of each listed property replaces the new one."""
    if old is None or not paths:
        return new
    result = copy.deepcopy(new)
    for path in paths:
        parts = path.split(".")
        source: Any = old
        target: Any = result
        for part in parts[:-1]:
            source = source.get(part) if isinstance(source, Mapping) else None
            target = target.get(part) if isinstance(target, dict) else None
            if isinstance(source, list):
                source = source[0] if source else None
            if isinstance(target, list):
                target = target[0] if target else None
        if isinstance(source, Mapping) and isinstance(target, dict) and parts[-1] in source:
            target[parts[-1]] = source[parts[-1]]
    return result


class Applier:
    """The `run_program` hook: every declared `vault:*` resource becomes the provider's real calls."""

    def __init__(
        self,
        token: str,
        ca_cert: Path,
        state_file: Path | None = None,
        *,
        refresh_only: bool = False,
        preview: bool = False,
    ) -> None:
        self.token = token
        self.ca_cert = ca_cert
        self.state = EngineState.load(state_file)
        self.refresh_only = refresh_only
        self.preview = preview  # decide every step, write nothing (and keep the state file as it was)
        self.sessions: dict[str, ProviderSession] = {}
        self.calls: list[Call] = []
        self.steps: list[Step] = []
        self.applied: list[tuple[str, str]] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()  # state, steps and the seen set are shared by the SDK's threads

    # ------------------------------------------------------------------ the hook

    def __call__(self, resource: DeclaredResource) -> Mapping[str, Any]:
        if resource.type == PROVIDER_TYPE:
            try:
                config = ProviderConfig.from_inputs(unwrap(dict(resource.inputs)))
            except ValueError as err:
                raise ApplyError(f"{resource.type} ({resource.name}): {err}") from None
            self.sessions[resource.urn] = ProviderSession(
                resource.name, config, self.ca_cert, self.token, self.calls
            )
            return {}
        if not resource.type.startswith("vault:"):
            return {}  # another package's resources and providers (GCP, Kubernetes, TLS): not ours to play
        handler = HANDLERS.get(resource.type)
        if handler is None:
            known = ", ".join(sorted(HANDLERS))
            raise ApplyError(
                f"{resource.type} ({resource.name}): no local handler for this resource type; "
                f"add one to infra/local/vault_resources.py (known: {known})"
            )
        session = self.sessions.get(resource.provider_urn)
        if session is None:
            raise ApplyError(
                f"{resource.type} ({resource.name}): uses the default provider (configured from VAULT_* "
                "variables); the program must pass its declared vault.Provider"
            )
        with self._lock:
            self._seen.add(resource.urn)
        started = session.started
        try:
            outputs = self._apply(handler, session, resource)
        except VaultRefused as err:
            where = (
                f"provider {session.name} start-up (internal/provider/meta.go)"
                if not started and not session.started
                else handler.source
            )
            raise ApplyError(f"{resource.type} ({resource.name}): {err} [{where}]") from None
        except (AlreadyExists, RuntimeError, requests.RequestException) as err:
            raise ApplyError(f"{resource.type} ({resource.name}): {err} [{handler.source}]") from None
        with self._lock:
            self.applied.append((resource.type, resource.name))
        return outputs

    def _apply(  # noqa: C901 -- the engine step (refresh, update, import, create) in the engine's order
        self, handler: Handler, session: ProviderSession, resource: DeclaredResource
    ) -> dict[str, Any]:
        raw = dict(resource.inputs)
        plain = _plain(unwrap(raw))
        entry = self.state.resources.get(resource.urn)
        old = entry["inputs"] if entry else None
        kept = _ignore_changes(_for_state(raw), old, resource.ignore_changes)
        r = Res(plain, kept, old)

        if self.refresh_only:
            if entry is None:
                self._step(resource, "not-in-state")
                return {}
            observed = handler.read(session, entry["id"], r)
            self._step(resource, "refresh")
            return {"id": entry["id"], **entry.get("outputs", {}), **(observed.outputs if observed else {})}

        if entry is not None:
            rid = entry["id"]
            if resource.import_id and resource.import_id != rid:
                raise RuntimeError(f"state holds id {rid!r}, the import option names {resource.import_id!r}")
            observed = handler.read(session, rid, r)
            if observed is None:
                return self._create(handler, session, resource, Res(plain, kept, None), kept)
            # The refresh replaced what state held for the fields the Read sets; the diff compares the
            # program's inputs with that, and with the last inputs for everything else.
            drift = tuple(differences(plain, observed.values))
            edited = sorted(
                k
                for k in set(kept) | set(old or {})
                if k not in observed.values and kept.get(k) != (old or {}).get(k)
            )
            if self.preview:
                self._step(resource, "update" if drift or edited else "same", (*drift, *edited))
                return {"id": rid, **entry.get("outputs", {}), **observed.outputs}
            if drift or edited:
                refreshed = {**(old or {}), **observed.values}
                outputs = handler.update(session, rid, Res(plain, kept, refreshed))
                return self._record(
                    resource, "update", rid, kept, {**observed.outputs, **outputs}, (*drift, *edited)
                )
            return self._record(resource, "same", rid, kept, observed.outputs)

        if resource.import_id:
            rid = resource.import_id
            # The engine's ImportStep: Read by the given id; nothing there is an error, not a create.
            observed = handler.read(session, rid, Res(plain, kept, kept))
            if observed is None:
                raise RuntimeError(f"import: no object with id {rid!r} to adopt (has `vaultctl init` run?)")
            drift = tuple(differences(plain, observed.values))
            outputs = observed.outputs
            if self.preview:
                self._step(resource, "import", drift)
                return {"id": rid, **outputs}
            if drift:
                # After the import, state holds what the Read found: that is what the update diffs against.
                try:
                    outputs = {**outputs, **handler.update(session, rid, Res(plain, kept, observed.values))}
                except VaultRefused as err:
                    raise RuntimeError(
                        f"the adopted object differs from the program in {', '.join(drift)}; updating it "
                        f"was refused ({err}). Objects `vaultctl init` writes change through an operator: "
                        "`vaultctl init --update-bootstrap`"
                    ) from None
            return self._record(resource, "import", rid, kept, outputs, drift)

        return self._create(handler, session, resource, r, kept)

    def _create(
        self,
        handler: Handler,
        session: ProviderSession,
        resource: DeclaredResource,
        r: Res,
        kept: dict[str, Any],
    ) -> dict[str, Any]:
        if self.preview:
            self._step(resource, "create")
            return {}
        rid, outputs = handler.create(session, r)
        return self._record(resource, "create", rid, kept, outputs)

    def _record(
        self,
        resource: DeclaredResource,
        op: str,
        rid: str,
        inputs: dict[str, Any],
        outputs: Mapping[str, Any],
        drift: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        kept_outputs = {k: v for k, v in outputs.items() if k != "id"}
        with self._lock:
            self.state.resources[resource.urn] = {
                "type": resource.type,
                "name": resource.name,
                "provider": resource.provider_urn,
                "id": rid,
                "inputs": inputs,
                "outputs": kept_outputs,
            }
            self.state.save()  # after every step, like the engine's checkpoints
        self._step(resource, op, drift)
        return {"id": rid, **kept_outputs}

    def _step(self, resource: DeclaredResource, op: str, drift: tuple[str, ...] = ()) -> None:
        with self._lock:
            self.steps.append(Step(resource.urn, resource.type, resource.name, op, drift))

    # ------------------------------------------------------------------ after the program

    def finish(self) -> None:
        """Delete what state holds but the program no longer declares (last declared, first deleted)."""
        gone = [urn for urn in self.state.resources if urn not in self._seen]
        if self.refresh_only or self.preview:
            for urn in gone:
                entry = self.state.resources[urn]
                self.steps.append(
                    Step(urn, entry["type"], entry["name"], "delete" if self.preview else "refresh")
                )
            return
        for urn in reversed(gone):
            entry = self.state.resources[urn]
            handler = HANDLERS.get(entry["type"])
            session = self.sessions.get(entry.get("provider", ""))
            if handler is None or session is None:
                raise ApplyError(
                    f"{entry['type']} ({entry['name']}): cannot delete without its handler/provider"
                )
            try:
                kept = entry["inputs"]
                handler.delete(session, entry["id"], Res(kept, kept, kept))
            except VaultRefused as err:
                raise ApplyError(
                    f"{entry['type']} ({entry['name']}): delete: {err} [{handler.source}]"
                ) from None
            del self.state.resources[urn]
            self.state.save()
            self.steps.append(Step(urn, entry["type"], entry["name"], "delete"))

    def ops(self) -> dict[str, int]:
        """How many resources each kind of step touched (for reports and tests)."""
        counts: dict[str, int] = {}
        for step in self.steps:
            counts[step.op] = counts.get(step.op, 0) + 1
        return counts
