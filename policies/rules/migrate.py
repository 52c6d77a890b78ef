"""Rewrite whole-policy exemptions into the per-path form: `python -m policies.rules.migrate FILE...`.

`# lint:exempt RULE reason: text` becomes `# lint:exempt RULE path="P1" path="P2" reason="text"`, listing
the paths of that file where RULE fires today. A rule that fires nowhere keeps its line unchanged (the
linter reports it). Review the result: the point of per-path exemptions is that a reviewer sees each path.
Templates under policies/acl/ are linted with their `${placeholders}` as literal text, which is how their
exemption comments are rendered too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from policies.rules.exemptions import _EXEMPT
from policies.rules.findings import PolicyParseError
from policies.rules.lint import lint_policy_text

_LEGACY = re.compile(r"^(?P<indent>\s*(?:#|//)\s*)lint:exempt\s+(?P<rule>\S+)\s+reason\s*:\s*(?P<reason>.*)$")


def migrate_text(text: str, name: str | None = None) -> str:
    stripped = "\n".join("#" if _EXEMPT.match(line) else line for line in text.splitlines()) + "\n"
    try:
        findings = lint_policy_text(stripped, "migrate", name=name)
    except PolicyParseError:
        return text
    paths: dict[str, list[str]] = {}
    for finding in findings:
        if finding.path and finding.path not in paths.setdefault(finding.rule_id, []):
            paths[finding.rule_id].append(finding.path)
    out = []
    for line in text.splitlines(keepends=True):
        legacy = _LEGACY.match(line.rstrip("\n"))
        if legacy and paths.get(legacy.group("rule")) and '"' not in legacy.group("reason"):
            attributes = " ".join(f'path="{path}"' for path in paths[legacy.group("rule")])
            reason = legacy.group("reason").strip()
            newline = "\n" if line.endswith("\n") else ""
            line = f'{legacy.group("indent")}lint:exempt {legacy.group("rule")} {attributes} reason="{reason}"{newline}'
        out.append(line)
    return "".join(out)


def main(argv: list[str]) -> int:
    for argument in argv:
        path = Path(argument)
        text = path.read_text(encoding="utf-8")
        new = migrate_text(text, path.stem)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"{path}: exemptions rewritten per path; review them")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
