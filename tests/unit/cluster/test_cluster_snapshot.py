"""The snapshot CronJob: every 6 hours, Kubernetes auth to the snapshot role, Workload Identity upload,
no static keys, TLS verified."""

from __future__ import annotations

import json

import pytest

from infra.harness import unwrap
from infra.names import SNAPSHOT_ROLE, SNAPSHOT_SERVICE_ACCOUNT

CRON = "kubernetes:batch/v1:CronJob"


def _pod(resources, one):
    return one(resources, CRON).inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_schedule_every_six_hours_never_overlapping(program, one, stack):
    spec = one(program(stack), CRON).inputs["spec"]
    assert spec["schedule"] == "0 */6 * * *"
    assert spec["concurrencyPolicy"] == "Forbid"


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_logs_in_with_kubernetes_auth_and_saves_from_the_leader(program, one, config, stack):
    cfg = config(stack)
    pod = _pod(program(stack), one)
    [save] = pod["initContainers"]
    script = save["command"][-1]
    assert f"auth/{cfg.kubernetes_auth.path}/login role={SNAPSHOT_ROLE}" in script
    assert "operator raft snapshot save" in script
    env = {e["name"]: e["value"] for e in save["env"]}
    assert env["VAULT_ADDR"] == f"https://vault-active.{cfg.cluster.namespace}.svc:8200"
    assert env["VAULT_CACERT"].endswith("/ca.crt")
    # the login token is a projected, audience-bound, short-lived service-account token
    [token] = [v for v in pod["volumes"] if v["name"] == "vault-token"]
    projected = token["projected"]["sources"][0]["serviceAccountToken"]
    assert projected["audience"] == cfg.kubernetes_auth.audience
    assert projected["expirationSeconds"] <= 3600
    # the only thing taken from the TLS secret is the CA certificate
    [ca] = [v for v in pod["volumes"] if v["name"] == "ca"]
    assert ca["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_uploads_with_workload_identity_and_no_static_keys(program, one, config, stack):
    cfg = config(stack)
    resources = program(stack)
    pod = _pod(resources, one)
    assert pod["serviceAccountName"] == SNAPSHOT_SERVICE_ACCOUNT
    assert pod["automountServiceAccountToken"] is False
    [upload] = pod["containers"]
    assert f"gs://{cfg.snapshots.bucket}/{stack}/" in upload["command"][-1]
    text = json.dumps(unwrap(dict(one(resources, CRON).inputs)))
    for forbidden in ("GOOGLE_APPLICATION_CREDENTIALS", "private_key", "secretKeyRef", "hmac"):
        assert forbidden not in text
    # the Vault token only ever comes from the login inside the script, never from the pod spec
    env_names = {e["name"] for c in pod["initContainers"] + pod["containers"] for e in c.get("env", [])}
    assert not env_names & {"VAULT_TOKEN", "BAO_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS"}
    assert not any("secret" in v and v["name"] != "ca" for v in pod["volumes"])


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_tls_verification_is_never_skipped(program, one, stack):
    text = json.dumps(unwrap(dict(one(program(stack), CRON).inputs)))
    for forbidden in ("SKIP_VERIFY", "tls-skip-verify", "insecure", "-k "):
        assert forbidden not in text


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_job_pods_are_locked_down(program, one, stack):
    pod = _pod(program(stack), one)
    for container in pod["initContainers"] + pod["containers"]:
        sc = container["securityContext"]
        assert sc["runAsNonRoot"] is True and sc["readOnlyRootFilesystem"] is True
        assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"] == {"drop": ["ALL"]}
        assert container["resources"]["limits"]
        assert ":" in container["image"] and not container["image"].endswith(":latest")


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_both_containers_run_as_one_uid_so_the_0600_snapshot_is_readable(program, one, stack):
    # `vault operator raft snapshot save` writes 0600: a second uid could never upload it
    # (tests/integration/test_snapshot_cronjob.py runs both arrangements).
    pod = _pod(program(stack), one)
    [save], [upload] = pod["initContainers"], pod["containers"]
    assert save["securityContext"]["runAsUser"] == upload["securityContext"]["runAsUser"]
    assert save["securityContext"]["runAsGroup"] == upload["securityContext"]["runAsGroup"]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_parallel_composite_uploads_are_off(program, one, stack):
    # objectCreator cannot delete the temporary components such an upload composes.
    [upload] = _pod(program(stack), one)["containers"]
    env = {e["name"]: e["value"] for e in upload["env"]}
    assert env["CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED"] == "False"


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_each_stage_reports_its_outcome_as_a_json_line(program, one, stack):
    pod = _pod(program(stack), one)
    [save], [upload] = pod["initContainers"], pod["containers"]
    assert '\\"snapshot\\":\\"failed\\",\\"stage\\":\\"save\\"' in save["command"][-1]
    assert '\\"snapshot\\":\\"failed\\",\\"stage\\":\\"upload\\"' in upload["command"][-1]
    assert '{"snapshot":"uploaded","object":"gs://' in upload["command"][-1]
