"""The secret-scanning gate fails on each seeded leak and passes on the repository.

Every fake key is assembled at run time from pieces, so no committed file (this one included) holds a
key-shaped string for the gate, or anyone else's scanner, to find.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from infra.harness import REPO_ROOT
from infra.ops import secret_scan

_rng = random.Random(6)  # noqa: S311 (deterministic filler for fake keys, not cryptography)


def _filler(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _pem(kind: str) -> str:
    label = f"{kind} PRIVATE KEY".strip()
    body = "\n".join(_filler(64, string.ascii_letters + string.digits + "+/") for _ in range(4))
    return "-----" + "BEGIN " + label + "-----\n" + body + "\n-----" + "END " + label + "-----\n"


UPPER_DIGITS = string.ascii_uppercase + string.digits

# (case id, file name, content, expected check)
LEAKS = [
    (
        "anthropic-key",
        "app/config.py",
        'ANTHROPIC = "' + "sk-" + "ant-" + "api03-" + _filler(90) + '"\n',
        "SECRET-MODEL-KEY",
    ),
    (
        "openai-project-key",
        ".env",
        "OPENAI_API_KEY=" + "sk-" + "proj-" + _filler(120) + "\n",
        "SECRET-MODEL-KEY",
    ),
    ("openai-legacy-key", "settings.yaml", "openai: " + "sk" + "-" + _filler(48) + "\n", "SECRET-MODEL-KEY"),
    (
        "huggingface-token",
        "train.sh",
        "export HF_TOKEN=" + "hf" + "_" + _filler(34) + "\n",
        "SECRET-MODEL-KEY",
    ),
    ("rsa-private-key", "deploy/id_rsa", _pem("RSA"), "SECRET-PRIVATE-KEY"),
    ("openssh-private-key", "keys/ci", _pem("OPENSSH"), "SECRET-PRIVATE-KEY"),
    (
        "pkcs8-key-in-json",
        "sa.json",
        '{"private_key": "' + "-----" + "BEGIN " + "PRIVATE KEY" + "-----\\n" + _filler(64) + '\\n"}\n',
        "SECRET-PRIVATE-KEY",
    ),
    (
        "aws-access-key-id",
        "infra/aws.tf",
        'access_key = "' + "AK" + "IA" + _filler(16, UPPER_DIGITS) + '"\n',
        "SECRET-CLOUD-CREDENTIAL",
    ),
    (
        "aws-secret-key",
        "creds.ini",
        "aws_secret_access_key = " + _filler(40) + "\n",
        "SECRET-CLOUD-CREDENTIAL",
    ),
    (
        "gcp-service-account-key",
        "key.json",
        # The field name is joined at runtime too, so no committed line looks like a leaked key file.
        '{"type": "service_account", "'
        + "private_key"
        + '_id": "'
        + _filler(40, "0123456789abcdef")
        + '"}\n',
        "SECRET-CLOUD-CREDENTIAL",
    ),
    (
        "google-api-key",
        "web/maps.js",
        'const k = "' + "AI" + "za" + _filler(35) + '";\n',
        "SECRET-CLOUD-CREDENTIAL",
    ),
    (
        "github-token",
        "scripts/release.sh",
        "GH_TOKEN=" + "gh" + "p_" + _filler(36) + "\n",
        "SECRET-CLOUD-CREDENTIAL",
    ),
    ("vault-token", "notes.md", "token: " + "hv" + "s." + _filler(90) + "\n", "SECRET-VAULT-TOKEN"),
    ("vite-openai-key", "web/.env", "VITE_" + "OPENAI_API_KEY=placeholder\n", "SECRET-CLIENT-BUNDLE"),
    (
        "react-app-secret",
        "web/src/api.js",
        "fetch(u, {headers: {a: process.env." + "REACT_APP_" + "CLIENT_SECRET}})\n",
        "SECRET-CLIENT-BUNDLE",
    ),
    (
        "next-public-token",
        "web/next.config.js",
        "env: { " + "NEXT_PUBLIC_" + "ANTHROPIC_TOKEN: x }\n",
        "SECRET-CLIENT-BUNDLE",
    ),
    (
        "expo-public-password",
        "app.json",
        '{"' + "EXPO_PUBLIC_" + 'DB_PASSWORD": "x"}\n',
        "SECRET-CLIENT-BUNDLE",
    ),
]

# Near misses the gate must stay quiet on: placeholders, public-by-design values, kebab-case names.
QUIET = [
    (
        "pem-placeholder",
        "conftest.py",
        '{"pem": "' + "-----" + "BEGIN " + "PRIVATE KEY" + '-----\\nFAKE-KEY\\n"}\n',
    ),
    ("stripe-publishable", "web/.env", "NEXT_PUBLIC_" + "STRIPE_PUBLISHABLE_KEY=pk_test_x\n"),
    ("supabase-anon", "web/.env", "VITE_" + "SUPABASE_ANON_KEY=x\n"),
    ("public-url", "web/.env", "VITE_" + "API_URL=https://api.example.com\n"),
    ("kebab-name", "k8s.yaml", "name: " + "sk-" + "learn-pipeline-runner-for-the-nightly-batch\n"),
    (
        "prose",
        "README.md",
        "Model keys look like `sk-` or `sk-ant-`; never put them in `VITE_*` variables.\n",
    ),
]


def _seed(root: Path, name: str, content: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


@pytest.mark.parametrize(("case", "name", "content", "check"), LEAKS, ids=[c[0] for c in LEAKS])
def test_scan_fails_on_seeded_leak(tmp_path: Path, case: str, name: str, content: str, check: str, capsys):
    _seed(tmp_path, name, content)
    findings = secret_scan.scan(tmp_path)
    assert check in {f.check for f in findings}, (case, findings)
    assert all(f.path == name for f in findings)
    assert secret_scan.main([str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    assert f"{name}:" in printed
    # The report names the file and the kind of secret, never the secret itself.
    secret_line = content.strip().splitlines()[
        1 if check == "SECRET-PRIVATE-KEY" and "\n" in content.strip() else 0
    ]
    assert secret_line not in printed


@pytest.mark.parametrize(("case", "name", "content"), QUIET, ids=[c[0] for c in QUIET])
def test_scan_quiet_on_near_miss(tmp_path: Path, case: str, name: str, content: str):
    _seed(tmp_path, name, content)
    project = [f for f in secret_scan.scan(tmp_path) if f.check != "SECRET-DETECTED"]
    assert project == [], case


def test_allowlist_pragma_excuses_one_line(tmp_path: Path):
    key = "sk-" + "ant-" + "api03-" + _filler(90)
    _seed(tmp_path, "a.py", f'K = "{key}"  # pragma: allowlist secret\nL = "{key}"\n')
    assert [(f.line, f.check) for f in secret_scan.scan(tmp_path) if f.check != "SECRET-DETECTED"] == [
        (2, "SECRET-MODEL-KEY")
    ]


def test_detect_secrets_layer_and_baseline(tmp_path: Path):
    """A token only detect-secrets knows (Slack) fails; once audited into the baseline it passes; a
    new one in the same file fails again."""
    token = "xox" + "b-" + _filler(12, string.digits) + "-" + _filler(12, string.digits) + "-" + _filler(24)
    _seed(tmp_path, "bot.py", f'SLACK = "{token}"\n')
    assert {f.check for f in secret_scan.scan(tmp_path)} == {"SECRET-DETECTED"}
    baseline = tmp_path / secret_scan.BASELINE
    secret_scan.update_baseline(tmp_path, baseline)
    assert secret_scan.scan(tmp_path, baseline) == []
    other = "xox" + "b-" + _filler(12, string.digits) + "-" + _filler(12, string.digits) + "-" + _filler(24)
    _seed(tmp_path, "bot.py", f'SLACK = "{token}"\nOTHER = "{other}"\n')
    assert {f.line for f in secret_scan.scan(tmp_path, baseline)} == {2}


def test_repository_is_clean():
    findings = secret_scan.scan(REPO_ROOT, REPO_ROOT / secret_scan.BASELINE)
    assert findings == [], "\n".join(map(str, findings))


def test_baseline_names_files_relative_to_the_repo_so_any_checkout_matches() -> None:
    import json
    from pathlib import Path

    baseline = json.loads((Path(__file__).resolve().parents[2] / ".secrets.baseline").read_text())
    filenames = [s["filename"] for secrets in baseline["results"].values() for s in secrets]
    assert filenames and not any(name.startswith("/") for name in filenames)
