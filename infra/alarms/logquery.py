"""An evaluator for the subset of the Cloud Logging query language the alarm filters use, so a filter
can be run against real audit entries here (tests) instead of only in Cloud Logging.

Supported, with Cloud Logging's semantics as documented
(https://cloud.google.com/logging/docs/view/logging-query-language):
- comparisons `FIELD OP VALUE`: `=`, `!=`, `:` (has: substring; `:*` field exists), `=~`, `!~` (RE2
  regular expression, matching anywhere unless anchored);
- string comparisons are case-insensitive, regular expressions are not;
- a field path is dot-separated, a segment may be quoted (`labels."k8s-pod/app"`); on a repeated field
  (a JSON array) a comparison holds when it holds for any element;
- a comparison on a field the entry does not have is false (`NOT f:*` finds entries without `f`);
  `!=` and `!~` hold only for entries that have the field (the documented behaviour of a negated
  operator, unlike `NOT (f = v)`);
- `NOT`, `AND`, `OR` in capitals and parentheses; `NOT` binds tightest, then `OR`, then `AND` (so
  `a AND b OR c` is `a AND (b OR c)`, as documented).
Not supported (a parse error, never a silent mismatch): implicit AND by juxtaposition, global
restrictions (a bare value), numeric ordering, functions other than the label extractors.

`extract(entry, extractor)` evaluates a log-based metric's label extractor: `EXTRACT(field)` and
`REGEXP_EXTRACT(field, "regex")` (the value of the first capture group).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("=~", "!~", "!=", "=", ":")
_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>=~|!~|!=|=|:)|(?P<paren>[()])|(?P<word>[^\s()"=!:~]+))'
)
# Python's `re` agrees with RE2 on what our filters use; refuse what only Python would accept.
_NOT_RE2 = re.compile(r"\(\?[=!<]|\\[1-9]")


class QueryError(ValueError):
    """The filter is outside the supported subset (or malformed)."""


@dataclass(frozen=True)
class Comparison:
    path: tuple[str, ...]
    op: str
    value: str  # `*` for existence

    @property
    def field(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND | OR
    operands: tuple[Node, ...]


Node = Comparison | Not | BoolOp


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QueryError(f"cannot read the filter at {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


def _field_path(word: str) -> tuple[str, ...]:
    # A path like a.b."c/d".e arrives as one word plus adjacent strings; see _Parser._path.
    return tuple(part for part in word.split(".") if part)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next_is(self, kind: str, prefix: str = "") -> bool:
        token = self.peek()
        return token is not None and token[0] == kind and token[1].startswith(prefix)

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("the filter ends too early")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.and_expr()
        extra = self.peek()
        if extra is not None:
            raise QueryError(f"unexpected {extra[1]!r} (implicit AND is not supported: write AND)")
        return node

    def and_expr(self) -> Node:
        operands = [self.or_expr()]
        while self.peek() == ("word", "AND"):
            self.take()
            operands.append(self.or_expr())
        return operands[0] if len(operands) == 1 else BoolOp("AND", tuple(operands))

    def or_expr(self) -> Node:
        operands = [self.unary()]
        while self.peek() == ("word", "OR"):
            self.take()
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else BoolOp("OR", tuple(operands))

    def unary(self) -> Node:
        if self.peek() == ("word", "NOT"):
            self.take()
            return Not(self.unary())
        if self.peek() == ("paren", "("):
            self.take()
            node = self.and_expr()
            if self.take() != ("paren", ")"):
                raise QueryError("missing ')'")
            return node
        return self.comparison()

    def _path(self) -> tuple[str, ...]:
        kind, text = self.take()
        if kind not in ("word", "string") or text in ("AND", "OR", "NOT"):
            raise QueryError(f"expected a field path, got {text!r}")
        parts = list(_field_path(text)) if kind == "word" else [_unquote(text)]
        # `labels."k8s-pod/app"`: a word ending in '.' followed by a quoted segment.
        while text.endswith(".") and self.next_is("string"):
            kind, text = self.take()
            parts.append(_unquote(text))
            if self.next_is("word", "."):
                kind, text = self.take()
                parts += _field_path(text)
        if not parts:
            raise QueryError("empty field path")
        return tuple(parts)

    def comparison(self) -> Comparison:
        path = self._path()
        kind, op = self.take()
        if kind != "op":
            raise QueryError(
                f"{'.'.join(path)}: expected one of {', '.join(OPERATORS)} (global restrictions are not supported)"
            )
        kind, value = self.take()
        if kind == "string":
            value = _unquote(value)
        elif not (kind == "word" and (value == "*" or re.fullmatch(r"[A-Za-z0-9_.-]+", value))):
            raise QueryError(f"{'.'.join(path)} {op}: unsupported value {value!r}")
        if value == "*" and op != ":" and kind == "word":
            raise QueryError(f"{'.'.join(path)}: `*` only after `:` (field exists)")
        if op in ("=~", "!~"):
            if _NOT_RE2.search(value):
                raise QueryError(f"{'.'.join(path)}: {value!r} uses a construct RE2 does not have")
            re.compile(value)
        return Comparison(path, op, value)


def parse(text: str) -> Node:
    return _Parser(text).parse()


# ------------------------------------------------------------------------------------ evaluation


def resolve(entry: Any, path: tuple[str, ...]) -> list[Any]:
    """The values at `path` (arrays fan out); [] when the entry does not have the field."""
    values = [entry]
    for segment in path:
        nxt: list[Any] = []
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Mapping) and segment in item and item[segment] is not None:
                    nxt.append(item[segment])
        values = nxt
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None  # an object: no string comparison holds


def _compare(c: Comparison, entry: Any) -> bool:
    values = resolve(entry, c.path)
    if not values:
        return False
    if c.op == ":" and c.value == "*":
        return True
    scalars = [s for s in (_scalar(v) for v in values) if s is not None]
    if c.op == "=":
        return any(s.lower() == c.value.lower() for s in scalars)
    if c.op == "!=":
        return not any(s.lower() == c.value.lower() for s in scalars)
    if c.op == ":":
        return any(c.value.lower() in s.lower() for s in scalars)
    if c.op == "=~":
        return any(re.search(c.value, s) for s in scalars)
    if c.op == "!~":
        return not any(re.search(c.value, s) for s in scalars)
    raise QueryError(f"operator {c.op}")


def evaluate(node: Node, entry: Any) -> bool:
    if isinstance(node, Comparison):
        return _compare(node, entry)
    if isinstance(node, Not):
        return not evaluate(node.operand, entry)
    if node.op == "AND":
        return all(evaluate(operand, entry) for operand in node.operands)
    return any(evaluate(operand, entry) for operand in node.operands)


def matches(text: str, entry: Any) -> bool:
    return evaluate(parse(text), entry)


def comparisons(node: Node) -> Iterator[Comparison]:
    if isinstance(node, Comparison):
        yield node
    elif isinstance(node, Not):
        yield from comparisons(node.operand)
    else:
        for operand in node.operands:
            yield from comparisons(operand)


def fields(text: str) -> set[str]:
    """Every field path the filter names."""
    return {c.field for c in comparisons(parse(text))}


_EXTRACT = re.compile(r"^EXTRACT\((?P<field>[^,()]+)\)$")
_REGEXP_EXTRACT = re.compile(r'^REGEXP_EXTRACT\((?P<field>[^,()]+),\s*"(?P<regex>(?:[^"\\]|\\.)*)"\)$')


def extractor_field(extractor: str) -> str:
    match = _EXTRACT.match(extractor.strip()) or _REGEXP_EXTRACT.match(extractor.strip())
    if not match:
        raise QueryError(f"unsupported label extractor {extractor!r}")
    return match.group("field").strip()


def extract(entry: Any, extractor: str) -> str | None:
    """A label extractor's value on an entry (None: the label would be empty)."""
    text = extractor.strip()
    field = extractor_field(text)
    values = [s for s in (_scalar(v) for v in resolve(entry, _field_path(field))) if s is not None]
    if not values:
        return None
    match = _REGEXP_EXTRACT.match(text)
    if not match:
        return values[0]
    regex = re.sub(r"\\(.)", r"\1", match.group("regex"))
    found = re.search(regex, values[0])
    return found.group(1) if found and found.groups() else None
