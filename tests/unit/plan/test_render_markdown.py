"""The PR comment: whatever a PR puts in names and values stays data (code), and the comment fits."""

from __future__ import annotations

import re

from infra.plan import render_markdown
from infra.plan.model import Snapshot
from infra.plan.report import Against, FindingSummary, Report, build
from tests.unit.plan.records import K8S_ROLE, KV_OWN, POLICY, k8s_role, policy, rec, snap

HOSTILE = "x`|<img src=x onerror=alert(1)>@octocat [link](https://evil.example) ```\n</details>"


def _outside_code(markdown: str) -> str:
    """The markdown with fenced blocks and inline code spans removed (CommonMark's matching rules)."""
    out, lines, fence = [], markdown.splitlines(), ""
    for line in lines:
        if fence:
            if line.strip() == fence:
                fence = ""
            continue
        opening = re.match(r"^(`{3,})", line)
        if opening:
            fence = opening.group(1)
            continue
        out.append(line)
    text = "\n".join(out)
    # Inline spans: a run of N backticks up to the next run of exactly N.
    return re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", text)


def _hostile_report() -> Report:
    old = snap(policy("p", KV_OWN))
    new = snap(
        rec(POLICY, "policy-" + HOSTILE, {"name": "p2", "policy": HOSTILE}),
        policy("p", KV_OWN.replace('"read"', '"read", "list"')),
        rec(K8S_ROLE, HOSTILE, {"backend": HOSTILE, "roleName": HOSTILE, "tokenPolicies": ["p"]}),
    )
    return build("local", new, [], Against("HEAD~1", "a" * 40, old))


def test_hostile_names_and_values_render_only_as_code() -> None:
    markdown = render_markdown.render(_hostile_report())
    assert "onerror" in markdown  # the value is shown...
    prose = _outside_code(markdown)
    # ...but never as markup: no HTML, mention or link outside code, and our own <details> stay balanced.
    for bad in ("<img", "@octocat", "](https://evil", "onerror"):
        assert bad not in prose, bad
    assert prose.count("<details>") == prose.count("</details>") == 4


def test_table_rows_keep_their_columns() -> None:
    markdown = render_markdown.render(_hostile_report())
    for line in markdown.splitlines():
        if line.startswith("| "):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (6, 7), line  # 4 or 5 columns (+ the empty edges)


def test_diagram_labels_are_sanitized_and_changes_highlighted() -> None:
    markdown = render_markdown.render(_hostile_report())
    diagram = markdown.split("```mermaid\n")[1].split("\n```")[0]
    for label in re.findall(r'"([^"]*)"', diagram):
        assert re.fullmatch(r"[A-Za-z0-9 _./:*+,@-]*", label), label
    assert "linkStyle" in diagram and "classDef" in diagram


def test_the_check_above_can_fail() -> None:
    # An unescaped span or fence would leak the markup into the prose the check inspects.
    assert "<img" in _outside_code("a `b` <img src=x>")
    assert "<img" not in _outside_code("```\n<img>\n```")


def test_a_large_change_fits_in_one_pr_comment() -> None:
    roles = [k8s_role(f"svc-{i:04d}", ["p"], f"ns-{i:04d}", f"sa-{i:04d}") for i in range(3000)]
    policies = [policy("p", 'path "kv/data/shared/*" { capabilities = ["read"] }\n')]
    report = build("prod", Snapshot.from_records([*policies, *roles]), [], Against("main", "b" * 40, snap()))
    markdown = render_markdown.render(report)
    assert len(markdown) < 65_536  # GitHub's comment limit
    assert "more resources not shown" in markdown
    assert "left out to fit a PR comment" in markdown


def test_violations_are_at_the_top() -> None:
    class F:
        subject, rule_id, message, exempted, reason = (
            "vault:index/policy:Policy p",
            "VP-ACL-001",
            "too wide",
            False,
            "",
        )

    report = build("local", snap(), [F()])
    assert isinstance(report.findings, FindingSummary)
    markdown = render_markdown.render(report)
    assert markdown.index("1 policy violation(s)") < markdown.index("#### Effective permissions")
