"""`vaultctl lint-policy PATH...`: lint Vault ACL policy files.

Exit 0 clean, 1 on any unexempted violation, 2 when any input is missing or not a valid Vault policy.
A directory argument lints the *.hcl files directly inside it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from policies.rules.findings import PolicyParseError
from policies.rules.lint import lint_policy_text

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_INVALID = 0, 1, 2


def _expand(arguments: list[str]) -> list[Path]:
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        paths += sorted(path.glob("*.hcl")) if path.is_dir() else [path]
    return paths


def lint_cli(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="vaultctl lint-policy", description="Lint Vault ACL policy HCL files."
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="policy file, or a directory of *.hcl files")
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_INVALID if exit_.code else EXIT_CLEAN
    invalid = violations = False
    for path in _expand(arguments.paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(f"{path}: parse error: cannot read: {error}", file=err)
            invalid = True
            continue
        try:
            findings = lint_policy_text(text, str(path))
        except PolicyParseError as error:
            print(f"{path}: parse error: {error}", file=err)
            invalid = True
            continue
        for finding in findings:
            if finding.exempted:
                print(f"{path}: {finding.rule_id}: exempted: {finding.reason}", file=out)
            else:
                print(f"{path}: {finding.rule_id}: {finding.message}", file=out)
                violations = True
    if invalid:
        return EXIT_INVALID
    return EXIT_VIOLATIONS if violations else EXIT_CLEAN
