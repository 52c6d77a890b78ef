"""Which stack file a stack name means: resolved as the Pulumi CLI resolves it.

`pulumi -s prod` reads `Pulumi.prod.yaml` beside the project file `Pulumi.yaml` of the directory you
stand in, found by walking up from the current directory (or from `--cwd DIR`). `vaultctl` does the
same, so a second checkout or worktree plans its own files, never those of whatever copy of the
package happens to be installed. A path (`--stack path/to/Pulumi.x.yaml`) is taken as a path.

Light on purpose (no Pulumi import): the CLI resolves and checks the stack before loading the SDK, and
`vaultctl local up` reads the local stack without paying for the SDK until it applies.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = "Pulumi.yaml"
# The package's own checkout: where library callers (tests, the local environment) find stacks when no
# project directory was chosen, as before.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

_project: Path | None = None


class StackNotFound(FileNotFoundError):
    """A stack name or path that names no stack file; the message says where it looked."""


def is_path(stack: str | Path) -> bool:
    return isinstance(stack, Path) or str(stack).endswith((".yaml", ".yml"))


def find_project(start: Path | None = None) -> Path | None:
    """The nearest directory at or above `start` (default: the cwd) holding Pulumi.yaml, or None."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


@contextmanager
def project(folder: Path | None) -> Iterator[None]:
    """Within the block, bare stack names resolve in `folder` (the CLI passes the project directory
    of the cwd or --cwd; None keeps this checkout)."""
    global _project
    previous, _project = _project, (folder.resolve() if folder is not None else None)
    try:
        yield
    finally:
        _project = previous


def project_root() -> Path:
    return _project or PACKAGE_ROOT


def stacks_in(folder: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))


def stack_file(stack: str | Path) -> Path:
    """`prod` -> Pulumi.prod.yaml of the project; a path is taken as is (not checked here)."""
    if is_path(stack):
        return Path(stack)
    return project_root() / f"Pulumi.{stack}.yaml"


def resolve(stack: str, cwd: Path | None = None) -> Path:
    """The existing stack file `stack` names, seen from `cwd` (default: the current directory).

    Raises StackNotFound naming the path it tried (and, for a name, the stacks that do exist).
    """
    base = (cwd or Path.cwd()).resolve()
    if is_path(stack):
        path = Path(stack) if Path(stack).is_absolute() else base / stack
        if not path.is_file():
            raise StackNotFound(f"stack file {path} does not exist")
        return path
    project = find_project(base)
    if project is None:
        raise StackNotFound(
            f"no stack file Pulumi.{stack}.yaml: no {PROJECT_FILE} in {base} or any parent directory "
            "(run vaultctl in the project directory, or pass --cwd DIR or --stack PATH)"
        )
    path = project / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = ", ".join(stacks_in(project)) or "none"
        raise StackNotFound(f"no stack file Pulumi.{stack}.yaml in {project} (stacks there: {known})")
    return path


# The `name:` of Pulumi.yaml, the namespace of every config key; the same as infra.config.PROJECT (not
# imported from there to keep pydantic out of the CLI's start; a test checks all three agree).
PROJECT_NAME = "vault-platform"
# libyaml's SafeLoader when PyYAML has it (same safe subset, several times faster), else the Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def stack_name(stack: str | Path) -> str:
    name = stack_file(stack).name
    return (
        name.removeprefix("Pulumi.").rsplit(".", 1)[0]
        if name.startswith("Pulumi.")
        else name.rsplit(".", 1)[0]
    )


# A plain value the operator fills in before the first deploy (e.g. the checksum of a binary they build:
# docs/ai-keys.md). The config validator refuses it, so a real `pulumi up` cannot run with it; this
# shape view (plan, the mocks, the tests) shows the resource with a stand-in instead, as it does for an
# unset `secure:` value. `unset_values` lists both kinds: `vaultctl plan` prints them first (text, markdown,
# json `unset`) and CI's ci_env reports the stack as not bootstrapped, so its jobs skip it by name.
OPERATOR_SUPPLIED = "OPERATOR-SUPPLIED"
# Registries under .invalid (RFC 2606) resolve nowhere: a stand-in image can never be pulled.
_STAND_IN_REGISTRY = "operator-supplied.invalid"


def _stand_in(key: str, context: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(f"{OPERATOR_SUPPLIED}:{key}".encode()).hexdigest()
    if key.endswith("image"):
        tag = str(context.get("version", "v0.0.0"))
        return f"{_STAND_IN_REGISTRY}/{key.replace('.', '-')}:{tag}@sha256:{digest}"
    return digest  # a checksum's shape


def _placeholders(value: Any, key: str = "", context: Mapping[str, Any] | None = None) -> Any:
    # Encrypted `secure:` values are never decrypted here: plan shows the shape, not the secret.
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return "placeholder-for-encrypted-value"
        return {k: _placeholders(v, f"{key}.{k}".lstrip("."), value) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, f"{key}[{i}]", context) for i, v in enumerate(value)]
    if value == OPERATOR_SUPPLIED:
        return _stand_in(key, context or {})
    return value


def unset_values(stack: str | Path) -> list[str]:
    """The config keys still holding a placeholder: `OPERATOR-SUPPLIED`, or a `secure:` value that is
    no ciphertext (`v1:PLACEHOLDER-...`, which `pulumi` cannot decrypt)."""
    document = yaml.load(stack_file(stack).read_text(), Loader=SAFE_LOADER) or {}  # noqa: S506
    found: list[str] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            if set(value) == {"secure"}:
                if "PLACEHOLDER" in str(value["secure"]):
                    found.append(f"{key} (secret)")
                return
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{key}[{i}]")
        elif value == OPERATOR_SUPPLIED:
            found.append(key)

    for name, value in (document.get("config") or {}).items():
        walk(value, name.partition(":")[2] or name)
    return found


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(override)


def read_stack_config(stack: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stack file's `vault-platform:*` config without the prefix, secure values as placeholders.

    `overrides` deep-merge over it (dicts merge, anything else replaces): the local environment passes
    what it generated at run time, tests pass bad values.
    """
    path = stack_file(stack)
    if not path.is_file():
        raise StackNotFound(f"stack file {path} does not exist")
    document = yaml.load(path.read_text(), Loader=SAFE_LOADER) or {}  # noqa: S506 (a SafeLoader)
    raw: dict[str, Any] = {}
    for key, value in (document.get("config") or {}).items():
        namespace, _, name = key.partition(":")
        if namespace == PROJECT_NAME:
            raw[name] = _placeholders(value, name)
        elif not name:
            raw[key] = _placeholders(value, key)  # an unprefixed key: let validation name it
    return _merge(raw, overrides or {})
