"""The pod runner gives containers what the kubelet gives them: volume modes and groups, the declared
users, a read-only root; and its `gcloud storage cp` stand-in fails where the real one would."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from infra.local import podrun

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("setpriv") is None,
    reason="the pod runner needs root, unshare and setpriv (like a kubelet)",
)

FS_GROUP = 1000
BUCKET = "b-test"


@pytest.fixture
def node(tmp_path: Path) -> podrun.Node:
    work = (
        Path("/tmp") / f"podrun-unit-{os.getpid()}"
    )  # pytest's tmp_path is 0700 root: unreadable to uid 100
    bucket_root = work / "gcs"
    (bucket_root / BUCKET).mkdir(parents=True)
    os.chmod(work, 0o755)  # noqa: S103 (the containers run as other uids)
    os.chmod(bucket_root, 0o755)  # noqa: S103 (the containers run as other uids)
    os.chmod(bucket_root / BUCKET, 0o777)  # noqa: S103 (the containers run as other uids)
    fake_bao = work / "bao"
    fake_bao.write_text('#!/bin/sh\necho bao "$@"\n')
    os.chmod(fake_bao, 0o755)  # noqa: S103 (the containers run as other uids)
    yield podrun.Node(
        workdir=work / "pods",
        bao_binary=fake_bao,
        bucket_root=bucket_root,
        secrets={"s": {"ca.crt": b"CA"}},
        token_signer=lambda ns, sa, aud, ttl: f"token-for-{ns}-{sa}-{aud}-{ttl}",
        namespace="vault",
    )
    shutil.rmtree(work, ignore_errors=True)


def _container(name: str, uid: int, script: str, mounts: list[dict], **env: str) -> dict:
    return {
        "name": name,
        "command": ["/bin/sh", "-c", script],
        "env": [{"name": k, "value": v} for k, v in env.items()],
        "securityContext": {
            "runAsUser": uid,
            "runAsGroup": FS_GROUP,
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
        },
        "volumeMounts": mounts,
    }


def _pod(writer_uid: int, reader_uid: int, read: str = "cat /shared/snap") -> dict:
    shared = [{"name": "shared", "mountPath": "/shared"}]
    return {
        "serviceAccountName": "vault-snapshot",
        "securityContext": {"runAsNonRoot": True, "fsGroup": FS_GROUP},
        "initContainers": [
            _container(
                "write",
                writer_uid,
                # As `bao operator raft snapshot save` does: a 0600 file.
                "umask 077; echo data > /shared/snap; stat -c '%a %u %g' /shared/snap; stat -c '%a %g' /shared",
                shared,
            )
        ],
        "containers": [
            _container(
                "read", reader_uid, read, [{"name": "shared", "mountPath": "/shared", "readOnly": True}]
            )
        ],
        "volumes": [{"name": "shared", "emptyDir": {}}],
    }


def test_a_0600_file_in_an_emptydir_is_readable_only_by_its_writers_uid(node):
    other = podrun.run_pod(_pod(100, 65534), node)
    write, read = other.containers
    assert write.returncode == 0, other.logs()
    assert write.stdout.split("\n")[:2] == ["600 100 1000", "2777 1000"]  # setgid dir, fsGroup group
    assert read.returncode != 0 and "Permission denied" in read.stderr
    assert not other.succeeded

    same = podrun.run_pod(_pod(100, 100), node)
    assert same.succeeded, same.logs()
    assert same.containers[1].stdout == "data\n"


def test_root_is_read_only_and_the_identity_is_the_declared_one(node):
    pod = _pod(100, 100, read="id -u; id -G; touch /etc/x /y 2>&1; touch /shared/z 2>&1; true")
    result = podrun.run_pod(pod, node)
    out = result.containers[1].stdout
    assert out.splitlines()[:2] == ["100", "1000"]
    assert out.count("Read-only file system") == 3  # /etc, the root, and the readOnly volume mount


def test_run_as_root_is_refused_when_non_root_is_declared(node):
    with pytest.raises(RuntimeError, match="runAsNonRoot"):
        podrun.run_pod(_pod(0, 100), node)


def test_projected_token_and_secret_modes(node):
    pod = _pod(100, 100, read="stat -c '%a %u %g' /t/token /ca/ca.crt; cat /t/token")
    pod["containers"][0]["volumeMounts"] += [
        {"name": "t", "mountPath": "/t", "readOnly": True},
        {"name": "ca", "mountPath": "/ca", "readOnly": True},
    ]
    pod["volumes"] += [
        {
            "name": "t",
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"audience": "vault", "expirationSeconds": 600, "path": "token"}}
                ]
            },
        },
        {"name": "ca", "secret": {"secretName": "s", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
    ]
    result = podrun.run_pod(pod, node)
    assert result.succeeded, result.logs()
    lines = result.containers[1].stdout.splitlines()
    # One runAsUser for every container: the token is that user's, 0600 | 0440 through fsGroup.
    assert lines[:2] == ["640 100 1000", "644 0 1000"]
    assert lines[2] == "token-for-vault-vault-snapshot-vault-600"


def _upload(node: podrun.Node, script: str, **env: str) -> podrun.PodResult:
    pod = _pod(100, 100, read=script)
    for key, value in env.items():
        pod["containers"][0]["env"].append({"name": key, "value": value})
    return podrun.run_pod(pod, node)


def test_gcloud_stand_in_writes_objects_and_refuses_what_object_creator_cannot(node):
    ok = _upload(node, f"gcloud storage cp --no-user-output-enabled /shared/snap gs://{BUCKET}/prod/")
    assert ok.succeeded, ok.logs()
    assert (node.bucket_root / BUCKET / "prod" / "snap").read_text() == "data\n"
    # Same name again: overwriting needs storage.objects.delete.
    again = _upload(node, f"gcloud storage cp /shared/snap gs://{BUCKET}/prod/")
    assert again.containers[1].returncode == 1 and "storage.objects.delete" in again.containers[1].stderr
    # A parallel composite upload (above the threshold, not disabled) must clean up components: 403.
    composite = _upload(
        node,
        f"gcloud storage cp /shared/snap gs://{BUCKET}/other/",
        CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_THRESHOLD="1",
    )
    assert "parallel composite" in composite.containers[1].stderr
    disabled = _upload(
        node,
        f"gcloud storage cp /shared/snap gs://{BUCKET}/other/",
        CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_THRESHOLD="1",
        CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED="False",
    )
    assert disabled.succeeded, disabled.logs()


def test_gcloud_stand_in_fails_like_gcloud_on_an_unreadable_file(node):
    pod = _pod(100, 65534, read=f"gcloud storage cp /shared/snap gs://{BUCKET}/prod/")
    result = podrun.run_pod(pod, node)
    upload = result.containers[1]
    assert upload.returncode == 1
    assert upload.stderr.startswith("ERROR: (gcloud.storage.cp) [Errno 13] Permission denied: '/shared/snap'")
    assert not (node.bucket_root / BUCKET / "prod").exists()


def test_vault_is_bao(node):
    result = podrun.run_pod(_pod(100, 100, read="vault operator raft snapshot save /x"), node)
    assert result.containers[1].stdout == "bao operator raft snapshot save /x\n"
