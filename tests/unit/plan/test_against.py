"""`vaultctl plan --against HEAD~1` end to end, in a temporary git repository holding this working tree.

Commits: base (with a sentinel database password in the local stack file), + a service, + a widened
policy template. Each run is a fresh `vaultctl` process whose code is the temporary repository's, so
the old tree really is another tree (the widening is only visible if the child reads REF's templates).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.harness import REPO_ROOT

SENTINEL = "sentinel-db-password-7c41d2"
PAYMENTS = """    - name: payments
      description: Payments API
      kubernetes: {namespace: payments, service_account: payments-api}
      kv: {own: read}
      database_role: readonly
"""
GIT = [
    "git",
    "-c",
    "user.name=plan-test",
    "-c",
    "user.email=plan-test@example.invalid",
    "-c",
    "commit.gpgsign=false",
]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        [*GIT, "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("plan-against") / "repo"
    files = _git(REPO_ROOT, "ls-files", "-co", "--exclude-standard").splitlines()
    for name in files:
        source = REPO_ROOT / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    stack = root / "Pulumi.local.yaml"
    text = stack.read_text()
    text = re.sub(r"password:\n\s+secure: .*\n", f"password: {SENTINEL}\n", text)
    assert SENTINEL in text
    stack.write_text(text)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    stack.write_text(text + PAYMENTS)
    _git(root, "commit", "-qam", "add the payments service")
    template = root / "policies/acl/kv-own-read.hcl"
    widened = template.read_text().replace('capabilities = ["read"]', 'capabilities = ["read", "list"]', 1)
    template.write_text(widened)
    _git(root, "commit", "-qam", "kv-own-read: list the own data path too")
    good = stack.read_text()
    stack.write_text(good.replace("nodes: 3", "nodes: 4", 1))
    _git(root, "commit", "-qam", "break the stack file")
    stack.write_text(good)
    _git(root, "commit", "-qam", "fix the stack file")
    commits = _git(root, "rev-list", "--reverse", "HEAD").splitlines()
    return {
        "root": root,
        "base": commits[0],
        "service": commits[1],
        "widen": commits[2],
        "broken": commits[3],
        "fixed": commits[4],
    }


def _vaultctl(repo: dict, commit: str, *args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    root: Path = repo["root"]  # type: ignore[assignment]
    _git(root, "checkout", "-q", "--detach", commit)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = seed  # different set orders between runs must not change the output
    code = "import sys; sys.path.insert(0, '.'); from infra.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", code, "plan", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert SENTINEL not in result.stdout + result.stderr
    return result


def _changes(text: str) -> list[str]:
    """The resource lines of a text diff: `+ TYPE  NAME`, `~ ...`, `- ...`, `-/+ ...`."""
    body = text.split("\neffective permission changes:")[0]
    return [line for line in body.splitlines()[1:] if re.match(r"^(\+|~|-|-/\+) \S+:\S+  ", line)]


def test_adding_a_service_prints_exactly_its_resources_and_grants(repo: dict) -> None:
    result = _vaultctl(repo, repo["service"], "--stack", "local", "--against", "HEAD~1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0].endswith(
        "4 to add, 1 to update, 0 to replace, 0 to remove; identities: 1 added, 0 changed, 0 removed"
    )
    # The one update: the deployer policy names every generated policy it may write and attach, so a
    # new service's `svc-payments` joins its allowed values (its own grants do not change).
    assert _changes(out) == [
        "+ vault:identity/entity:Entity  entity-payments",
        "+ vault:identity/entityAlias:EntityAlias  entity-alias-payments-kubernetes",
        "~ vault:index/policy:Policy  policy-deployer",
        "+ vault:index/policy:Policy  policy-svc-payments",
        "+ vault:kubernetes/authBackendRole:AuthBackendRole  auth-kubernetes-role-payments",
    ]
    grants = out.split("effective permission changes:\n")[1].split("\n\npolicy findings")[0].splitlines()
    assert grants[0].startswith(
        "  + kubernetes/payments  (new identity; policies: kv-own-read, svc-payments, token-self)"
    )
    assert "      + kv/data/apps/payments/*  +read  (now: read)" in grants
    assert "      + database/creds/readonly  +read  (now: read)" in grants
    assert all(line.startswith("      + ") for line in grants[1:])  # gains only, one identity


def test_two_runs_are_byte_identical(repo: dict) -> None:
    args = ("--stack", "local", "--against", "HEAD~1", "--format", "markdown")
    first = _vaultctl(repo, repo["service"], *args, seed="1")
    second = _vaultctl(repo, repo["service"], *args, seed="2")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    assert "```mermaid\ngraph LR\n" in first.stdout
    node = re.search(r"^  (i\d+)\[[^\]]*kubernetes/payments[^\]]*\]$", first.stdout, re.M)
    assert node, "the new identity has a node in the diagram"
    # ... and that node, alone, is highlighted as added.
    assert f"  class {node.group(1)} added" in first.stdout.splitlines()


def test_widening_a_template_prints_the_capability_for_each_identity_holding_it(repo: dict) -> None:
    result = _vaultctl(repo, repo["widen"], "--stack", "local", "--against", "HEAD~1", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(c["action"], c["name"]) for c in doc["changes"]] == [("update", "policy-kv-own-read")]
    gained = {c["identity"]: c["gained"] for c in doc["permission_changes"]}
    # Every identity with kv-own-read gains `list` on its own data path; kv-own-write's billing does not.
    assert gained == {
        "jwt/ci-ml-models-ci": {"kv/data/apps/ml-models-ci/*": ["list"]},
        "kubernetes/ai-gateway": {"kv/data/apps/ai-gateway/*": ["list"]},
        "kubernetes/payments": {"kv/data/apps/payments/*": ["list"]},
    }
    assert all(c["lost"] == {} for c in doc["permission_changes"])
    changed_edges = {(e["identity"], e["mount"]) for e in doc["edges"] if e["status"] != "same"}
    assert changed_edges == {
        ("jwt/ci-ml-models-ci", "kv"),
        ("kubernetes/ai-gateway", "kv"),
        ("kubernetes/payments", "kv"),
    }


def test_listing_is_sorted_by_urn_and_shows_options_and_dependencies(repo: dict) -> None:
    result = _vaultctl(repo, repo["widen"], "--stack", "local")
    assert result.returncode == 0, result.stderr
    heads = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert len(heads) > 30
    assert (
        "    depends on: auth-kubernetes, policy-kv-own-read, policy-svc-payments, policy-token-self"
        in result.stdout
    )
    assert (
        '    options: ignore_changes=["postgresql.password"], provider=vault (providers:vault)'
        in result.stdout
    )


def test_a_ref_that_is_not_a_commit_exits_2(repo: dict) -> None:
    result = _vaultctl(repo, repo["widen"], "--stack", "local", "--against", "no-such-branch")
    assert result.returncode == 2
    assert "--against no-such-branch: 'no-such-branch' is not a commit" in result.stderr


def test_a_stack_that_did_not_exist_at_ref_is_all_new(repo: dict) -> None:
    root: Path = repo["root"]  # type: ignore[assignment]
    _git(root, "checkout", "-q", "--detach", repo["widen"])
    new_stack = root / "Pulumi.qa.yaml"
    new_stack.write_text((root / "Pulumi.local.yaml").read_text())
    try:
        result = _vaultctl(repo, repo["widen"], "--stack", str(new_stack), "--against", "HEAD~1")
    finally:
        new_stack.unlink()
    assert result.returncode == 0, result.stderr
    assert "note: Pulumi.qa.yaml does not exist at HEAD~1: every resource is new" in result.stdout
    assert " to update, 0 to replace, 0 to remove" in result.stdout.splitlines()[0]


def test_the_child_refuses_project_modules_from_outside_its_tree(tmp_path: Path) -> None:
    # A tree without `infra`: the editable install would quietly supply the working tree's modules.
    from infra.plan.trees import Child, TreeError

    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(REPO_ROOT / "Pulumi.local.yaml", tree)
    child = Child(tree, tree / "Pulumi.local.yaml", b"k" * 32, tmp_path)
    with pytest.raises(TreeError, match=r"modules from outside|No module named 'infra'"):
        child.result()


def test_a_ref_whose_program_fails_exits_2_naming_the_error(repo: dict) -> None:
    result = _vaultctl(repo, repo["fixed"], "--stack", "local", "--against", "HEAD~1")
    assert result.returncode == 2
    assert "--against HEAD~1: cannot run its program: ConfigError: invalid stack config: cluster.nodes=4" in (
        result.stderr
    )
    assert result.stdout == ""


def test_a_config_error_in_the_working_tree_exits_1_and_the_comment_says_why(repo: dict) -> None:
    result = _vaultctl(
        repo, repo["broken"], "--stack", "local", "--against", "HEAD~1", "--format", "markdown"
    )
    assert result.returncode == 1
    assert "vaultctl plan: stack local: invalid stack config: cluster.nodes=4" in result.stderr
    # The PR comment is not empty: it names the error the PR introduced.
    assert result.stdout.startswith("### `vaultctl plan` for stack `local`: no plan\n")
    assert "cluster.nodes=4" in result.stdout
