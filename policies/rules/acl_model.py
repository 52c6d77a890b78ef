"""Parse Vault ACL policy text into a small model, refusing what Vault would refuse.

The vocabulary is the intersection of HashiCorp Vault's and OpenBao's policy parsers (vault/policy.go in
both): this project applies the same policies to Vault (GKE) and OpenBao (local), so a capability or key
only one of them accepts is an error here, named as such.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import hcl2
from hcl2 import SerializationOptions

from policies.rules.findings import PolicyParseError
from policies.rules.values import seconds

CAPABILITIES = frozenset({"create", "read", "update", "patch", "delete", "list", "sudo", "deny"})
WRITE_CAPABILITIES = frozenset({"create", "update", "patch", "delete"})
_FLAVOUR_ONLY_CAPABILITIES = {
    "subscribe": "HashiCorp Vault only (event subscriptions)",
    "recover": "HashiCorp Vault Enterprise only (snapshot item recovery)",
    "scan": "OpenBao only",
}
# Old-style `policy = "..."` values, mapped as Vault maps them.
_OLD_POLICY = {
    "deny": frozenset({"deny"}),
    "read": frozenset({"read", "list"}),
    "write": frozenset({"create", "read", "update", "delete", "list"}),
    "sudo": frozenset({"create", "read", "update", "delete", "list", "sudo"}),
}
PATH_KEYS = frozenset(
    {
        "comment",
        "policy",
        "capabilities",
        "allowed_parameters",
        "denied_parameters",
        "required_parameters",
        "min_wrapping_ttl",
        "max_wrapping_ttl",
        "mfa_methods",
        "control_group",
    }
)
_FLAVOUR_ONLY_KEYS = {
    "subscribe_event_types": "HashiCorp Vault only",
    "pagination_limit": "OpenBao only",
    "expiration": "OpenBao only",
    "list_scan_response_keys_filter_path": "OpenBao only",
}
_TOP_LEVEL_KEYS = frozenset({"path", "name"})
_HCL_OPTIONS = SerializationOptions(
    with_comments=False, strip_string_quotes=True, explicit_blocks=False, preserve_heredocs=False
)


@dataclass(frozen=True)
class PathRule:
    """One path of a policy, duplicates merged the way Vault merges them (union; deny wins)."""

    path: str
    capabilities: frozenset[str]

    @property
    def grants(self) -> frozenset[str]:
        """What the block allows: nothing when it denies, since deny overrides every other capability."""
        if "deny" in self.capabilities:
            return frozenset()
        return self.capabilities

    @property
    def templated(self) -> bool:
        return "{{" in self.path


@dataclass(frozen=True)
class AclPolicy:
    paths: tuple[PathRule, ...]


def parse_policy(text: str) -> AclPolicy:
    if not text.strip():
        raise PolicyParseError("empty policy (Vault refuses an empty policy)")
    document = _load_json(text) if text.lstrip().startswith("{") else _load_hcl(text)
    unknown = set(document) - _TOP_LEVEL_KEYS
    if unknown:
        raise PolicyParseError(
            f"unknown top-level key {sorted(unknown)[0]!r}: a policy holds only `path` blocks"
        )
    merged: dict[str, frozenset[str]] = {}
    for path, body in _path_blocks(document.get("path")):
        capabilities = _validate_block(path, body)
        merged[path] = merged.get(path, frozenset()) | capabilities
    return AclPolicy(tuple(PathRule(path, caps) for path, caps in merged.items()))


def _load_hcl(text: str) -> dict[str, Any]:
    try:
        return hcl2.loads(text, serialization_options=_HCL_OPTIONS)
    except Exception as error:  # lark raises many exception types; all mean "not HCL"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise PolicyParseError(f"not valid HCL: {first_line}") from error


def _load_json(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyParseError(f"not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise PolicyParseError("a JSON policy must be an object")
    paths = document.get("path")
    # JSON policies write `"path": {"a": {...}, "b": {...}}`; normalise to the HCL shape (a list of blocks).
    if isinstance(paths, dict):
        document = {**document, "path": [{key: value} for key, value in paths.items()]}
    return document


def _path_blocks(raw: Any) -> list[tuple[str, dict[str, Any]]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise PolicyParseError('`path` must be a block: path "<path>" { capabilities = [...] }')
    blocks: list[tuple[str, dict[str, Any]]] = []
    for entry in raw:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise PolicyParseError("`path` must be a block with one label")
        ((label, body),) = entry.items()
        if not isinstance(body, dict):
            raise PolicyParseError(f"path {label!r}: body must be a block")
        if (
            len(body) == 1
            and isinstance(next(iter(body.values())), dict)
            and next(iter(body)) not in PATH_KEYS
        ):
            raise PolicyParseError(f"path {label!r}: a path block takes exactly one label")
        blocks.append((_normalise_path(label), body))
    return blocks


def _normalise_path(label: str) -> str:
    # Vault strips one leading "/" because API paths are relative to /v1/.
    path = label[1:] if label.startswith("/") else label
    if "+*" in path:
        raise PolicyParseError(f"path {label!r}: invalid use of wildcards ('+*' is forbidden)")
    if not _templates_balanced(path):
        raise PolicyParseError(f"path {label!r}: unbalanced templating characters")
    return path


def _templates_balanced(path: str) -> bool:
    depth_free = re.sub(r"\{\{[^{}]*\}\}", "", path)
    return "{{" not in depth_free and "}}" not in depth_free


def _validate_block(path: str, body: Mapping[str, Any]) -> frozenset[str]:
    for key in body:
        if key in _FLAVOUR_ONLY_KEYS:
            raise PolicyParseError(
                f"path {path!r}: key {key!r} is {_FLAVOUR_ONLY_KEYS[key]}; policies here must load on both"
            )
        if key not in PATH_KEYS:
            raise PolicyParseError(
                f"path {path!r}: invalid key {key!r} (valid: {', '.join(sorted(PATH_KEYS))})"
            )
    capabilities = _capabilities(path, body)
    for key in ("allowed_parameters", "denied_parameters"):
        if key in body:
            _validate_parameters(path, key, body[key])
    if "required_parameters" in body:
        _validate_required(path, body["required_parameters"])
    _validate_wrapping_ttls(path, body)
    return capabilities


def _capabilities(path: str, body: Mapping[str, Any]) -> frozenset[str]:
    raw = body.get("capabilities", [])
    if not isinstance(raw, list):
        raise PolicyParseError(f'path {path!r}: capabilities must be a list, e.g. ["read"]')
    result: set[str] = set()
    for capability in raw:
        if not isinstance(capability, str):
            raise PolicyParseError(f"path {path!r}: capability {capability!r} is not a string")
        if capability in _FLAVOUR_ONLY_CAPABILITIES:
            raise PolicyParseError(
                f"path {path!r}: capability {capability!r} is {_FLAVOUR_ONLY_CAPABILITIES[capability]}; "
                "policies here must load on both Vault and OpenBao"
            )
        if capability not in CAPABILITIES:
            raise PolicyParseError(
                f"path {path!r}: invalid capability {capability!r} (valid: {', '.join(sorted(CAPABILITIES))})"
            )
        result.add(capability)
    if "policy" in body:
        old = body["policy"]
        if old not in _OLD_POLICY:
            raise PolicyParseError(f"path {path!r}: invalid policy {old!r} (valid: deny, read, write, sudo)")
        result |= _OLD_POLICY[old]
    return frozenset(result)


def _validate_parameters(path: str, key: str, raw: Any) -> None:
    if not isinstance(raw, dict):
        raise PolicyParseError(f"path {path!r}: {key} must be a map of parameter name to list of values")
    for name, values in raw.items():
        if not isinstance(values, list):
            raise PolicyParseError(f"path {path!r}: {key}.{name} must be a list (use [] for any value)")
        if "*" in name and not (
            name == "*" or (name.startswith("/") and name.endswith("/*") and "*" not in name[:-2])
        ):
            raise PolicyParseError(f"path {path!r}: {key} key {name!r} cannot contain non-tail wildcards")


def _validate_required(path: str, raw: Any) -> None:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise PolicyParseError(f"path {path!r}: required_parameters must be a list of strings")


def _validate_wrapping_ttls(path: str, body: Mapping[str, Any]) -> None:
    bounds: dict[str, float] = {}
    for key in ("min_wrapping_ttl", "max_wrapping_ttl"):
        if key in body:
            value = seconds(body[key])
            if value is None:
                raise PolicyParseError(f'path {path!r}: {key} {body[key]!r} is not a duration (e.g. "5m")')
            bounds[key] = value
    low, high = bounds.get("min_wrapping_ttl", 0), bounds.get("max_wrapping_ttl", 0)
    if low and high and high < low:
        raise PolicyParseError(f"path {path!r}: max_wrapping_ttl cannot be less than min_wrapping_ttl")
