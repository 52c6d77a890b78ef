"""The Cloud Logging query evaluator: each documented behaviour it relies on, and refusals of what it
does not implement (so an unsupported filter fails loudly instead of matching wrongly)."""

from __future__ import annotations

import pytest

from infra.alarms.logquery import QueryError, extract, fields, matches, parse, resolve

ENTRY = {
    "resource": {"type": "k8s_container", "labels": {"namespace_name": "vault"}},
    "jsonPayload": {
        "type": "response",
        "auth": {
            "policies": ["kv-own-read", "svc-ai-gateway"],
            "display_name": "kubernetes-ai-gateway",
            "metadata": {"role": "ai-gateway"},
        },
        "request": {
            "path": "kv/data/ai/providers/openai/ai-gateway",
            "operation": "read",
            "remote_address": "10.1.2.3",
        },
        "error": "1 error occurred:\n\t* permission denied\n\n",
        "count": 3,
        "flag": False,
    },
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('jsonPayload.type="response"', True),
        ('jsonPayload.type="RESPONSE"', True),  # string comparisons ignore case
        ('jsonPayload.type="request"', False),
        ('jsonPayload.typ="response"', False),  # a field the entry lacks: false
        ('jsonPayload.auth.policies="svc-ai-gateway"', True),  # repeated field: any element
        ('jsonPayload.auth.policies="svc-ai"', False),  # `=` is equality, not substring
        ('jsonPayload.auth.policies:"svc-ai"', True),  # `:` is has (substring)
        ('jsonPayload.error:"PERMISSION DENIED"', True),
        ("jsonPayload.error:*", True),
        ("jsonPayload.response.data.error:*", False),
        ("NOT jsonPayload.response.data.error:*", True),
        ('jsonPayload.request.path=~"^kv/data/ai/providers/"', True),
        ('jsonPayload.request.path=~"^KV/data"', False),  # regular expressions keep case
        ('jsonPayload.request.path=~"providers"', True),  # unanchored: matches anywhere
        ('jsonPayload.request.path!~"^sys/"', True),
        ('jsonPayload.nothing!~"^sys/"', False),  # negated operators need the field
        ('NOT jsonPayload.nothing=~"^sys/"', True),  # ...unlike NOT
        ('jsonPayload.request.operation!="update"', True),
        ('jsonPayload.nothing!="update"', False),
        ("jsonPayload.count=3", True),
        ("jsonPayload.flag=false", True),
        ('jsonPayload.auth="x"', False),  # an object compares to nothing
        ('resource.labels.namespace_name="vault" AND jsonPayload.auth.metadata.role="ai-gateway"', True),
        ('jsonPayload.type="request" OR jsonPayload.type="response"', True),
        # OR binds tighter than AND: a AND (b OR c), not (a AND b) OR c.
        ('jsonPayload.type="request" AND jsonPayload.type="x" OR jsonPayload.type="response"', False),
        ('(jsonPayload.type="request" AND jsonPayload.type="x") OR jsonPayload.type="response"', True),
        ('NOT jsonPayload.type="request" AND NOT jsonPayload.type="x"', True),
        ('NOT (jsonPayload.type="response" OR jsonPayload.type="x")', False),
    ],
)
def test_semantics(query: str, expected: bool) -> None:
    assert matches(query, ENTRY) is expected


@pytest.mark.parametrize(
    "query",
    [
        'jsonPayload.type="a" jsonPayload.type="b"',  # implicit AND
        '"permission denied"',  # global restriction
        'jsonPayload.type="a" AND',
        '(jsonPayload.type="a"',
        "jsonPayload.type=*",  # `*` only with `:`
        'jsonPayload.count>"3"',
        'jsonPayload.request.path=~"(?=x)"',  # lookahead: Python only, not RE2
        r'jsonPayload.request.path=~"(a)\\1"',  # a backreference (`\\` is one backslash in a literal)
        'jsonPayload.type="a" and jsonPayload.type="b"',  # operators are capitals
    ],
)
def test_unsupported_or_malformed_queries_are_refused(query: str) -> None:
    with pytest.raises((QueryError, ValueError)):
        parse(query)


def test_quoted_segments_and_escapes() -> None:
    entry = {"labels": {"k8s-pod/app": "vault"}, "jsonPayload": {"msg": 'say "hi"'}}
    assert matches('labels."k8s-pod/app"="vault"', entry)
    assert matches('jsonPayload.msg="say \\"hi\\""', entry)


def test_fields_lists_every_path_including_negated_ones() -> None:
    query = 'a.b="x" AND NOT (c.d:* OR e=~"y")'
    assert fields(query) == {"a.b", "c.d", "e"}


def test_resolve_fans_out_over_arrays() -> None:
    entry = {"a": [{"b": "x"}, {"b": ["y", "z"]}, {"c": 1}]}
    assert resolve(entry, ("a", "b")) == ["x", "y", "z"]
    assert resolve(entry, ("a", "missing")) == []


def test_label_extractors() -> None:
    assert extract(ENTRY, "EXTRACT(jsonPayload.request.remote_address)") == "10.1.2.3"
    assert extract(ENTRY, 'REGEXP_EXTRACT(jsonPayload.request.path, "^kv/data/([^/]+)/")') == "ai"
    assert extract(ENTRY, "EXTRACT(jsonPayload.request.nothing)") is None
    with pytest.raises(QueryError):
        extract(ENTRY, "SPLIT(jsonPayload.request.path)")
