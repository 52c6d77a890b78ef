"""HCL1 and JSON read as the server reads them (hashicorp/hcl v1, the parser Vault and OpenBao use)."""

from __future__ import annotations

import re

import pytest

from policies.rules import PolicyParseError
from policies.rules.hcl1 import ListNode, Literal, ObjectNode, parse_document, parse_hcl, parse_json


def _keys(node: ObjectNode) -> list[tuple[str, ...]]:
    return [item.keys for item in node.items]


def test_blocks_and_attributes_keep_every_key_in_order() -> None:
    doc = parse_hcl('path "a" { capabilities = ["read"] }\npath "a" {}\nname = "x"')
    assert _keys(doc) == [("path", "a"), ("path", "a"), ("name",)]


def test_newlines_between_tokens_do_not_matter() -> None:
    doc = parse_hcl('path\n"a"\n{\ncapabilities\n=\n[\n"read"\n,\n]\n}')
    (item,) = doc.items
    assert item.keys == ("path", "a")
    assert isinstance(item.value, ObjectNode)
    (capabilities,) = item.value.items
    assert capabilities.value == ListNode((Literal("string", "read", 7),), 6)


def test_items_may_share_a_line_or_be_comma_separated() -> None:
    doc = parse_hcl('a = 1 b = 2, c = "3"')
    assert [(i.keys, i.value.value) for i in doc.items if isinstance(i.value, Literal)] == [
        (("a",), "1"),
        (("b",), "2"),
        (("c",), "3"),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (r'x = "a\"b"', 'a"b'),
        (r'x = "tab\there"', "tab\there"),
        (r'x = "\u00e9\x41\101"', "éAA"),
        ('x = "${ "{" } }"', '${ "{" } }'),  # interpolation kept verbatim, quotes inside allowed
        ("x = <<EOF\nread\nEOF\n", "read\n"),  # the server keeps the heredoc's last newline
        ("x = <<-EOF\n    a\n    b\n  EOF\n", "a\nb\n"),
    ],
)
def test_string_values(text: str, value: str) -> None:
    (item,) = parse_hcl(text).items
    assert isinstance(item.value, Literal) and item.value.value == value


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [("x = 10", "number", "10"), ("x = -3", "number", "-3"), ("x = 0x1F", "number", "0x1F"),
     ("x = 1.5", "float", "1.5"), ("x = 1e3", "float", "1e3"), ("x = true", "bool", True),
     ("x = false", "bool", False)],
)  # fmt: skip
def test_scalar_values(text: str, kind: str, value: object) -> None:
    (item,) = parse_hcl(text).items
    assert isinstance(item.value, Literal) and (item.value.kind, item.value.value) == (kind, value)


def test_comments_in_every_style_are_skipped() -> None:
    doc = parse_hcl("# a\n// b\n/* c\n d */ x = 1 # e\n")
    assert _keys(doc) == [("x",)]


def test_identifiers_may_hold_dashes_and_dots() -> None:
    (item,) = parse_hcl("path kv-v2.x { }").items
    assert item.keys == ("path", "kv-v2.x")


def test_nested_lists_and_objects() -> None:
    (item,) = parse_hcl('x = [[1, 2], {a = 1}, "s"]').items
    assert isinstance(item.value, ListNode)
    kinds = [type(node).__name__ for node in item.value.items]
    assert kinds == ["ListNode", "ObjectNode", "Literal"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('path "a" { capabilities = ["read" }', "expected comma or list end"),
        ('path "a" {', "closing '}'"),
        ('path "a" "b" = {}', "nested object expected"),
        ("= 1", "no object keys found"),
        ('path "a"', "expected start of object"),
        ("x = ", "where a value was expected"),
        ('x = "unterminated', "literal not terminated"),
        ('x = "a\nb"', "literal not terminated"),
        ("x = 1 /* open", "comment not terminated"),
        ("x = 1 / 2", "expected '/' for comment"),
        ("x = @", "illegal character"),
        ('x = "\\q"', "illegal char escape"),
        ('x = "\\x4"', "illegal char escape"),
        ("x = <<EOF\nread\n", "heredoc not terminated"),
        ("x = <<\nEOF\n", "invalid heredoc anchor"),
        ("{ x = 1 }", "expected a key before"),
        ("x = [1,", "list not terminated"),
        ("x = 1\x00", "null character"),
    ],
)
def test_what_hcl1_refuses_is_a_parse_error(text: str, fragment: str) -> None:
    with pytest.raises(PolicyParseError, match="not valid HCL") as error:
        parse_hcl(text)
    message = str(error.value)
    assert message.startswith("not valid HCL: line ")
    assert re.search(rf"(: |\b){re.escape(fragment)}($|[ :'])", message), message


def test_errors_name_the_line() -> None:
    with pytest.raises(PolicyParseError, match="line 3"):
        parse_hcl('path "a" {\n  capabilities = ["read"]\n  x = @\n}')


def test_json_duplicate_keys_are_all_kept() -> None:
    doc = parse_json('{"path": {"a": {"capabilities": ["read"]}, "a": {"capabilities": ["sudo"]}}}')
    assert _keys(doc) == [("path", "a"), ("path", "a")]


def test_json_objects_of_objects_are_flattened_like_hcl1() -> None:
    doc = parse_json('{"path": [{"a": {"capabilities": []}}, {"b": {}}], "name": "n"}')
    assert _keys(doc) == [("path", "a"), ("path", "b"), ("name",)]
    first = doc.items[0].value
    assert isinstance(first, ObjectNode) and first.items[0].value == ListNode((), 1)


def test_json_keeps_mixed_objects_unflattened_and_reads_scalars() -> None:
    doc = parse_json(
        '{"path": {"a": {"capabilities": ["read"]}, "comment": "x"}, "n": null, "f": 1.5, "t": true}'
    )
    assert _keys(doc) == [("path",), ("n",), ("f",), ("t",)]
    assert [i.value for i in doc.items[1:]] == [Literal("string", "", 1), Literal("float", "1.5", 1),
                                                 Literal("bool", True, 1)]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "fragment"), [("{not json", "not valid JSON"), ("[1]", "must be an object")]
)
def test_json_errors(text: str, fragment: str) -> None:
    with pytest.raises(PolicyParseError, match=fragment):
        parse_json(text)


def test_document_format_is_chosen_like_the_server_does() -> None:
    assert _keys(parse_document('  \n{"path": {"a": {}}}')) == [("path", "a")]
    assert _keys(parse_document('path "a" {}')) == [("path", "a")]


@pytest.mark.parametrize(
    ("escape", "value"),
    [("\\a", "\a"), ("\\b", "\b"), ("\\f", "\f"), ("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t"), ("\\v", "\v"),
     ("\\\\", "\\"), ('\\"', '"'), ("\\101", "A"), ("\\0", None), ("\\x41", "A"), ("\\x4", None),
     ("\\u00e9", "é"), ("\\u00e", None), ("\\U0001F600", "😀"), ("\\U0001F60", None), ("\\8", None),
     ("\\xZZ", None), ("\\1X2", None), ("\\179", None), ("\\19", None)],
)  # fmt: skip
def test_escapes_like_hcl1(escape: str, value: str | None) -> None:
    text = f'x = "a{escape}z"'
    if value is None:
        with pytest.raises(PolicyParseError, match="illegal char escape"):
            parse_hcl(text)
        return
    (item,) = parse_hcl(text).items
    assert isinstance(item.value, Literal) and item.value.value == f"a{value}z"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("x = <<EOF\nline one\n  indented\nEOF\n", "line one\n  indented\n"),
        ("x = <<EOF\n\nEOF\n", "\n"),
        ("x = <<EOF\nEOF\n", ""),
        ("x = <<EOF\na\n   EOF  \n", "a\n"),  # the closing anchor may be indented and padded
        ("x = <<EOF\nEOFX\nEOF\n", "EOFX\n"),  # only the anchor alone closes
        ("x = <<-EOT\n    a\n\n      b\n    EOT\n", "a\n\n  b\n"),  # smallest indent of non-blank lines
        ("x = <<-EOT\n\tone\nEOT\n", "one\n"),
        ("x = <<EOF\r\nread\nEOF\n", "read\n"),
        ("x = <<EOF_1\nv\nEOF_1\n", "v\n"),
        ("x = <<eof\nv\neof\n", "v\n"),
        ("x = <<EOF\n  a\n  b\nEOF\n", "  a\n  b\n"),  # only <<- removes the indent
        ("x = <<-EOF\n\n\nEOF\n", "\n\n"),
    ],
)
def test_heredocs_like_hcl1(text: str, value: str) -> None:
    (item,) = parse_hcl(text).items
    assert isinstance(item.value, Literal) and item.value.value == value


def test_heredoc_is_followed_by_more_items() -> None:
    doc = parse_hcl("x = <<EOF\nv\nEOF\ny = 1\n")
    assert _keys(doc) == [("x",), ("y",)]


def test_json_values_of_every_kind() -> None:
    doc = parse_json('{"a": [1, 2.5, "s", null, false, {"k": "v"}, []], "b": {}, "c": 7}')
    a, b, c = (item.value for item in doc.items)
    assert isinstance(a, ListNode)
    assert [type(v).__name__ for v in a.items] == ["Literal", "Literal", "Literal", "Literal", "Literal",
                                                   "ObjectNode", "ListNode"]  # fmt: skip
    assert [v.kind for v in a.items[:5] if isinstance(v, Literal)] == [
        "number",
        "float",
        "string",
        "string",
        "bool",
    ]
    assert [v.value for v in a.items[:5] if isinstance(v, Literal)] == ["1", "2.5", "s", "", False]
    assert b == ObjectNode((), 1) and c == Literal("number", "7", 1)


def test_json_flattening_recurses_while_every_value_is_an_object() -> None:
    # As HCL1's flattenObjects does: keys are concatenated as long as all values below are objects.
    doc = parse_json(
        '{"path": {"a": {"control_group": {"factor": {"f": {"x": 1}}}}}, "l": [{"m": {"n": {}}}]}'
    )
    assert _keys(doc) == [("path", "a", "control_group", "factor", "f"), ("l", "m", "n")]
    doc = parse_json(
        '{"path": {"a": {"capabilities": ["read"], "control_group": {"factor": {"f": {"x": 1}}}}}}'
    )
    (item,) = doc.items
    assert item.keys == ("path", "a") and isinstance(item.value, ObjectNode)
    assert [entry.keys for entry in item.value.items] == [("capabilities",), ("control_group", "factor", "f")]


def test_json_list_of_scalars_and_objects_is_not_flattened() -> None:
    doc = parse_json('{"l": [{"a": {}}, 1]}')
    assert _keys(doc) == [("l",)]
    inner = doc.items[0].value
    assert isinstance(inner, ListNode) and isinstance(inner.items[0], ObjectNode)
    assert inner.items[0].items[0].keys == ("a",)


def test_comments_at_the_very_end_and_comment_markers_inside_strings() -> None:
    assert _keys(parse_hcl("x = 1 # trailing, no newline")) == [("x",)]
    assert _keys(parse_hcl("x = 1 // trailing")) == [("x",)]
    doc = parse_hcl('x = "*/"\n/* c */\ny = "/*"')
    assert [item.value for item in doc.items] == [Literal("string", "*/", 1), Literal("string", "/*", 3)]
