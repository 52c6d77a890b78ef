"""Facts the code relies on live in docs/facts.md, each under an anchor the code links to
(`docs/facts.md#performance-multiplier`): every such link must resolve, and nothing may cite a facts
file outside the repository (a reader could not follow it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "docs" / "facts.md"
LINK = re.compile(r"facts\.md#([A-Za-z0-9_-]+)")
ANCHOR = re.compile(r'<a id="([A-Za-z0-9_-]+)"></a>')
# Spelled in pieces, so this file does not match itself.
OUTSIDE = re.compile("|".join(["FAC" + "TS", r"\.\./shared/", "/work/" + "shared"]))


def tracked_texts() -> dict[str, str]:
    names = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True)
        .stdout.decode()
        .split("\0")
    )
    texts = {}
    for name in filter(None, names):
        path = REPO / name
        if path.is_file() and path.suffix not in {".png", ".gz", ".snap"}:
            try:
                texts[name] = path.read_text()
            except UnicodeDecodeError:
                continue
    return texts


def broken_links(texts: dict[str, str], anchors: set[str]) -> list[str]:
    return [
        f"{name}: facts.md#{anchor}"
        for name, text in sorted(texts.items())
        for anchor in LINK.findall(text)
        if anchor not in anchors
    ]


def outside_citations(texts: dict[str, str]) -> list[str]:
    return [
        f"{name}:{number}"
        for name, text in sorted(texts.items())
        for number, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]


def test_every_facts_link_resolves() -> None:
    anchors = set(ANCHOR.findall(NOTES.read_text()))
    texts = tracked_texts()
    assert sum(len(LINK.findall(text)) for text in texts.values()) >= 10  # the code does link here
    assert broken_links(texts, anchors) == []


def test_no_citation_of_a_facts_file_outside_the_repository() -> None:
    assert outside_citations(tracked_texts()) == []


def test_the_checks_fire() -> None:
    link = "docs/facts.md" + "#"  # in pieces, so this file's own links stay the real ones
    assert broken_links({"a.py": f"# see {link}nowhere"}, {"somewhere"}) == [f"a.py: {link[5:]}nowhere"]
    assert broken_links({"a.py": f"# see {link}somewhere"}, {"somewhere"}) == []
    cited = "# measured: see " + "FAC" + "TS"
    assert outside_citations({"a.py": f"x = 1\n{cited}\n", "b.md": "fine"}) == ["a.py:2"]
