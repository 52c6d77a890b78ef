"""`vaultctl plan --stack NAME`: an offline preview for machines without the Pulumi CLI or cloud access.

Runs the same program as `pulumi preview` under the SDK's mocks, prints every declared resource with
its inputs (secrets masked as `[secret]`, long text summarized), a count by type, then the policy
findings. Exit 0 when clean, 1 on a config error or an unexempted policy violation.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

from infra.config import ConfigError
from infra.harness import DeclaredResource, mask, run_program, unwrap

_MAX_VALUE = 160


def _show(value: Any) -> str:
    if isinstance(value, str) and "\n" in value:
        digest = hashlib.sha256(value.encode()).hexdigest()[:12]
        return f"<{value.count(chr(10)) + 1} lines, sha256:{digest}>"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def format_resource(resource: DeclaredResource) -> list[str]:
    lines = [f"+ {resource.type}  {resource.name}"]
    for key, value in sorted(mask(dict(resource.inputs)).items()):
        if value in (None, "", [], {}):
            continue
        lines.append(f"    {key}: {_show(value)}")
    return lines


def findings_for(resources: Iterable[DeclaredResource]) -> list[Any]:
    from policies.rules import check_resource

    found = []
    for resource in resources:
        if resource.custom:
            found += check_resource(resource.type, resource.name, unwrap(dict(resource.inputs)))
    return found


def plan(stack: str, out: TextIO, err: TextIO) -> int:
    try:
        resources = run_program(stack)
    except ConfigError as error:
        print(f"vaultctl plan: stack {stack}: {error}", file=err)
        return 1
    for resource in resources:
        print("\n".join(format_resource(resource)), file=out)
    counts = Counter(r.type for r in resources)
    print(f"\n{len(resources)} resources in stack {stack}:", file=out)
    for type_token, count in sorted(counts.items()):
        print(f"  {count:4d}  {type_token}", file=out)

    findings = findings_for(resources)
    violations = [f for f in findings if f.violation]
    notices = [f for f in findings if f.advisory]
    print(
        f"\npolicy findings: {len(violations)} violation(s), "
        f"{len(findings) - len(violations) - len(notices)} exempted",
        file=out,
    )
    for finding in violations:
        print(f"  {finding.subject}: {finding.rule_id}: {finding.message}", file=out)
    # Advisory findings (declared cross-service shares) are listed for review, never counted.
    for finding in notices:
        print(f"  {finding.subject}: {finding.rule_id}: info: {finding.message}", file=out)
    # One line per exemption, not per path it covers: the reason is what a reviewer reads.
    exempted = Counter((f.subject, f.rule_id, f.reason) for f in findings if f.exempted)
    for (subject, rule_id, reason), count in sorted(exempted.items()):
        print(f"  {subject}: {rule_id}: exempted ({count} path(s)): {reason}", file=out)
    return 1 if violations else 0
