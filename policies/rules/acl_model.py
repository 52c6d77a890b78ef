"""Vault ACL policy text -> a model of its path rules, with the server's parsing and merge semantics.

`parse_acl(text)` is the public entry point (also used to compute effective permissions): it returns an
`AclPolicy` whose `paths` hold one `PathRule` per distinct path pattern, each the merge of every block for
that pattern, exactly as the server builds its ACL (vault/acl.go NewACL, identical in OpenBao):

- capabilities are unioned; a block with `deny` makes the merged rule deny-only, and once denied later
  blocks are ignored;
- inside one block, repeated `capabilities` attributes are appended (HCL1's decoder appends to a slice it
  already holds) and a repeated `policy` keeps the last value;
- `allowed_parameters` / `denied_parameters`: the first block that restricts them sets them; later
  restricting blocks append values per key, and an empty list for a key (any value) wins;
- wrapping TTLs: the smaller non-zero bound wins; required parameters are unioned.

The vocabulary is the intersection of HashiCorp Vault's and OpenBao's parsers (vault/policy.go in both):
this project applies the same policies to Vault (GKE) and OpenBao (local), so a capability or key only one of
them accepts is an error here, named as such.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from policies.rules.findings import PolicyParseError
from policies.rules.hcl1 import Item, ListNode, Literal, Node, ObjectNode, parse_document
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
_CONTROL_GROUP_KEYS = frozenset({"ttl", "self_auth_allowed", "factor"})
Parameters = Mapping[str, tuple[Any, ...]]


@dataclass(frozen=True)
class PathRule:
    """One path pattern of a policy, every block for it merged the way the server merges them.

    `allowed_parameters` / `denied_parameters` are None when no block restricts them (any parameter, any
    value); otherwise a map of lower-cased parameter name to allowed values (empty tuple: any value).
    """

    path: str
    capabilities: frozenset[str]
    allowed_parameters: Parameters | None = None
    denied_parameters: Parameters | None = None
    required_parameters: tuple[str, ...] = ()
    min_wrapping_ttl: float = 0
    max_wrapping_ttl: float = 0

    @property
    def grants(self) -> frozenset[str]:
        """What the rule allows: nothing when it denies, since deny overrides every other capability."""
        if "deny" in self.capabilities:
            return frozenset()
        return self.capabilities

    @property
    def templated(self) -> bool:
        return "{{" in self.path

    def parameter_values(self, name: str) -> tuple[str, ...] | None:
        """The values a request may give parameter `name`: None for any value, () for none at all.

        Follows the server's check (vault/acl.go AllowOperation): denied_parameters first, then an
        allowed_parameters map that, when present, lists the only parameters (and values) accepted.
        """
        name = name.lower()
        denied = self.denied_parameters or {}
        if "*" in denied or (name in denied and not denied[name]):
            return ()
        allowed = self.allowed_parameters
        if not allowed:
            return None
        if name in allowed:
            values = allowed[name]
            return None if not values else tuple(str(v) for v in values)
        return None if "*" in allowed else ()


@dataclass(frozen=True)
class AclPolicy:
    paths: tuple[PathRule, ...]
    name: str | None = None

    def rule(self, path: str) -> PathRule | None:
        return next((rule for rule in self.paths if rule.path == path), None)


@dataclass
class _Block:
    path: str
    capabilities: frozenset[str]
    allowed: dict[str, list[Any]] | None = None
    denied: dict[str, list[Any]] | None = None
    required: list[str] = field(default_factory=list)
    min_ttl: float = 0
    max_ttl: float = 0


def parse_acl(text: str) -> AclPolicy:
    """Parse policy text as the server does, or raise PolicyParseError when either server would refuse it."""
    return _parse_cached(text)


# Kept for callers of the old name.
parse_policy = parse_acl


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> AclPolicy:
    if not text.strip():
        raise PolicyParseError("empty policy (Vault refuses an empty policy)")
    document = parse_document(text)
    name: str | None = None
    blocks: list[_Block] = []
    for item in document.items:
        key = item.keys[0]
        if key not in _TOP_LEVEL_KEYS:
            raise PolicyParseError(
                f"unknown top-level key {key!r}: a policy holds only `path` blocks (and a `name`)"
            )
        if key == "name":
            name = _name(item)
        else:
            blocks.append(_block(item))
    return AclPolicy(_merge(blocks), name)


def _name(item: Item) -> str:
    if (
        len(item.keys) != 1
        or not isinstance(item.value, Literal)
        or item.value.kind not in ("string", "number")
    ):
        raise PolicyParseError(f"line {item.line}: `name` must be a string")
    return str(item.value.value)


def _block(item: Item) -> _Block:
    labels = item.keys[1:]
    if len(labels) > 1:
        raise PolicyParseError(f"path {labels[0]!r}: a path block takes exactly one label")
    # `path = { ... }` without a label is read by the server as a rule for the path "path".
    label = labels[0] if labels else "path"
    if not isinstance(item.value, ObjectNode):
        raise PolicyParseError(
            f'path {label!r}: body must be a block: path "<path>" {{ capabilities = [...] }}'
        )
    path = _normalise_path(label)
    body = item.value
    for entry in body.items:
        key = entry.keys[0]
        if key in _FLAVOUR_ONLY_KEYS:
            raise PolicyParseError(
                f"path {path!r}: key {key!r} is {_FLAVOUR_ONLY_KEYS[key]}; policies here must load on both"
            )
        if key not in PATH_KEYS:
            raise PolicyParseError(
                f"path {path!r}: invalid key {key!r} (valid: {', '.join(sorted(PATH_KEYS))})"
            )
        if len(entry.keys) > 1 and key != "control_group":
            raise PolicyParseError(f"path {path!r}: {key} must be assigned with `=`, not labelled")
    capabilities = _capabilities(path, body)
    block = _Block(path, capabilities)
    if "deny" in capabilities:
        # The server stops reading a denying block at `deny`: its parameters and TTLs never apply.
        _validate_rest(path, body)
        return block
    block.allowed = _parameters(path, body, "allowed_parameters")
    block.denied = _parameters(path, body, "denied_parameters")
    block.required = _strings(path, body, "required_parameters")
    _strings(path, body, "mfa_methods")
    block.min_ttl, block.max_ttl = _wrapping_ttls(path, body)
    _control_group(path, body)
    return block


def _validate_rest(path: str, body: ObjectNode) -> None:
    # Still refuse what would not parse: the server decodes every key before it looks at capabilities.
    _parameters(path, body, "allowed_parameters")
    _parameters(path, body, "denied_parameters")
    _strings(path, body, "required_parameters")
    _wrapping_ttls(path, body)


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


def _entries(body: ObjectNode, key: str) -> list[Node]:
    return [entry.value for entry in body.items if entry.keys[0] == key]


def _string_value(node: Node) -> str | None:
    """What HCL1 decodes into a Go string: strings and heredocs, and integers as their text."""
    if isinstance(node, Literal) and node.kind in ("string", "number"):
        return str(node.value)
    return None


def _capabilities(path: str, body: ObjectNode) -> frozenset[str]:
    raw: list[str] = []
    for node in _entries(body, "capabilities"):
        if not isinstance(node, ListNode):
            raise PolicyParseError(f'path {path!r}: capabilities must be a list, e.g. ["read"]')
        for element in node.items:
            value = _string_value(element)
            if value is None:
                raise PolicyParseError(f"path {path!r}: capability {element!r} is not a string")
            raw.append(value)
    result: set[str] = set()
    for capability in raw:
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
    policies = [_string_value(node) for node in _entries(body, "policy")]
    if policies:
        old = policies[-1]  # a repeated `policy` keeps the last value (a Go string field, overwritten)
        if old not in _OLD_POLICY:
            raise PolicyParseError(f"path {path!r}: invalid policy {old!r} (valid: deny, read, write, sudo)")
        if old == "deny":
            return frozenset({"deny"})
        result |= _OLD_POLICY[old]
    return frozenset(result)


def _parameters(path: str, body: ObjectNode, key: str) -> dict[str, list[Any]] | None:
    nodes = _entries(body, key)
    if not nodes:
        return None
    merged: dict[str, list[Any]] = {}
    for node in nodes:
        if not isinstance(node, ObjectNode):
            raise PolicyParseError(f"path {path!r}: {key} must be a map of parameter name to list of values")
        for entry in node.items:
            if len(entry.keys) != 1:
                raise PolicyParseError(f'path {path!r}: {key}: write `"name" = [values]`')
            name = entry.keys[0]
            if not isinstance(entry.value, ListNode):
                raise PolicyParseError(f"path {path!r}: {key}.{name} must be a list (use [] for any value)")
            if "*" in name and not (
                name == "*" or (name.startswith("/") and name.endswith("/*") and "*" not in name[:-2])
            ):
                raise PolicyParseError(f"path {path!r}: {key} key {name!r} cannot contain non-tail wildcards")
            values = [_plain(v) for v in entry.value.items]
            # Repeated keys append (the decoder reuses the slice); the server lower-cases names afterwards.
            merged.setdefault(name.lower(), []).extend(values)
    return merged


def _plain(node: Node) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, ListNode):
        return tuple(_plain(v) for v in node.items)
    return {entry.keys[0]: _plain(entry.value) for entry in node.items}


def _strings(path: str, body: ObjectNode, key: str) -> list[str]:
    out: list[str] = []
    for node in _entries(body, key):
        if not isinstance(node, ListNode):
            raise PolicyParseError(f"path {path!r}: {key} must be a list of strings")
        for element in node.items:
            value = _string_value(element)
            if value is None:
                raise PolicyParseError(f"path {path!r}: {key} must be a list of strings")
            out.append(value)
    return out


def _wrapping_ttls(path: str, body: ObjectNode) -> tuple[float, float]:
    bounds: dict[str, float] = {}
    for key in ("min_wrapping_ttl", "max_wrapping_ttl"):
        nodes = _entries(body, key)
        if not nodes:
            continue
        node = nodes[-1]  # an `any` field: the last assignment wins
        raw: int | str | None = None
        if isinstance(node, Literal) and node.kind == "number":
            raw = int(node.value)
        elif isinstance(node, Literal) and node.kind == "string":
            raw = node.value
        value = seconds(raw)
        if value is None:
            shown = node.value if isinstance(node, Literal) else "a block"
            raise PolicyParseError(f'path {path!r}: {key} {shown!r} is not a duration (e.g. "5m")')
        bounds[key] = value
    low, high = bounds.get("min_wrapping_ttl", 0), bounds.get("max_wrapping_ttl", 0)
    if low and high and high < low:
        raise PolicyParseError(f"path {path!r}: max_wrapping_ttl cannot be less than min_wrapping_ttl")
    return low, high


def _control_group(path: str, body: ObjectNode) -> None:
    for node in _entries(body, "control_group"):
        if not isinstance(node, ObjectNode):
            raise PolicyParseError(f"path {path!r}: control_group must be a block")
        unknown = {entry.keys[0] for entry in node.items} - _CONTROL_GROUP_KEYS
        if unknown:
            raise PolicyParseError(f"path {path!r}: control_group: invalid key {sorted(unknown)[0]!r}")


def _merge(blocks: list[_Block]) -> tuple[PathRule, ...]:
    merged: dict[str, _Block] = {}
    for block in blocks:
        existing = merged.get(block.path)
        if existing is None:
            merged[block.path] = _Block(
                block.path,
                block.capabilities,
                None if block.allowed is None else {k: list(v) for k, v in block.allowed.items()},
                None if block.denied is None else {k: list(v) for k, v in block.denied.items()},
                list(block.required),
                block.min_ttl,
                block.max_ttl,
            )
            continue
        _merge_into(existing, block)
    return tuple(_freeze(block) for block in merged.values())


def _merge_into(existing: _Block, block: _Block) -> None:
    if "deny" in existing.capabilities:
        return
    if "deny" in block.capabilities:
        existing.capabilities = frozenset({"deny"})
        existing.allowed = existing.denied = None
        return
    existing.capabilities |= block.capabilities
    if block.max_ttl > 0 and (existing.max_ttl == 0 or block.max_ttl < existing.max_ttl):
        existing.max_ttl = block.max_ttl
    if block.min_ttl > 0 and (existing.min_ttl == 0 or block.min_ttl < existing.min_ttl):
        existing.min_ttl = block.min_ttl
    existing.allowed = _merge_parameters(existing.allowed, block.allowed)
    existing.denied = _merge_parameters(existing.denied, block.denied)
    existing.required += [name for name in block.required if name not in existing.required]


def _merge_parameters(
    existing: dict[str, list[Any]] | None, new: dict[str, list[Any]] | None
) -> dict[str, list[Any]] | None:
    if not new:
        return existing
    if existing is None:
        return {key: list(values) for key, values in new.items()}
    for key, values in new.items():
        if not values or (key in existing and not existing[key]):
            existing[key] = []
        else:
            existing[key] = list(values) + existing.get(key, [])
    return existing


def merge_rules(rules: list[PathRule]) -> tuple[PathRule, ...]:
    """Rules (e.g. of several policies) merged per pattern, in order, as the server merges them."""

    def thaw(params: Parameters | None) -> dict[str, list[Any]] | None:
        return None if params is None else {key: list(values) for key, values in params.items()}

    blocks = [
        _Block(
            rule.path,
            rule.capabilities,
            thaw(rule.allowed_parameters),
            thaw(rule.denied_parameters),
            list(rule.required_parameters),
            rule.min_wrapping_ttl,
            rule.max_wrapping_ttl,
        )
        for rule in rules
    ]
    return _merge(blocks)


def _freeze(block: _Block) -> PathRule:
    def frozen(params: dict[str, list[Any]] | None) -> Parameters | None:
        return None if params is None else {key: tuple(values) for key, values in params.items()}

    return PathRule(
        block.path,
        block.capabilities,
        frozen(block.allowed),
        frozen(block.denied),
        tuple(block.required),
        block.min_ttl,
        block.max_ttl,
    )
