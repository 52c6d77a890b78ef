"""A rebuild from code installs the same dependencies and the same Pulumi CLI everywhere.

- constraints.txt (the lock) pins every dependency pyproject.toml declares, runtime and extras, and
  every transitive one, at a version pyproject allows;
- requirements.txt, what `pulumi install` reads (Pulumi.yaml: toolchain pip, virtualenv .venv),
  installs this project within the lock; scripts/setup.sh installs from the lock too;
- `.pulumi-version` is the one place the CLI version lives: every pulumi/actions step reads it, and it
  matches the `pulumi` SDK the lock pins (the CLI and the Python SDK are released together).
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from infra.harness import REPO_ROOT
from infra.ops import workflow_lint

PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)\s*(?:;\s*(?P<marker>.+))?$")


def _pins(text: str) -> dict[str, tuple[Version, str]]:
    """name -> (version, marker) for every `name==version [; marker]` line of a constraints file."""
    pins: dict[str, tuple[Version, str]] = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[canonicalize_name(match["name"])] = (Version(match["version"]), match["marker"] or "")
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        declared += [Requirement(r) for r in extra]
    return declared


LOCK = _pins((REPO_ROOT / "constraints.txt").read_text())


def test_pin_parser_reads_markers_and_ignores_comments():
    pins = _pins("# header\nfoo-bar==1.2.3\n    # via x\nbaz==2.0 ; sys_platform == 'win32'\n-e .\nqux>=1\n")
    assert pins == {"foo-bar": (Version("1.2.3"), ""), "baz": (Version("2.0"), "sys_platform == 'win32'")}


def test_the_lock_pins_every_declared_dependency_within_its_range():
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in LOCK, f"{requirement} is not pinned in constraints.txt (run scripts/lock.sh)"
        version, _marker = LOCK[name]
        assert requirement.specifier.contains(version, prereleases=True), (str(requirement), version)


def _closure() -> dict[str, str]:
    """Every distribution this project needs with all its extras, as installed here: name -> version."""
    env = default_environment()
    wanted = [(canonicalize_name("vault-platform"), frozenset({"test", "dev"}))]
    seen: dict[str, str] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    while wanted:
        name, extras = wanted.pop()
        if (name, extras) in done:
            continue
        done.add((name, extras))
        dist = metadata.distribution(name)
        seen[name] = dist.version
        for raw in dist.requires or []:
            requirement = Requirement(raw)
            if requirement.marker and not any(
                requirement.marker.evaluate({**env, "extra": extra}) for extra in (extras or {""})
            ):
                continue
            wanted.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    seen.pop(canonicalize_name("vault-platform"))
    return seen


def test_the_lock_pins_every_transitive_dependency_this_environment_has():
    """Walked from the installed project's metadata: nothing installed is missing from the lock, and
    what is installed is the locked version (setup.sh installs with `-c constraints.txt`)."""
    closure = _closure()
    assert len(closure) > 40  # the walk really followed the graph
    missing = sorted(set(closure) - set(LOCK))
    assert not missing, f"installed but not locked: {missing} (run scripts/lock.sh)"
    drift = {n: (v, str(LOCK[n][0])) for n, v in closure.items() if Version(v) != LOCK[n][0]}
    assert not drift, f"installed != locked: {drift} (re-run scripts/setup.sh)"


def test_pulumi_install_finds_its_inputs_from_a_fresh_clone():
    runtime = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())["runtime"]
    assert runtime["name"] == "python"
    assert runtime["options"] == {"toolchain": "pip", "virtualenv": ".venv"}
    # pip's toolchain runs `pip install -r requirements.txt` in the project root.
    lines = [
        line.strip()
        for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["-c constraints.txt", "-e ."], "the project, constrained to the lock, nothing else"
    tracked = {
        p.name
        for p in (
            REPO_ROOT / "requirements.txt",
            REPO_ROOT / "constraints.txt",
            REPO_ROOT / ".pulumi-version",
        )
    }
    assert tracked <= {p.name for p in REPO_ROOT.iterdir()}
    setup = (REPO_ROOT / "scripts" / "setup.sh").read_text()
    assert "pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,dev]'" in setup


def test_the_lock_names_no_download_address():
    text = (REPO_ROOT / "constraints.txt").read_text()
    assert "://" not in text and "--index-url" not in text and "--extra-index-url" not in text


def test_pulumi_gcp_stays_within_the_major_pyproject_allows():
    gcp = next(r for r in _declared() if canonicalize_name(r.name) == "pulumi-gcp")
    majors = {
        m for m in range(1, 30) for minor in (0, 999) if gcp.specifier.contains(Version(f"{m}.{minor}"))
    }
    locked = LOCK["pulumi-gcp"][0]
    assert len(majors) == 1, f"pulumi-gcp {gcp.specifier} spans majors {sorted(majors)}"
    assert locked.major in majors
    assert locked.major == Version(metadata.version("pulumi-gcp")).major


def _pulumi_version() -> str:
    return (REPO_ROOT / ".pulumi-version").read_text().strip()


def test_one_pinned_cli_version_matching_the_sdk():
    version = _pulumi_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    assert Version(version) == LOCK["pulumi"][0], "the CLI and the Python SDK are released together"


def test_every_workflow_uses_the_pinned_cli_version():
    steps = 0
    for path in workflow_lint.workflow_files([workflow_lint.WORKFLOWS]):
        text = path.read_text()
        assert not re.search(r"pulumi-version:", text), f"{path.name}: a CLI version outside .pulumi-version"
        assert "get.pulumi.com" not in text and "pip install pulumi" not in text, path.name
        for job in (yaml.safe_load(text).get("jobs") or {}).values():
            for step in job.get("steps") or []:
                if str(step.get("uses", "")).startswith("pulumi/actions@"):
                    steps += 1
                    assert step["with"]["pulumi-version-file"] == ".pulumi-version", path.name
    assert steps >= 10  # install + command in every stack job
