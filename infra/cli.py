"""`vaultctl`: the operator command. Each subcommand lives in the module that owns its concern."""

from __future__ import annotations

import argparse
import sys

from infra.harness import stack_file


def _plan(args: argparse.Namespace) -> int:
    from infra.plan import plan

    return plan(args.stack, sys.stdout, sys.stderr, against=args.against, fmt=args.format)


def _lint_policy(args: argparse.Namespace) -> int:
    from policies.rules import lint_cli

    return lint_cli(args.paths)


def _delegate(module: str) -> object:
    def run(args: argparse.Namespace) -> int:
        import importlib

        return importlib.import_module(module).main(args.rest)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaultctl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "plan",
        help="offline preview: run the program under mocks, print resources + findings; "
        "with --against REF, the diff from REF (resources, replacements, effective permissions)",
    )
    p.add_argument("--stack", required=True, help="prod, staging or local")
    p.add_argument(
        "--against",
        metavar="GIT-REF",
        help="diff against this commit's program and stack file (e.g. HEAD~1, origin/main)",
    )
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (terminal), markdown (PR comment), json",
    )
    p.set_defaults(func=_plan)

    p = sub.add_parser("lint-policy", help="lint Vault ACL policy files: PATH: RULE-ID: message")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=_lint_policy)

    for name, module, text in (
        ("local", "infra.local.cli", "the local environment: up | status | down"),
        (
            "init",
            "infra.ops.cli_init",
            "initialize a fresh cluster (recovery keys, deployer role, root revoked)",
        ),
        ("snapshot", "infra.ops.cli_snapshot", "Raft snapshots: save | restore"),
        ("verify", "infra.ops.cli_verify", "post-deploy checks against VAULT_ADDR"),
        ("roll", "infra.ops.roll", "rolling restart, standbys first, leader after step-down (--local)"),
        ("dr", "infra.ops.dr", "disaster recovery: plan (the runbook's commands with the stack's URNs)"),
        ("keys", "infra.ops.keys", "model-provider keys: status (age, overdue) | rotate (verify, roll back)"),
    ):
        p = sub.add_parser(name, help=text, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=_delegate(module))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Delegated commands own their options (`vaultctl verify --stack local`): argparse's REMAINDER
    # does not capture options that come first, so collect the unknown ones and hand them over.
    args, extra = parser.parse_known_args(argv)
    if hasattr(args, "rest"):
        args.rest = extra + args.rest
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "stack", None) and not stack_file(args.stack).is_file():
        print(
            f"vaultctl: no stack file Pulumi.{args.stack}.yaml (stacks: prod, staging, local)",
            file=sys.stderr,
        )
        return 2
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
