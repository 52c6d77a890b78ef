"""The secret-scanning gate: detect-secrets against a committed baseline, plus this project's checks.

Two layers, both failing the gate:
- `detect-secrets` (Yelp, maintained on PyPI) with every plugin on and a committed `.secrets.baseline`
  of audited false positives (a fake PEM header in a unit test, the Pulumi SDK's secret marker...).
  Only findings that are not in the baseline fail.
- Project checks that no baseline can excuse: model-provider keys (`sk-`, `sk-ant-`, `sk-proj-`,
  `hf_`, `gsk_`), private keys with a key body, cloud and Vault credentials, and secret-looking variables
  with a client-bundle prefix (`VITE_`, `REACT_APP_`, `NEXT_PUBLIC_`, `EXPO_PUBLIC_`): bundlers inline
  those into the JavaScript every visitor downloads, so such a variable is a leak by construction
  (the AI-app failure this platform exists to prevent).

A line carrying `pragma: allowlist secret` (detect-secrets' marker) is skipped by both layers, so an
exception is visible in review next to the line it excuses. Findings never print the secret itself.

    python -m infra.ops.secret_scan                  # scan the repository; exit 1 on any finding
    python -m infra.ops.secret_scan --update-baseline # after auditing new false positives
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from infra.harness import REPO_ROOT

if TYPE_CHECKING:  # imported where used: detect-secrets loads only when the scan runs
    from detect_secrets import SecretsCollection

BASELINE = ".secrets.baseline"
ALLOWLIST = "pragma: allowlist secret"
# Never scanned: tool state, virtualenvs and build output (also git-ignored), and the baseline itself
# (it holds hashes that look like secrets by design).
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    ".local",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "dist",
}
MAX_BYTES = 2 * 1024 * 1024  # larger files are data, not code; a key pasted into one is still rare


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.check}: {self.message}"


@dataclass(frozen=True)
class Pattern:
    check: str
    regex: re.Pattern[str]
    what: str


def _p(check: str, regex: str, what: str, flags: int = 0) -> Pattern:
    return Pattern(check, re.compile(regex, flags), what)


# Left guards keep a key from matching inside a longer word (`task-...`, `mask_...`).
PATTERNS: tuple[Pattern, ...] = (
    _p(
        "SECRET-MODEL-KEY",
        r"(?<![A-Za-z0-9_-])sk-(?:ant|proj|svcacct|admin)-[A-Za-z0-9_-]{20,}",
        "model-provider API key (Anthropic `sk-ant-`, OpenAI `sk-proj-`/`sk-svcacct-`)",
    ),
    # Legacy OpenAI keys are `sk-` + 48 alphanumerics; no hyphen after the prefix, so kebab-case names
    # such as `sk-learn-...` never match.
    _p("SECRET-MODEL-KEY", r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9]{32,}", "model-provider API key (`sk-`)"),
    _p("SECRET-MODEL-KEY", r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}", "Hugging Face access token (`hf_`)"),
    _p("SECRET-MODEL-KEY", r"(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{40,}", "Groq API key (`gsk_`)"),
    # A PEM header alone (a test placeholder) is not a key; a header followed by a base64 body is.
    # `\\n` allows keys embedded in JSON strings (a GCP service-account key file).
    _p(
        "SECRET-PRIVATE-KEY",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\[nr]|[^A-Za-z0-9+/]){1,40}"
        r"(?:[A-Za-z0-9-]+: [^\n]*(?:\\n|\n)\s*)*[A-Za-z0-9+/]{40,}",
        "private key",
    ),
    _p(
        "SECRET-CLOUD-CREDENTIAL",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])",
        "AWS access key id",
    ),
    _p(
        "SECRET-CLOUD-CREDENTIAL",
        r"aws.{0,20}?(?:secret|private).{0,20}?[\"'=:\s][\"'\s]*[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])",
        "AWS secret access key",
        re.IGNORECASE,
    ),
    _p(
        "SECRET-CLOUD-CREDENTIAL",
        r"\"private_key_id\"\s*:\s*\"[0-9a-f]{40}\"",
        "Google Cloud service-account key file (use Workload Identity instead)",
    ),
    _p("SECRET-CLOUD-CREDENTIAL", r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}", "Google API key"),
    _p(
        "SECRET-CLOUD-CREDENTIAL",
        r"AccountKey=[A-Za-z0-9+/]{80,}={0,2}",
        "Azure storage account key",
    ),
    _p(
        "SECRET-CLOUD-CREDENTIAL",
        r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})",
        "GitHub token",
    ),
    _p(
        "SECRET-VAULT-TOKEN",
        r"(?<![A-Za-z0-9_.])(?:hv[sbr]\.[A-Za-z0-9_-]{24,}|s\.[A-Za-z0-9]{24}(?![A-Za-z0-9]))",
        "Vault/OpenBao token",
    ),
)

CLIENT_BUNDLE = re.compile(r"(?<![A-Za-z0-9_])(VITE_|REACT_APP_|NEXT_PUBLIC_|EXPO_PUBLIC_)([A-Z0-9_]+)")
SECRET_WORDS = re.compile(
    r"SECRET|TOKEN|PASSWORD|PASSWD|PWD|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_KEY|AUTH|KEY$|_DSN$|DATABASE_URL"
)
# Designed to be public: Stripe publishable keys, Supabase anon keys (row-level security guards data).
PUBLIC_BY_DESIGN = re.compile(r"PUBLISHABLE|ANON")


def _redact(text: str) -> str:
    return text[:6] + "..." if len(text) > 6 else "..."


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def scan_text(text: str) -> list[tuple[int, str, str]]:
    """(line, check, message) for every project-check hit in `text`; pure, for tests and the gate."""
    lines = text.split("\n")
    hits: list[tuple[int, str, str]] = []

    def allowed(line: int) -> bool:
        return ALLOWLIST in lines[line - 1]

    for pattern in PATTERNS:
        for match in pattern.regex.finditer(text):
            line = _line_of(text, match.start())
            if not allowed(line):
                hits.append((line, pattern.check, f"{pattern.what} ({_redact(match.group(0))})"))
    for match in CLIENT_BUNDLE.finditer(text):
        prefix, rest = match.groups()
        line = _line_of(text, match.start())
        if SECRET_WORDS.search(rest) and not PUBLIC_BY_DESIGN.search(rest) and not allowed(line):
            hits.append(
                (
                    line,
                    "SECRET-CLIENT-BUNDLE",
                    f"`{prefix}{rest}`: a `{prefix}` variable is compiled into the client bundle every "
                    "user downloads; keep the secret in Vault and call the provider from a backend",
                )
            )
    return sorted(set(hits))


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            yield Path(dirpath, name)


def candidate_files(root: Path) -> list[str]:
    """Files to scan, relative to `root`: in a git work tree, tracked plus untracked-but-not-ignored
    (a new file is scanned before its first commit); elsewhere every file outside SKIP_DIRS."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
        ).stdout.decode()
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, check=True
        ).stdout.decode()
        in_git = Path(top.strip()).resolve() == root.resolve()
    except (OSError, subprocess.CalledProcessError):
        in_git = False
    if in_git:
        names = sorted({n for n in out.split("\0") if n})
    else:
        names = [str(p.relative_to(root)) for p in _walk(root)]
    keep = []
    for name in names:
        path = root / name
        if name == BASELINE or any(part in SKIP_DIRS for part in Path(name).parts):
            continue
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_BYTES:
            keep.append(name)
    return keep


def _read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None  # binary
    return data.decode("utf-8", errors="replace")


def project_findings(root: Path, files: Iterable[str]) -> list[Finding]:
    findings = []
    for name in files:
        text = _read_text(root / name)
        if text is None:
            continue
        findings += [Finding(name, line, check, msg) for line, check, msg in scan_text(text)]
    return findings


# ---------------------------------------------------------------------- detect-secrets layer


def _scan_with_detect_secrets(root: Path, files: Iterable[str], settings: dict | None) -> SecretsCollection:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings, transient_settings

    # Scan from the repo root with relative names: detect-secrets records each secret's filename, and
    # an absolute one (/work/main/...) would match nothing in any other checkout, such as CI's clone.
    collection = SecretsCollection()
    with contextlib.chdir(root), default_settings() if settings is None else transient_settings(settings):
        for name in files:
            # One by one: detect-secrets' multiprocessing pool costs more than it saves on a repo
            # this size, and a single process keeps the settings context simple.
            collection.scan_file(name)
    return collection


def detect_secrets_findings(root: Path, files: list[str], baseline_path: Path | None) -> list[Finding]:
    from detect_secrets.core import baseline as ds_baseline

    settings = None
    known = None
    if baseline_path is not None and baseline_path.is_file():
        settings = ds_baseline.load_from_file(str(baseline_path))
        known = ds_baseline.load(settings, str(baseline_path))
    found = _scan_with_detect_secrets(root, files, settings)
    new = found - known if known is not None else found
    findings = []
    for filename, secret in new:
        findings.append(
            Finding(
                filename,
                secret.line_number or 0,
                "SECRET-DETECTED",
                f"detect-secrets: {secret.type} (not in {BASELINE})",
            )
        )
    return findings


def update_baseline(root: Path, baseline_path: Path) -> int:
    """Rewrite the baseline from a fresh scan, keeping earlier audit marks (`is_secret`)."""
    from detect_secrets.core import baseline as ds_baseline
    from detect_secrets.settings import default_settings

    files = candidate_files(root)
    found = _scan_with_detect_secrets(root, files, None)
    if baseline_path.is_file():
        old = ds_baseline.load(ds_baseline.load_from_file(str(baseline_path)), str(baseline_path))
        found.merge(old)
    with default_settings():
        output = ds_baseline.format_for_output(found)
    output.pop("generated_at", None)  # a timestamp would make every update a diff
    baseline_path.write_text(json.dumps(output, indent=2, sort_keys=True) + "\n")
    return sum(len(v) for v in output["results"].values())


def scan(root: Path, baseline_path: Path | None = None) -> list[Finding]:
    files = candidate_files(root)
    findings = project_findings(root, files) + detect_secrets_findings(root, files, baseline_path)
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.check))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.ops.secret_scan", description=__doc__.split("\n")[0]
    )
    parser.add_argument("root", nargs="?", type=Path, default=REPO_ROOT, help="directory to scan")
    parser.add_argument("--baseline", type=Path, help=f"detect-secrets baseline (default ROOT/{BASELINE})")
    parser.add_argument(
        "--update-baseline", action="store_true", help="rewrite the baseline (after auditing findings)"
    )
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    baseline_path: Path = args.baseline or root / BASELINE
    if args.update_baseline:
        count = update_baseline(root, baseline_path)
        print(f"secret-scan: wrote {baseline_path} ({count} audited false positives)")
        return 0
    findings = scan(root, baseline_path)
    for finding in findings:
        print(finding)
    if findings:
        print(f"secret-scan: {len(findings)} finding(s): FAILED", file=sys.stderr)
        if any(f.check == "SECRET-DETECTED" for f in findings):
            print(
                "secret-scan: remove the secret (and rotate it), or, for an audited false positive, add "
                f"`{ALLOWLIST}` on its line or run `python -m infra.ops.secret_scan --update-baseline`",
                file=sys.stderr,
            )
        return 1
    print(f"secret-scan: {len(candidate_files(root))} files clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
