"""One program run as plain data: what `vaultctl plan` lists and what `--against` compares.

Two callers: the working tree's run, in-process, and the other tree's run in a child interpreter
(`python -I -c <this file's source> TREE STACK OUT`, the other tree first on `sys.path`), because the
Pulumi SDK's runtime is global state and two trees' `infra` modules must never share an interpreter.
So this module uses only the standard library at import time and reaches `infra.harness` (of whichever
tree is on the path) inside functions: an older tree's harness may lack fields, hence the defaults.

Secrets never leave the run in clear: each is replaced by `[secret]` (the harness's `mask`), and a keyed
digest (HMAC-SHA256 under a key that lives for one `vaultctl plan` invocation, handed to the child on
stdin) lets the diff say that a secret changed without either side printing or keeping its value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

FORMAT = 1  # bumped if the record's shape changes; the parent refuses a record it cannot read
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_$-]+$")


def child_path(prefix: str, key: str | int) -> str:
    """`a.b[0]["x.y"]`: dotted for plain keys, quoted for keys with dots (Kubernetes labels), [i] for lists."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key)}]"


def _digests(value: Any, path: str, key: bytes, is_secret: Any, unwrap: Any, out: dict[str, str]) -> None:
    if is_secret(value):
        plain = json.dumps(unwrap(value), sort_keys=True, default=str).encode()
        out[path] = hmac.new(key, plain, hashlib.sha256).hexdigest()
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _digests(v, child_path(path, str(k)), key, is_secret, unwrap, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _digests(v, child_path(path, i), key, is_secret, unwrap, out)


def _plain(value: Any) -> Any:
    """JSON-safe copy (mocks hand tuples, floats for ints, the odd non-JSON scalar)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(resource: Any, key: bytes) -> dict[str, Any]:
    """One declared resource (any version of `infra.harness.DeclaredResource`) as JSON-safe data."""
    from infra.harness import is_secret, mask, unwrap

    inputs = dict(resource.inputs)
    secrets: dict[str, str] = {}
    _digests(inputs, "", key, is_secret, unwrap, secrets)
    urn = getattr(resource, "urn", "") or f"{resource.type}::{resource.name}"
    provider = getattr(resource, "provider", "") or ""
    return {
        "urn": urn,
        "type": resource.type,
        "name": resource.name,
        "custom": bool(resource.custom),
        "parent": getattr(resource, "parent", "") or "",
        "inputs": _plain(mask(inputs)),
        "secrets": secrets,
        "dependencies": sorted(set(getattr(resource, "dependencies", ()) or ())),
        "property_dependencies": {
            k: sorted(set(v))
            for k, v in sorted((getattr(resource, "property_dependencies", {}) or {}).items())
        },
        # The id after "::" is the mock's; the provider's URN is what identifies it across trees.
        "provider": provider.rsplit("::", 1)[0] if provider else "",
        "protect": bool(getattr(resource, "protect", False)),
        "ignore_changes": sorted(getattr(resource, "ignore_changes", ()) or ()),
        "delete_before_replace": bool(getattr(resource, "delete_before_replace", False)),
        "replace_on_changes": sorted(getattr(resource, "replace_on_changes", ()) or ()),
        "retain_on_delete": bool(getattr(resource, "retain_on_delete", False)),
        "import_id": getattr(resource, "import_id", "") or "",
        "aliases": sorted(getattr(resource, "aliases", ()) or ()),
        # Harnesses before options were recorded leave all of the above at their defaults.
        "options_recorded": hasattr(resource, "dependencies"),
    }


def records(resources: Iterable[Any], key: bytes) -> list[dict[str, Any]]:
    return sorted((record(r, key) for r in resources), key=lambda r: r["urn"])


def _foreign_modules(tree: Path) -> list[str]:
    """Project modules this interpreter loaded from anywhere but `tree` (e.g. through an editable install)."""
    foreign = []
    for name, module in sorted(sys.modules.items()):
        if name.split(".")[0] not in ("infra", "policies"):
            continue
        file = getattr(module, "__file__", None)
        if file and not Path(file).resolve().is_relative_to(tree):
            foreign.append(f"{name} ({file})")
    return foreign


def child_main(argv: list[str]) -> int:
    """In the child: run TREE's program for STACK (a stack file), write the records to OUT as JSON."""
    tree, stack, out = Path(argv[0]).resolve(), argv[1], Path(argv[2])
    key = bytes.fromhex(sys.stdin.readline().strip())
    sys.path.insert(0, str(tree))
    result: dict[str, Any] = {"format": FORMAT}
    try:
        from infra.harness import run_program

        resources = run_program(stack)
        foreign = _foreign_modules(tree)
        if foreign:
            result["error"] = f"modules from outside {tree} were loaded: {', '.join(foreign)}"
        else:
            result["resources"] = records(resources, key)
    except Exception as error:  # the other tree's failure is reported by the parent, never raised here
        # The config model masks secret values in its errors; the message's first line is enough.
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        result["error"] = f"{type(error).__name__}: {message}"
    out.write_text(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
