"""The real server is the final word. On one OpenBao dev server:

- it accepts every policy the linter parses and refuses every one it calls invalid (except where OpenBao is
  laxer, listed below);
- for every corpus policy, the linter's verdict "reaches another tenant or the control plane" (a finding of a
  boundary rule, exempted or not) equals what `sys/capabilities` shows for a token holding that policy
  (tests/policy/server_probe.py), so a bypass (server grants, linter quiet) and a false alarm (linter flags,
  server grants nothing) both fail here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from policies.rules import lint_policy_text
from policies.rules.catalog import BOUNDARY_RULE_IDS
from policies.rules.exemptions import read_shares
from tests.policy import corpus
from tests.policy.server_probe import (
    IDENTITIES,
    Client,
    bao_binary,
    dev_server,
    in_ci,
    prepare_identities,
    reached,
)

pytestmark = pytest.mark.integration

# Accepted by OpenBao but refused here on purpose: `scan`/`pagination_limit` are OpenBao-only and the same
# policies go to HashiCorp Vault, which also refuses inner wildcards in parameter keys (validateParameter in
# its vault/policy.go); two labels on a path block is a typo that OpenBao silently reads as one.
OPENBAO_LAXER = {
    "openbao_only_capability.hcl",
    "openbao_only_key.hcl",
    "parameter_inner_wildcard.hcl",
    "two_labels.hcl",
}
CASES = corpus.violating() + corpus.legitimate()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    binary = bao_binary()
    if binary is None:
        if in_ci():
            pytest.fail("bao not found next to the interpreter, in .venv or on PATH (CI must not skip)")
        pytest.skip("bao binary not installed")
    with dev_server(binary, tmp_path_factory.mktemp("bao")) as url:
        client = Client(url)
        prepare_identities(client)
        yield client


def _name(case: corpus.CorpusFile) -> str:
    return "corpus-" + case.path.stem.replace("_", "-")


@pytest.fixture(scope="module")
def verdicts(server: Client) -> dict[str, tuple[bool, set[str], set[str]]]:
    """Per corpus file: (linter says it crosses, boundary rules that fired, probes the server granted).

    One policy write, one token and one batched `sys/capabilities` call per identity and policy."""
    results: dict[str, tuple[bool, set[str], set[str]]] = {}
    for case in CASES:
        assert server.write_policy(_name(case), case.text) == 204, case.path.name
        findings = lint_policy_text(case.text, case.path.name, context=corpus.CONTEXT, name=case.name)
        fired = {f.rule_id for f in findings if f.rule_id in BOUNDARY_RULE_IDS}
        shares = frozenset(share.path for share in read_shares(case.text)[0])
        identities = IDENTITIES if "{{" in case.text else IDENTITIES[:1]
        results[case.path.name] = (bool(fired), fired, reached(server, _name(case), identities, skip=shares))
    return results


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.name)
def test_server_accepts_what_the_linter_parses(server: Client, case: corpus.CorpusFile) -> None:
    assert server.write_policy(_name(case), case.text) == 204


@pytest.mark.parametrize("case", corpus.invalid(), ids=lambda c: c.path.name)
def test_server_refuses_what_the_linter_calls_invalid(server: Client, case: corpus.CorpusFile) -> None:
    status = server.write_policy(_name(case), case.text)
    if case.path.name in OPENBAO_LAXER:
        assert status == 204
    else:
        assert status == 400


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.name)
def test_linter_verdict_matches_the_server(verdicts: dict, case: corpus.CorpusFile) -> None:
    crosses, fired, granted = verdicts[case.path.name]
    assert crosses == bool(granted), (
        f"linter boundary findings {sorted(fired) or 'none'}; server grants {sorted(granted) or 'nothing'}"
    )


def test_both_verdicts_occur(verdicts: dict) -> None:
    # Guards the agreement test against passing vacuously (e.g. every probe denied).
    outcomes = {crosses for crosses, _, _ in verdicts.values()}
    assert outcomes == {True, False}
    assert sum(1 for crosses, _, _ in verdicts.values() if crosses) >= 60
