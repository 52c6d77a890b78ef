"""Run the Pulumi program in-process under the SDK's mocks and record what it declares.

This is how the program runs on machines without the Pulumi CLI or cloud access: `vaultctl plan`, the
unit tests and `vaultctl local up` (whose hook turns each `vault:*` declaration into real API writes).
The real provider SDK constructors still run, so a wrong argument name fails here as it would in
`pulumi preview`.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from infra import stacks
from infra.config import PROJECT

REPO_ROOT = stacks.PACKAGE_ROOT
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # noqa: S105 (the SDK's secret marker, not a secret)
SECRET_PLACEHOLDER = "[secret]"  # noqa: S105


@dataclass(frozen=True)
class DeclaredResource:
    """One registration as the engine receives it: inputs plus the options a real engine acts on.

    Mocks echo inputs back and ignore ordering, so what decides whether a real `pulumi up` can run in
    order (dependencies), what it refuses to replace (`protect`) or how it replaces fixed names
    (`delete_before_replace`) is recorded here for tests and `vaultctl plan` to check.
    """

    type: str
    name: str
    inputs: Mapping[str, Any]
    custom: bool
    urn: str
    parent: str
    # Every URN this registration waits for: explicit `depends_on` plus the resources behind the
    # Outputs among its inputs (the SDK merges both into the request, as the engine sees it).
    dependencies: tuple[str, ...] = ()
    # Per input property, the URNs whose Outputs flowed into it.
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider: str = ""  # "<provider URN>::<id>" reference, or "" for the default provider
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool = False
    replace_on_changes: tuple[str, ...] = ()
    retain_on_delete: bool = False
    import_id: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def provider_urn(self) -> str:
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


# A hook receives each declared custom resource and returns extra output properties (e.g. the
# accessor a real server assigned; an `id` key becomes the resource's id); it runs synchronously, in declaration order.
ResourceHook = Callable[[DeclaredResource], Mapping[str, Any]]


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270"


def unwrap(value: Any) -> Any:
    """Plain value of a mock input, with Pulumi secrets unwrapped (for code that must use them)."""
    if is_secret(value):
        return unwrap(value["value"])
    if isinstance(value, Mapping):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def mask(value: Any) -> Any:
    """The value with every Pulumi secret replaced by `[secret]` (for printing)."""
    if is_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, Mapping):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def stack_file(stack: str | Path) -> Path:
    """`prod` -> Pulumi.prod.yaml of the project (`infra.stacks`: the CLI's project directory, else
    this checkout); a path to a `Pulumi.<name>.yaml` file is taken as is."""
    return stacks.stack_file(stack)


# Stack files are read by infra.stacks (no SDK import); kept here for the harness's callers.
stack_name = stacks.stack_name
read_stack_config = stacks.read_stack_config


@dataclass(frozen=True)
class _Options:
    """What a registration carries besides its inputs (filled by `_Monitor`, read by `new_resource`)."""

    urn: str
    parent: str
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, tuple[str, ...]]
    provider: str
    protect: bool
    ignore_changes: tuple[str, ...]
    delete_before_replace: bool
    replace_on_changes: tuple[str, ...]
    retain_on_delete: bool
    import_id: str
    aliases: tuple[str, ...]


_NO_OPTIONS = _Options("", "", (), {}, "", False, (), False, (), False, "", ())


class _RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, hook: ResourceHook | None) -> None:
        self.hook = hook
        self.declared: list[DeclaredResource] = []
        self.options: dict[tuple[str, str], _Options] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        o = self.options.get((args.typ, args.name), _NO_OPTIONS)
        resource = DeclaredResource(
            args.typ,
            args.name,
            args.inputs,
            bool(args.custom),  # the mock monitor always sets it; None only in the SDK's signature
            o.urn,
            o.parent,
            dependencies=o.dependencies,
            property_dependencies=o.property_dependencies,
            provider=o.provider,
            protect=o.protect,
            ignore_changes=o.ignore_changes,
            delete_before_replace=o.delete_before_replace,
            replace_on_changes=o.replace_on_changes,
            retain_on_delete=o.retain_on_delete,
            import_id=o.import_id,
            aliases=o.aliases,
        )
        self.declared.append(resource)
        outputs = dict(args.inputs)
        resource_id = f"{args.name}-id" if args.custom else None
        if args.custom and self.hook is not None:
            extra = dict(self.hook(resource))
            # A hook that really created the object reports the id the server assigned, as a provider
            # would, so references to it (`entity.id`) carry the real value.
            resource_id = str(extra.pop("id", resource_id))
            outputs.update(extra)
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        return {}, None  # no outputs, no check failures


class _Monitor(pulumi_mocks.MockMonitor):
    """Also remembers each registration's options, so tests can check what the engine would act on."""

    mocks: _RecordingMocks

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        self.mocks.options[(request.type, request.name)] = _Options(
            urn=urn,
            parent=request.parent,
            dependencies=tuple(sorted(set(request.dependencies))),
            property_dependencies={
                key: tuple(sorted(set(deps.urns))) for key, deps in request.propertyDependencies.items()
            },
            provider=request.provider,
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            replace_on_changes=tuple(request.replaceOnChanges),
            retain_on_delete=bool(request.retainOnDelete),
            import_id=request.importId,
            aliases=tuple(request.aliasURNs),
        )
        return super().RegisterResource(request)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; the collector's previous state comes back after.

    The SDK keeps every registration's futures alive until the run ends, so a collection during a run
    finds almost nothing to free but rescans the whole heap (the SDK modules' objects included), again
    and again as it grows: a 1,000-service run took 27.7 s with the collector on and 13.9 s with it
    off, for +27 MB of peak memory (bench/RESULTS.md). Reference counting still frees everything that
    is not in a cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _no_stack_traces() -> Iterator[None]:
    """Registrations without the caller's stack trace, inside the block.

    The SDK attaches a stack trace and source position to every registration (for the engine's
    diagnostics); building one runs `traceback.extract_stack`, which reads the source line of every
    frame, per resource. Mocks never read it, so under the harness it is skipped: ~15% of a plan's
    own CPU time (bench/RESULTS.md). A private SDK function: if a future SDK renames it, this does
    nothing and only the speed-up is lost.
    """
    from pulumi.runtime import resource as runtime_resource
    from pulumi.runtime.proto import source_pb2

    original = getattr(runtime_resource, "_get_stack_trace", None)
    if original is None:
        yield
        return
    runtime_resource._get_stack_trace = source_pb2.StackTrace  # an empty trace
    try:
        yield
    finally:
        runtime_resource._get_stack_trace = original


def run_program(
    stack: str | Path,
    overrides: Mapping[str, Any] | None = None,
    hook: ResourceHook | None = None,
    *,
    preview: bool = False,
    sink: list[DeclaredResource] | None = None,
    program: Callable[[], None] | None = None,
) -> list[DeclaredResource]:
    """Run `infra.program.main` for a stack (name or stack file) under mocks; return what it declared.

    Raises `infra.config.ConfigError` on bad stack config before anything is declared. `sink`, when
    given, receives the declarations as they happen (so a caller can see them even after a failure).
    `program` replaces `infra.program.main` (tests of the harness itself).
    """
    if program is None:
        from infra.program import main as program

    raw = read_stack_config(stack, overrides)
    mocks = _RecordingMocks(hook)
    if sink is not None:
        mocks.declared = sink
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT, stack=stack_name(stack), preview=preview, monitor=_Monitor(mocks)
    )
    pulumi.runtime.set_all_config(
        {
            f"{PROJECT}:{key}": json.dumps(value) if not isinstance(value, str) else value
            for key, value in raw.items()
        },
        [],
    )
    with gc_paused(), _no_stack_traces():
        pulumi.runtime.test(program)()
    return mocks.declared
