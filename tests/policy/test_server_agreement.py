"""The real server is the final syntax check: OpenBao accepts every policy the linter parses and refuses
every one it calls invalid (except the two where OpenBao is laxer, listed below)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.policy import corpus

pytestmark = pytest.mark.integration

ROOT_TOKEN = "policy-lint-test-root"
# Accepted by OpenBao but refused here on purpose: `scan`/`pagination_limit` are OpenBao-only and the same
# policies go to HashiCorp Vault, which also refuses inner wildcards in parameter keys (validateParameter in
# its vault/policy.go); two labels on a path block is a typo that OpenBao silently reads as one.
OPENBAO_LAXER = {
    "openbao_only_capability.hcl",
    "openbao_only_key.hcl",
    "parameter_inner_wildcard.hcl",
    "two_labels.hcl",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("bao") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "bao")
    if not Path(binary).exists():
        pytest.skip("bao binary not installed")
    address = f"127.0.0.1:{_free_port()}"
    log = (tmp_path_factory.mktemp("bao") / "server.log").open("w")
    process = subprocess.Popen(
        [binary, "server", "-dev", f"-dev-listen-address={address}", f"-dev-root-token-id={ROOT_TOKEN}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://{address}"  # dev mode on loopback only, for syntax checks
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/v1/sys/health", timeout=1)  # noqa: S310 - fixed loopback URL
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _write_policy(url: str, name: str, text: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - fixed loopback URL
        f"{url}/v1/sys/policies/acl/{name}",
        data=json.dumps({"policy": text}).encode(),
        method="PUT",
        headers={"X-Vault-Token": ROOT_TOKEN},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _name(case: corpus.CorpusFile) -> str:
    return case.path.stem.replace("_", "-")


@pytest.mark.parametrize("case", corpus.violating() + corpus.legitimate(), ids=lambda c: c.path.name)
def test_server_accepts_what_the_linter_parses(bao: str, case: corpus.CorpusFile) -> None:
    assert _write_policy(bao, _name(case), case.text) == 204


@pytest.mark.parametrize("case", corpus.invalid(), ids=lambda c: c.path.name)
def test_server_refuses_what_the_linter_calls_invalid(bao: str, case: corpus.CorpusFile) -> None:
    status = _write_policy(bao, _name(case), case.text)
    if case.path.name in OPENBAO_LAXER:
        assert status == 204
    else:
        assert status == 400
