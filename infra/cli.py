"""`vaultctl`: the operator command. Each subcommand lives in the module that owns its concern."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from infra import stacks


def _plan(args: argparse.Namespace) -> int:
    from infra.harness import gc_paused
    from infra.plan import plan

    # The findings and the printing run over the same SDK-sized heap as the program: no collection
    # pauses for the whole command (see gc_paused).
    with gc_paused():
        return plan(
            args.stack,
            sys.stdout,
            sys.stderr,
            against=args.against,
            fmt=args.format,
            # --against reads REF from the project's own repository (the cwd's, or --cwd's).
            repo=stacks.project_root(),
        )


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
    parser.add_argument(
        "-C",
        "--cwd",
        type=Path,
        metavar="DIR",
        help="run as if started in DIR (as `pulumi --cwd`): stack names resolve from the Pulumi.yaml "
        "found there or above",
    )
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
        ("annotations", "infra.cluster.injector.cli", "pod annotations (Vault Agent Injector) for a service"),
    ):
        p = sub.add_parser(name, help=text, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=_delegate(module))
    return parser


def main(argv: list[str] | None = None) -> int:
    """The console script's entry (argv None: the process ends when this returns), or a caller's."""
    if argv is not None:
        return _main(argv)
    # A one-shot process over an SDK-sized heap: cyclic collections would rescan it again and again
    # while finding little to free (see harness.gc_paused), and the interpreter's final collection at
    # exit costs 1.4 s of CPU after a prod plan (bench/RESULTS.md); freezing the heap skips it. Nothing
    # is leaked: the process is ending. Callers passing argv (tests) keep a normal collector.
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.freeze()


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    # Delegated commands own their options (`vaultctl verify --stack local`): argparse's REMAINDER
    # does not capture options that come first, so collect the unknown ones and hand them over.
    args, extra = parser.parse_known_args(argv)
    if hasattr(args, "rest"):
        args.rest = extra + args.rest
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    cwd = (args.cwd or Path.cwd()).resolve()
    if args.cwd is not None and not cwd.is_dir():
        print(f"vaultctl: --cwd {args.cwd}: not a directory", file=sys.stderr)
        return 2
    # Stack names mean the stack files of the project you stand in (or --cwd), as for `pulumi -s`;
    # delegated commands (`verify --stack local`) resolve theirs the same way.
    with stacks.project(stacks.find_project(cwd)):
        if getattr(args, "stack", None):
            try:
                args.stack = _stack_arg(args.stack, cwd)
            except stacks.StackNotFound as err:
                print(f"vaultctl: {err}", file=sys.stderr)
                return 2
        return int(args.func(args))


def _stack_arg(stack: str, cwd: Path) -> str:
    """The checked stack argument: a name stays a name (now resolving in the project directory), a
    path becomes absolute (relative paths are relative to --cwd, as in Pulumi)."""
    path = stacks.resolve(stack, cwd)
    return str(path) if stacks.is_path(stack) else stack


if __name__ == "__main__":
    sys.exit(main())
