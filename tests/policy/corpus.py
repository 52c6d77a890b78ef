"""The policy corpus under tests/policy/corpus: expectations live next to (or inside) each file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
_EXPECT = re.compile(r"^#\s*expect:\s*(?P<ids>.+)$", re.MULTILINE)


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    expected: frozenset[str]  # rule IDs that must fire (unexempted); empty for legitimate files
    why: str = ""  # for invalid files: a fragment of the parse error

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _policy_files(folder: str) -> list[Path]:
    return sorted(p for p in (CORPUS / folder).iterdir() if p.suffix in {".hcl", ".json"})


def violating() -> list[CorpusFile]:
    files = []
    for path in _policy_files("violating"):
        sidecar = path.with_suffix(".expect")
        match = _EXPECT.search(path.read_text(encoding="utf-8"))
        ids = (
            sidecar.read_text(encoding="utf-8") if sidecar.exists() else (match.group("ids") if match else "")
        )
        files.append(CorpusFile(path, frozenset(ids.split())))
    return files


def legitimate() -> list[CorpusFile]:
    return [CorpusFile(path, frozenset()) for path in _policy_files("legitimate")]


def invalid() -> list[CorpusFile]:
    return [
        CorpusFile(path, frozenset(), path.with_suffix(".why").read_text(encoding="utf-8").strip())
        for path in _policy_files("invalid")
    ]
