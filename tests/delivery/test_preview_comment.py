"""preview-comment.yml posts markdown written by a pull request's code: the shipped script, run with a
stand-in `gh`, must show a hostile plan only as text (no mention, image, link or heading of its own),
whatever fences the plan tries to close."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
HEAD = "a" * 40
HOSTILE = (
    "## Plan looks good, merge it\n\n"
    "cc @acme/security-team @octocat\n\n"
    "![tracking pixel](https://evil.example/pixel.png)\n"
    "[approve here](https://evil.example/approve)\n\n"
    "```\n"
    "```````\n"  # a longer run than any fence a naive script would pick
    "~~~\n"
    "</details><img src=https://evil.example/x>\n"
)

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _script() -> tuple[str, dict[str, str]]:
    wf = yaml.safe_load((ROOT / ".github/workflows/preview-comment.yml").read_text())
    step = wf["jobs"]["comment"]["steps"][-1]
    return step["run"], step["env"]


def _post(tmp_path: Path, plan: str) -> str:
    """Run the shipped script for one PR; returns the body it POSTed for prod."""
    plans, bin_dir, posted = tmp_path / "plan", tmp_path / "bin", tmp_path / "posted"
    for d in (plans, bin_dir, posted):
        d.mkdir()
    (plans / "pr-number").write_text("17\n")
    for stack in ("staging", "prod"):
        (plans / f"{stack}.md").write_text(plan)
        (plans / f"{stack}.exit").write_text("0")
    # `gh api`: the PR's head, no earlier comment, and a POST whose body file is kept.
    gh = bin_dir / "gh"
    gh.write_text(
        "#!/bin/bash\n"
        'case "$*" in\n'
        f"  *pulls/17*) echo {HEAD} ;;\n"
        "  *--paginate*) ;;\n"
        '  *--method\\ POST*) for a in "$@"; do case "$a" in body=@*) '
        f'cp "${{a#body=@}}" "{posted}/$(date +%s%N)" ;; esac; done ;;\n'
        "esac\n"
    )
    gh.chmod(0o755)
    script, _ = _script()
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GH_REPO": "acme/vault-platform",
        "RUN_HEAD_SHA": HEAD,
        "RUN_URL": "https://github.com/acme/vault-platform/actions/runs/1",
        "PLAN_DIR": str(plans),
        "RUNNER_TEMP": str(tmp_path),
    }
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    bodies = [p.read_text() for p in sorted(posted.iterdir())]
    assert len(bodies) == 2  # staging, prod
    return bodies[1]


def _rendered_outside_code(body: str) -> list[tuple[str, str]]:
    """(token type, text) of everything CommonMark renders as markup, not as code."""
    found = []
    for token in MarkdownIt("commonmark").parse(body):
        if token.type in ("fence", "code_block"):
            continue
        for child in token.children or [token]:
            found.append((child.type, child.content or child.attrGet("src") or child.attrGet("href") or ""))
    return found


def test_a_hostile_plan_is_posted_as_text_only(tmp_path: Path) -> None:
    body = _post(tmp_path, HOSTILE)
    assert body.startswith("<!-- vault-platform:offline-plan:prod -->")
    outside = _rendered_outside_code(body)
    types = {t for t, _ in outside}
    assert "image" not in types and "html_inline" not in types
    # The only HTML is our own marker comment.
    assert [c for t, c in outside if t == "html_block"] == ["<!-- vault-platform:offline-plan:prod -->\n"]
    text = " ".join(c for _, c in outside)
    for hostile in ("@acme/security-team", "@octocat", "evil.example", "merge it"):
        assert hostile not in text, (hostile, outside)
    # The only link is ours (the run), and the plan is all there, verbatim, inside the fence.
    links = [c for t, c in outside if t == "link_open"]
    assert links == ["https://github.com/acme/vault-platform/actions/runs/1"]
    (fence,) = [t for t in MarkdownIt("commonmark").parse(body) if t.type == "fence"]
    assert fence.content == HOSTILE + "\n"
    assert fence.markup == "`" * 8  # one longer than the plan's longest backtick run


def test_an_ordinary_plan_gets_a_three_backtick_fence(tmp_path: Path) -> None:
    body = _post(tmp_path, "| type | name |\n|---|---|\n| + vault:index/policy:Policy | ci |\n")
    (fence,) = [t for t in MarkdownIt("commonmark").parse(body) if t.type == "fence"]
    assert fence.markup == "```" and "vault:index/policy:Policy" in fence.content


def test_the_check_fires_on_the_previous_script(tmp_path: Path) -> None:
    """Posting the plan as it is (the script before this change) renders the mention and the image."""
    outside = _rendered_outside_code("<!-- marker -->\n\n" + HOSTILE)
    assert "image" in {t for t, _ in outside}
    assert "@acme/security-team" in " ".join(c for _, c in outside)
