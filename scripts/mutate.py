"""Mutation-test one module set of tests/mutation.toml with mutmut 3, and print its score per module.

    .venv/bin/python scripts/mutate.py SET [--jobs N] [--fresh] [--rerun-survivors] [MUTANT_PATTERN ...]

mutmut reads its configuration from ./pyproject.toml and works in ./mutants, so each set runs in its
own copy of the checkout, `.mutation/SET/` (git-ignored): the copy's pyproject.toml carries the set's
`[tool.mutmut]` table. Files are copied only when their content changed, so a second run reuses the
mutants and results of the first (mutmut re-runs what a source change invalidated); `--fresh` starts
over. `--rerun-survivors` runs the survivors of the last run again (after writing tests for them).
MUTANT_PATTERNs (e.g. `infra.config.x_parse_duration*`) restrict the run to those mutants.

The score counts every mutant of the set: killed (a selected test failed), timeout (the mutant made a
test loop: detected), survived, and "no tests" (no selected test reached the mutated function: a
survivor too). See tests/README.md "Mutation testing".
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SETS = REPO / "tests" / "mutation.toml"
WORK = REPO / ".mutation"
MUTMUT = Path(sys.executable).parent / "mutmut"
# Everything a test may read besides the mutated sources (mutmut copies tests/ itself).
ALSO_COPY = [
    "infra/", "policies/", "Pulumi.yaml", "Pulumi.local.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml",
    "README.md", "docs/", "bench/", ".github/", "scripts/", "constraints.txt", "requirements.txt",
]  # fmt: skip
RUN_ARGS = ["-m", "not integration", "-p", "no:cacheprovider", "-q"]
_RESULT = re.compile(r"^\s+(?P<name>\S+): (?P<status>.+)$")


def load_set(name: str) -> dict:
    sets = tomllib.loads(SETS.read_text())
    if name not in sets:
        raise SystemExit(f"unknown set {name!r}; sets in {SETS.relative_to(REPO)}: {', '.join(sets)}")
    return dict(sets[name])


def toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def mutmut_table(spec: dict) -> str:
    table = {
        "also_copy": ALSO_COPY,
        "pytest_add_cli_args": RUN_ARGS + [a for d in spec.pop("deselect", []) for a in ("--deselect", d)],
        **spec,
    }
    return "[tool.mutmut]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in table.items())


def with_table(pyproject: str, table: str) -> str:
    """The project's pyproject.toml with its [tool.mutmut] table (the policy engine's) replaced."""
    kept, skipping = [], False
    for line in pyproject.splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.strip() == "[tool.mutmut]"
        if not skipping:
            kept.append(line)
    return "".join(kept).rstrip("\n") + "\n\n" + table


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    return [name for name in out.decode().split("\0") if name]


def sync(work: Path, pyproject: str) -> None:
    """Mirror the checkout into `work`, touching only changed files (mutmut compares mtimes)."""
    wanted = set()
    for name in tracked_files():
        source, target = REPO / name, work / name
        if not source.is_file():
            continue
        wanted.add(target)
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for stale in [p for p in work.rglob("*") if p.is_file() and "mutants" not in p.relative_to(work).parts]:
        if stale not in wanted and stale.name != "pyproject.toml" and "__pycache__" not in stale.parts:
            stale.unlink()
    target = work / "pyproject.toml"
    if not target.is_file() or target.read_text() != pyproject:
        target.write_text(pyproject)
    # mutmut copies tests/ into mutants/ over what is there: a deleted file (an old golden) would stay.
    shutil.rmtree(work / "mutants" / "tests", ignore_errors=True)
    # A run interrupted while mutmut rewrote a module's results leaves its .meta empty, and mutmut then
    # stops on the JSON error: without it, that module's mutants are simply run again.
    for meta in (work / "mutants").rglob("*.meta"):
        if meta.stat().st_size == 0:
            meta.unlink()


def results(work: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=work, check=True, capture_output=True, text=True
    ).stdout
    return {m["name"]: m["status"] for line in out.splitlines() if (m := _RESULT.match(line))}


def module_of(mutant: str) -> str:
    # infra.config.x_parse_duration__mutmut_3, infra.config.xǁTlsConfigǁcheck__mutmut_1
    return re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0]


def selected(mutants: dict[str, str], patterns: list[str]) -> dict[str, str]:
    if not patterns:
        return mutants
    rx = re.compile("|".join(re.escape(p).replace(r"\*", ".*") for p in patterns))
    return {name: status for name, status in mutants.items() if rx.fullmatch(name)}


def report(mutants: dict[str, str]) -> str:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in mutants.items():
        by_module[module_of(name)][status] += 1
    total_counts: Counter[str] = Counter()
    lines = [
        f"{'module':32} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} {'no tests':>8}  score"
    ]
    for module, counts in sorted(by_module.items()):
        total_counts.update(counts)
        lines.append(_row(module, counts))
    lines.append(_row("total", total_counts))
    return "\n".join(lines)


def _row(label: str, counts: Counter[str]) -> str:
    total = sum(counts.values())
    detected = counts["killed"] + counts["timeout"]
    score = f"{100 * detected / total:.1f}%" if total else "-"
    return (
        f"{label:32} {total:>7} {counts['killed']:>7} {counts['timeout']:>7} "
        f"{counts['survived']:>8} {counts['no tests']:>8}  {score}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("set", help="a table of tests/mutation.toml")
    parser.add_argument("patterns", nargs="*", help="only these mutants (mutmut name patterns)")
    parser.add_argument("--jobs", type=int, default=2, help="mutmut --max-children (default 2)")
    parser.add_argument("--fresh", action="store_true", help="discard the previous run's mutants and results")
    parser.add_argument("--rerun-survivors", action="store_true", help="run the last run's survivors again")
    parser.add_argument("--report", action="store_true", help="only print the last run's score")
    args = parser.parse_args(argv)

    spec = load_set(args.set)
    # `mutants` is the runner's own key: which functions of the sources the score is about.
    scope = list(spec.pop("mutants", []))
    work = WORK / args.set
    if args.fresh:
        shutil.rmtree(work / "mutants", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    sync(work, with_table((REPO / "pyproject.toml").read_text(), mutmut_table(spec)))

    if not args.report:
        names = list(args.patterns) or scope
        if args.rerun_survivors:
            last = selected(results(work), names)
            names = sorted(n for n, status in last.items() if status in ("survived", "no tests"))
            if not names:
                print("no survivors to re-run")
        started = time.monotonic()
        if names or not args.rerun_survivors:
            command = ["nice", "-n", "10", str(MUTMUT), "run", "--max-children", str(args.jobs), *names]
            subprocess.run(command, cwd=work, check=True)
        print(f"\nmutation run: {time.monotonic() - started:.0f}s")
    mutants = selected(results(work), list(args.patterns) or scope)
    print(report(mutants))
    survivors = sorted(name for name, status in mutants.items() if status not in ("killed", "timeout"))
    if survivors:
        print(f"\n{len(survivors)} not detected (`cd {work.relative_to(REPO)} && {MUTMUT} show NAME`):")
        print("\n".join(f"  {name}: {mutants[name]}" for name in survivors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
