"""HCL1 and JSON, read the way Vault and OpenBao read a policy: into HCL1's object model.

Vault and OpenBao parse policies with HashiCorp's HCL *1* (github.com/hashicorp/hcl v1.0.1-vault-7,
`ParseDontErrorOnDuplicateKeys`), or its JSON parser when the text starts with `{`. HCL2 parsers disagree
with it on exactly the points an attacker needs: HCL1 ignores newlines between tokens (a brace on the next
line is valid), keeps every repeated key (the server then appends repeated `capabilities` lists), and its
JSON reader keeps duplicate object keys that `json.loads` would drop. This module reproduces that object
model: a document is a list of items, each with one or more keys and a value.

Measured on OpenBao 2.7.2 (tests/policy/test_server_agreement.py writes each corpus policy and probes
`sys/capabilities`); see docs/facts.md "Policy parsing on the server".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from policies.rules.findings import PolicyParseError


@dataclass(frozen=True)
class Literal:
    kind: str  # "string" | "number" | "float" | "bool"
    value: Any
    line: int


@dataclass(frozen=True)
class ListNode:
    items: tuple[Node, ...]
    line: int


@dataclass(frozen=True)
class Item:
    keys: tuple[str, ...]
    value: Node
    line: int


@dataclass(frozen=True)
class ObjectNode:
    items: tuple[Item, ...]
    line: int


Node = Literal | ListNode | ObjectNode


@dataclass(frozen=True)
class _Token:
    kind: str  # IDENT STRING HEREDOC NUMBER FLOAT BOOL LBRACE RBRACE LBRACK RBRACK COMMA ASSIGN EOF
    text: str
    line: int


_WHITESPACE = " \t\n\r"
_SIMPLE = {"{": "LBRACE", "}": "RBRACE", "[": "LBRACK", "]": "RBRACK", ",": "COMMA", "=": "ASSIGN"}
_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


def _is_letter(char: str) -> bool:
    return (char.isascii() and (char.isalpha() or char == "_")) or (not char.isascii() and char.isalpha())


def _is_ident_char(char: str) -> bool:
    return _is_letter(char) or char.isdigit() or char in "-."


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.pos = 0
        self.line = 1

    def _error(self, message: str) -> PolicyParseError:
        return PolicyParseError(f"not valid HCL: line {self.line}: {message}")

    def _advance(self, count: int) -> str:
        chunk = self.text[self.pos : self.pos + count]
        self.line += chunk.count("\n")
        self.pos += count
        return chunk

    def tokens(self) -> list[_Token]:
        found: list[_Token] = []
        while True:
            token = self._next()
            if token.kind != "COMMENT":
                found.append(token)
            if token.kind == "EOF":
                return found

    def _next(self) -> _Token:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _WHITESPACE:
            self._advance(1)
        if self.pos >= len(text):
            return _Token("EOF", "", self.line)
        char, line = text[self.pos], self.line
        if char == "\x00":
            raise self._error("unexpected null character")
        if _is_letter(char):
            end = self.pos + 1
            while end < len(text) and _is_ident_char(text[end]):
                end += 1
            word = self._advance(end - self.pos)
            return _Token("BOOL" if word in ("true", "false") else "IDENT", word, line)
        if char.isdigit() or (char == "-" and text[self.pos + 1 : self.pos + 2].isdigit()):
            match = _NUMBER.match(text, self.pos)
            assert match is not None
            word = self._advance(len(match.group()))
            is_float = "." in word or ("e" in word.lower() and not word.lower().startswith(("0x", "-0x")))
            return _Token("FLOAT" if is_float else "NUMBER", word, line)
        if char == '"':
            return _Token("STRING", self._string(), line)
        if char in "#/":
            self._comment(char)
            return _Token("COMMENT", "", line)
        if char == "<":
            return _Token("HEREDOC", self._heredoc(), line)
        if char in _SIMPLE:
            self._advance(1)
            return _Token(_SIMPLE[char], char, line)
        raise self._error(f"illegal character {char!r}")

    def _comment(self, char: str) -> None:
        text = self.text
        if char == "#" or text.startswith("//", self.pos):
            end = text.find("\n", self.pos)
            self._advance((len(text) if end == -1 else end) - self.pos)
            return
        if not text.startswith("/*", self.pos):
            raise self._error("expected '/' for comment")
        end = text.find("*/", self.pos + 2)
        if end == -1:
            raise self._error("comment not terminated")
        self._advance(end + 2 - self.pos)

    def _string(self) -> str:
        """A double-quoted string, unquoted. `${...}` is kept verbatim, as HCL1's unquote keeps it."""
        text, braces = self.text, 0
        out: list[str] = []
        self._advance(1)
        while True:
            if self.pos >= len(text) or (text[self.pos] == "\n" and braces == 0):
                raise self._error("literal not terminated")
            char = text[self.pos]
            if char == '"' and braces == 0:
                self._advance(1)
                return "".join(out)
            if braces == 0 and text.startswith("${", self.pos):
                braces = 1
                out.append(self._advance(2))
                continue
            if braces > 0:
                braces += {"{": 1, "}": -1}.get(char, 0)
                out.append(self._advance(1))
                continue
            if char == "\\":
                out.append(self._escape())
                continue
            out.append(self._advance(1))

    def _escape(self) -> str:
        text = self.text
        code = text[self.pos + 1 : self.pos + 2]
        if code in _ESCAPES:
            self._advance(2)
            return _ESCAPES[code]
        widths = {"x": (2, 16), "u": (4, 16), "U": (8, 16)}
        if code in widths or (code in "01234567" and code):
            width, base = widths.get(code, (3, 8))
            start = self.pos + (1 if base == 8 else 2)
            digits = text[start : start + width]
            valid = "01234567" if base == 8 else "0123456789abcdefABCDEF"
            if len(digits) != width or any(d not in valid for d in digits):
                raise self._error("illegal char escape")
            self._advance(start + width - self.pos)
            return chr(int(digits, base))
        raise self._error("illegal char escape")

    def _heredoc(self) -> str:
        text = self.text
        match = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n").match(text, self.pos)
        if not match:
            raise self._error("invalid heredoc anchor")
        self._advance(match.end() - self.pos)
        anchor, indented = match.group(2), match.group(1) == "-"
        lines: list[str] = []
        while True:
            end = text.find("\n", self.pos)
            if end == -1:
                raise self._error("heredoc not terminated")
            line = text[self.pos : end]
            self._advance(end + 1 - self.pos)
            if line.strip() == anchor:
                break
            lines.append(line)
        if indented and lines:
            margin = min((len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()), default=0)
            lines = [x[margin:] for x in lines]
        # HCL1 keeps the newline before the closing anchor: `<<EOF\nread\nEOF` is "read\n".
        return "".join(x + "\n" for x in lines)


class _Parser:
    """HCL1's recursive-descent parser (hcl/parser/parser.go), keeping every duplicate key."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _take(self) -> _Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    @staticmethod
    def _error(token: _Token, message: str) -> PolicyParseError:
        return PolicyParseError(f"not valid HCL: line {token.line}: {message}")

    def document(self) -> ObjectNode:
        items = self._object_list(inside_braces=False)
        return ObjectNode(tuple(items), 1)

    def _object_list(self, inside_braces: bool) -> list[Item]:
        items: list[Item] = []
        while True:
            token = self._peek()
            if token.kind == "EOF":
                if inside_braces:
                    raise self._error(token, "object expected closing '}'")
                return items
            if inside_braces and token.kind == "RBRACE":
                return items
            items.append(self._item())
            if self._peek().kind == "COMMA":
                self._take()

    def _item(self) -> Item:
        keys: list[str] = []
        first = self._peek()
        while True:
            token = self._take()
            if token.kind in ("IDENT", "STRING"):
                keys.append(token.text)
                continue
            if token.kind == "ASSIGN":
                if not keys:
                    raise self._error(token, "no object keys found")
                if len(keys) > 1:
                    raise self._error(token, "nested object expected: '{' after more than one key")
                return Item(tuple(keys), self._value(), first.line)
            if token.kind == "LBRACE":
                if not keys:
                    raise self._error(token, "expected a key before '{'")
                return Item(tuple(keys), self._object(token), first.line)
            if token.kind == "EOF" and keys:
                raise self._error(token, f"key {' '.join(keys)!r} expected start of object ('{{') or '='")
            raise self._error(token, f"unexpected {token.text or token.kind!r} where a key was expected")

    def _object(self, brace: _Token) -> ObjectNode:
        items = self._object_list(inside_braces=True)
        self._take()  # the closing brace
        return ObjectNode(tuple(items), brace.line)

    def _value(self) -> Node:
        token = self._take()
        if token.kind in ("STRING", "HEREDOC"):
            return Literal("string", token.text, token.line)
        if token.kind == "NUMBER":
            return Literal("number", token.text, token.line)
        if token.kind == "FLOAT":
            return Literal("float", token.text, token.line)
        if token.kind == "BOOL":
            return Literal("bool", token.text == "true", token.line)
        if token.kind == "LBRACE":
            return self._object(token)
        if token.kind == "LBRACK":
            return self._list(token)
        raise self._error(token, f"unexpected {token.text or token.kind!r} where a value was expected")

    def _list(self, bracket: _Token) -> ListNode:
        items: list[Node] = []
        need_comma = False
        while True:
            token = self._peek()
            if token.kind == "RBRACK":
                self._take()
                return ListNode(tuple(items), bracket.line)
            if token.kind == "COMMA":
                self._take()
                need_comma = False
                continue
            if need_comma:
                raise self._error(token, "error parsing list, expected comma or list end")
            if token.kind == "EOF":
                raise self._error(token, "list not terminated")
            items.append(self._value())
            need_comma = True


def parse_hcl(text: str) -> ObjectNode:
    return _Parser(_Scanner(text).tokens()).document()


class _JsonObject(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, duplicates kept; told apart from a JSON array."""


def _flatten(node: ObjectNode) -> ObjectNode:
    """HCL1's JSON flattening (json/parser/flatten.go): `{"path": {"a": {...}}}` becomes `path "a" {...}`."""
    out: list[Item] = []
    for item in node.items:
        out += _flatten_item(item)
    return ObjectNode(tuple(out), node.line)


def _flatten_item(item: Item) -> list[Item]:
    value = item.value
    if (
        isinstance(value, ObjectNode)
        and value.items
        and all(isinstance(i.value, ObjectNode) for i in value.items)
    ):
        return [
            expanded
            for sub in value.items
            for expanded in _flatten_item(Item(item.keys + sub.keys, sub.value, item.line))
        ]
    if isinstance(value, ListNode) and value.items and all(isinstance(v, ObjectNode) for v in value.items):
        return [
            expanded for sub in value.items for expanded in _flatten_item(Item(item.keys, sub, item.line))
        ]
    if isinstance(value, ObjectNode):
        return [Item(item.keys, _flatten(value), item.line)]
    if isinstance(value, ListNode):
        return [Item(item.keys, _flatten_list(value), item.line)]
    return [item]


def _flatten_list(node: ListNode) -> ListNode:
    return ListNode(tuple(_flatten(v) if isinstance(v, ObjectNode) else v for v in node.items), node.line)


def parse_json(text: str) -> ObjectNode:
    try:
        raw = json.loads(text, object_pairs_hook=_JsonObject)
    except ValueError as error:
        raise PolicyParseError(f"not valid JSON: {error}") from error
    root = _convert(raw)
    if not isinstance(root, ObjectNode):
        raise PolicyParseError("a JSON policy must be an object")
    return _flatten(root)


def _convert(value: Any) -> Node:
    if isinstance(value, _JsonObject):
        return ObjectNode(tuple(Item((key,), _convert(val), 1) for key, val in value), 1)
    if isinstance(value, list):
        return ListNode(tuple(_convert(v) for v in value), 1)
    if isinstance(value, bool):
        return Literal("bool", value, 1)
    if isinstance(value, int):
        return Literal("number", str(value), 1)
    if isinstance(value, float):
        return Literal("float", repr(value), 1)
    # JSON null reads as an empty string in HCL1 (token.Value of an empty STRING).
    return Literal("string", "" if value is None else str(value), 1)


def parse_document(text: str) -> ObjectNode:
    """The policy document as HCL1 sees it: JSON when the text starts with `{`, HCL otherwise."""
    return parse_json(text) if text.lstrip().startswith("{") else parse_hcl(text)
