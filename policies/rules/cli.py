"""`vaultctl lint-policy PATH...`: lint Vault ACL policy files.

Exit 0 clean, 1 on any unexempted violation, 2 when any input is missing or not a valid Vault policy.
A directory argument lints the *.hcl and *.json files directly inside it. A file's stem is its policy name
(so `svc-billing.hcl` is judged as service billing's policy).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from policies.rules.findings import PolicyParseError
from policies.rules.lint import lint_policy_text
from policies.rules.tenancy import DEFAULT_CONTEXT

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_INVALID = 0, 1, 2


def _expand(arguments: list[str]) -> list[Path]:
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        paths += (
            sorted(p for p in path.iterdir() if p.suffix in (".hcl", ".json")) if path.is_dir() else [path]
        )
    return paths


def lint_cli(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="vaultctl lint-policy", description="Lint Vault ACL policy files (HCL or JSON)."
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="policy file, or a directory of policy files"
    )
    parser.add_argument(
        "--app-mount", action="append", default=[], metavar="PATTERN",
        help="a mount (glob) that belongs to one application as a whole, e.g. 'secret-*' (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--namespace", action="append", default=[], metavar="NS", help="a namespace path in use (repeatable)"
    )
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_INVALID if exit_.code else EXIT_CLEAN
    context = DEFAULT_CONTEXT.with_app_mounts(arguments.app_mount).with_namespaces(arguments.namespace)
    invalid = violations = False
    for path in _expand(arguments.paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(f"{path}: parse error: cannot read: {error}", file=err)
            invalid = True
            continue
        try:
            findings = lint_policy_text(text, str(path), context=context, name=path.stem)
        except PolicyParseError as error:
            print(f"{path}: parse error: {error}", file=err)
            invalid = True
            continue
        for finding in findings:
            if finding.exempted:
                print(f"{path}: {finding.rule_id}: exempted: {finding.reason}", file=out)
            elif finding.advisory:
                print(f"{path}: {finding.rule_id}: info: {finding.message}", file=out)
            else:
                print(f"{path}: {finding.rule_id}: {finding.message}", file=out)
                violations = True
    if invalid:
        return EXIT_INVALID
    return EXIT_VIOLATIONS if violations else EXIT_CLEAN
