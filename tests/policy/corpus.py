"""The policy corpus under tests/policy/corpus: expectations and reasons live next to (or inside) each file.

- violating/: `# expect: RULE-ID ...` on the first line (or a `.expect` file for JSON), and a one-line reason
  (the next comment line, or a `.why` file);
- legitimate/: a one-line reason (the first comment line, or a `.why` file);
- invalid/: a `.why` file holding a fragment of the expected parse error.

A file's stem is its policy name (as for `vaultctl lint-policy`), so `svc-<service>.hcl` is that service's.
The corpus is judged with the stack config's default layout plus `secret-*` as per-application mounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policies.rules.tenancy import DEFAULT_CONTEXT

CORPUS = Path(__file__).parent / "corpus"
CONTEXT = DEFAULT_CONTEXT.with_app_mounts(["secret-*"])
_EXPECT = re.compile(r"^#\s*expect:\s*(?P<ids>.+)$", re.MULTILINE)
_REASON = re.compile(r"^(?:#|//)\s*(?!expect:|lint:)(?P<reason>\S.*)$", re.MULTILINE)


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    expected: frozenset[str]  # rule IDs that must fire (unexempted); empty for legitimate files
    why: str = ""  # the reason for the label (for invalid files: a fragment of the parse error)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def name(self) -> str:
        return self.path.stem


def _policy_files(folder: str) -> list[Path]:
    return sorted(p for p in (CORPUS / folder).iterdir() if p.suffix in {".hcl", ".json"})


def _reason(path: Path) -> str:
    sidecar = path.with_suffix(".why")
    if sidecar.exists():
        return sidecar.read_text(encoding="utf-8").strip()
    match = _REASON.search(path.read_text(encoding="utf-8"))
    return match.group("reason").strip() if match else ""


def violating() -> list[CorpusFile]:
    files = []
    for path in _policy_files("violating"):
        sidecar = path.with_suffix(".expect")
        match = _EXPECT.search(path.read_text(encoding="utf-8"))
        ids = (
            sidecar.read_text(encoding="utf-8") if sidecar.exists() else (match.group("ids") if match else "")
        )
        files.append(CorpusFile(path, frozenset(ids.split()), _reason(path)))
    return files


def legitimate() -> list[CorpusFile]:
    return [CorpusFile(path, frozenset(), _reason(path)) for path in _policy_files("legitimate")]


def invalid() -> list[CorpusFile]:
    return [
        CorpusFile(path, frozenset(), path.with_suffix(".why").read_text(encoding="utf-8").strip())
        for path in _policy_files("invalid")
    ]
