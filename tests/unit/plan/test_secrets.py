"""No format of `vaultctl plan` ever prints a secret: a sentinel value in a stack override stays out of
the text, markdown and JSON, in the listing and in the diff, while the diff still says it changed."""

from __future__ import annotations

import json

import pytest

from infra.harness import run_program
from infra.plan import FORMATS, findings_for
from infra.plan.emit import records
from infra.plan.model import Snapshot
from infra.plan.report import Against, build

OLD = "sentinel-OLD-9f1c2e7a"
NEW = "sentinel-NEW-4b8d0c3f"


def _snapshot(password: str, key: bytes) -> tuple[Snapshot, list]:
    resources = run_program("local", overrides={"database": {"password": password}})
    return Snapshot.from_records(records(resources, key)), resources


@pytest.fixture(scope="module")
def reports() -> dict[str, object]:
    key = b"k" * 32
    old, _ = _snapshot(OLD, key)
    new, resources = _snapshot(NEW, key)
    findings = findings_for(resources)
    return {
        "listing": build("local", new, findings),
        "diff": build("local", new, findings, Against("HEAD~1", "0" * 40, old)),
    }


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("mode", ["listing", "diff"])
def test_sentinel_secret_never_printed(reports: dict, fmt: str, mode: str) -> None:
    out = FORMATS[fmt](reports[mode])
    assert OLD not in out and NEW not in out
    # Nor anything derived from it that could be matched offline (the keyed digests stay internal).
    snapshot = reports[mode].new
    for resource in snapshot.resources:
        for digest in resource.secrets.values():
            assert digest not in out


def test_the_diff_says_the_secret_changed_without_showing_it(reports: dict) -> None:
    text = FORMATS["text"](reports["diff"])
    assert "postgresql: [secret] (value changed)" in text
    doc = json.loads(FORMATS["json"](reports["diff"]))
    (change,) = [c for c in doc["changes"] if c["name"] == "database-connection-app"]
    assert change["fields"] == [
        {"path": "postgresql", "old": "[secret]", "new": "[secret]", "secret_changed": True}
    ]


def test_the_secret_reaches_the_program_so_the_check_is_not_vacuous() -> None:
    # If the override never reached an input, the assertions above would pass on nothing.
    resources = run_program("local", overrides={"database": {"password": NEW}})
    from infra.harness import unwrap

    assert NEW in json.dumps([unwrap(dict(r.inputs)) for r in resources])


def test_a_finding_quoting_a_secret_prints_it_masked() -> None:
    from infra.plan import scrubbed
    from policies.rules import Finding

    resources = run_program("local", overrides={"database": {"password": NEW}})
    finding = Finding("VP-X-001", f"connection_url postgres://u:{NEW}@db/app", "subject")
    (clean,) = scrubbed([finding], resources)
    assert clean.message == "connection_url postgres://u:[secret]@db/app"
    (untouched,) = scrubbed([Finding("VP-X-001", "no secret here", "s")], resources)
    assert untouched.message == "no secret here"
