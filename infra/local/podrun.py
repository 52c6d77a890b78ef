"""Run the containers a declared Pod runs, on this machine, as Kubernetes would run them.

Mocks and manifest tests check what the program declares, never what its pods do: a CronJob whose two
containers cannot read each other's files passes every one of them. This runner takes a pod spec from
the program's own declaration (a `DeclaredResource`'s inputs, not a re-rendering), and runs each
container (init containers first, in order, each to completion; then the others) with:

- the same command, args and environment; `overrides` only repoint what names the cluster (e.g.
  `VAULT_ADDR` to the local leader), and `fieldRef`s resolve to the pod's name and namespace;
- the declared `runAsUser`/`runAsGroup`, `fsGroup` and `supplementalGroups` as supplementary groups,
  all capabilities dropped and `no_new_privs` (`setpriv`), `runAsNonRoot` enforced;
- a private mount namespace and a read-only root (`readOnlyRootFilesystem`): the host's /usr and /etc
  read-only, each volume mounted at its mountPath, nothing else writable;
- volumes as the kubelet creates them (kubernetes/kubernetes): `emptyDir` a directory of mode 0777
  (pkg/volume/emptydir/empty_dir.go, `perm`); Secret items with their mode (default 0644); a projected
  service-account token 0600, owned by the pod's single runAsUser when every container has the same one
  (pkg/volume/projected/projected.go, `FsUserFrom` in pkg/volume/util/util.go), else by root; then, with
  an `fsGroup`, every volume chowned to that group and chmod'ed like `SetVolumeOwnership`
  (pkg/volume/volume_linux.go): files |= 0660 (0440 read-only), directories |= setgid + 0770 (0550).
  A file a container creates later keeps the mode its creator gives it (`bao operator raft snapshot
  save` writes 0600), group fsGroup through the setgid directory.
- `vault` replaced by a shim that runs `bao`, and `gcloud storage cp` by a stand-in that writes into a
  local "bucket" folder with the permissions of `roles/storage.objectCreator` (create, never
  overwrite), failing the way gcloud does on a file it cannot read.

Needs root (mount namespaces, setpriv), like a kubelet. Used by the integration tests; `python -m
infra.local.podrun` is not provided on purpose: it runs only the program's own declarations.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.harness import DeclaredResource, unwrap

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # a container's default PATH
GCS_MOUNT = "/gcs"  # where the "bucket" folder appears inside the containers (stand-in only)
# Mode bits SetVolumeOwnership adds (pkg/volume/volume_linux.go: rwMask, roMask, execMask).
RW_MASK, RO_MASK, EXEC_MASK = 0o660, 0o440, 0o110
EMPTYDIR_PERM = 0o777

# Signs a projected service-account token: (namespace, service account, audience, ttl seconds) -> JWT.
TokenSigner = Callable[[str, str, str, int], str]


def pod_spec_of(resource: DeclaredResource) -> dict[str, Any]:
    """The pod template's spec of a declared CronJob, Job, StatefulSet or Deployment."""
    spec = unwrap(dict(resource.inputs)).get("spec") or {}
    if resource.type.endswith(":CronJob"):
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"] if "template" in spec else spec


@dataclass(frozen=True)
class ContainerResult:
    name: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class PodResult:
    containers: list[ContainerResult] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return bool(self.containers) and all(c.returncode == 0 for c in self.containers)

    def logs(self) -> str:
        return "\n".join(f"--- {c.name} (exit {c.returncode})\n{c.stdout}{c.stderr}" for c in self.containers)


@dataclass
class Node:
    """What the kubelet would provide to the pod on this host."""

    workdir: Path
    bao_binary: Path
    bucket_root: Path  # gs://BUCKET/... is bucket_root/BUCKET/...
    secrets: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)  # Secret name -> key -> data
    token_signer: TokenSigner | None = None
    namespace: str = "default"
    pod_name: str = "pod-0"
    overrides: Mapping[str, str] = field(default_factory=dict)  # env values that name the cluster
    # Files an image would hold, as image -> {absolute path in the image: host file}: the runner has no
    # images, so a container sees these on top of the host's read-only /usr (e.g. a plugin binary).
    image_files: Mapping[str, Mapping[str, Path]] = field(default_factory=dict)
    timeout: float = 180.0


# ----------------------------------------------------------------------------------------- volumes


def _effective(pod: Mapping[str, Any], container: Mapping[str, Any], key: str) -> Any:
    own = (container.get("securityContext") or {}).get(key)
    return own if own is not None else (pod.get("securityContext") or {}).get(key)


def _all_containers(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]


def fs_user(pod: Mapping[str, Any]) -> int | None:
    """`FsUserFrom`: the runAsUser shared by every container, or None."""
    # Numbers come back from the engine's protobuf Struct as floats: compare and return ints.
    users = {
        None if u is None else int(u) for u in (_effective(pod, c, "runAsUser") for c in _all_containers(pod))
    }
    return users.pop() if len(users) == 1 and None not in users else None


def _set_ownership(path: Path, fs_group: int, read_only: bool) -> None:
    # SetVolumeOwnership: walk everything, keep the owner, set the group, add the mask.
    for entry in [path, *sorted(path.rglob("*"))]:
        if entry.is_symlink():
            continue
        info = entry.lstat()
        os.chown(entry, info.st_uid, fs_group)
        mask = RO_MASK if read_only else RW_MASK
        if entry.is_dir():
            mask |= stat.S_ISGID | EXEC_MASK
        os.chmod(entry, stat.S_IMODE(info.st_mode) | mask)


def _write(path: Path, data: bytes, mode: int, uid: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chown(path, uid, 0)
    os.chmod(path, mode)


def materialize_volumes(pod: Mapping[str, Any], node: Node, root: Path) -> dict[str, tuple[Path, bool]]:
    """Create each volume as the kubelet would; returns name -> (host dir, read-only volume)."""
    fs_group = (pod.get("securityContext") or {}).get("fsGroup")
    owner = fs_user(pod)
    made: dict[str, tuple[Path, bool]] = {}
    for volume in pod.get("volumes") or []:
        name = volume["name"]
        where = root / "volumes" / name
        where.mkdir(parents=True)
        read_only = True
        if "emptyDir" in volume:
            os.chmod(where, EMPTYDIR_PERM)  # explicit: the process umask would take bits away
            read_only = False
        elif "secret" in volume:
            source = volume["secret"]
            data = node.secrets.get(source["secretName"])
            if data is None:
                raise RuntimeError(f"volume {name}: Secret {source['secretName']!r} is not provided")
            default = source.get("defaultMode", 0o644)
            items = source.get("items") or [{"key": k, "path": k} for k in data]
            for item in items:
                _write(where / item["path"], data[item["key"]], item.get("mode", default))
            os.chmod(where, 0o755)  # noqa: S103 (containers run as other uids and must traverse/execute it)
        elif "projected" in volume:
            for projection in volume["projected"]["sources"]:
                token = projection.get("serviceAccountToken")
                if token is None:
                    raise RuntimeError(f"volume {name}: only serviceAccountToken projections are supported")
                if node.token_signer is None:
                    raise RuntimeError(f"volume {name}: no token signer for a projected token")
                jwt = node.token_signer(
                    node.namespace,
                    pod.get("serviceAccountName", "default"),
                    token.get("audience", ""),
                    int(token.get("expirationSeconds", 3600)),
                )
                default = volume["projected"].get("defaultMode", 0o644)
                # projected.go: 0600 as soon as an fsUser or fsGroup is known, owned by the fsUser.
                mode = 0o600 if owner is not None or fs_group is not None else default
                _write(where / token["path"], jwt.encode(), mode, owner or 0)
            os.chmod(where, 0o755)  # noqa: S103 (containers run as other uids and must traverse/execute it)
        else:
            raise RuntimeError(f"volume {name}: type not supported by the runner: {sorted(volume)}")
        if fs_group is not None:
            _set_ownership(where, int(fs_group), read_only)
        made[name] = (where, read_only)
    return made


# ------------------------------------------------------------------------------------------- shims

_VAULT_SHIM = """#!/bin/sh
# The `vault` CLI of the image, played by OpenBao's `bao` (same commands and VAULT_* variables).
exec /usr/local/bin/bao "$@"
"""

_GCLOUD_STANDIN = r'''#!/usr/bin/python3
"""`gcloud storage cp` stand-in: gs://BUCKET/NAME is GCS_MOUNT/BUCKET/NAME; the caller holds
roles/storage.objectCreator only (create objects; overwriting needs storage.objects.delete)."""
import os, sys

GCS = "@GCS@"


def fail(message, code=1):
    print(f"ERROR: (gcloud.storage.cp) {message}", file=sys.stderr)
    sys.exit(code)


def size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    return int(text[:-1]) * units[text[-1]] if text and text[-1] in units else int(text)


args = sys.argv[1:]
if args[:2] != ["storage", "cp"]:
    fail(f"stand-in supports only `gcloud storage cp`, not {args[:2]}", 2)
rest = [a for a in args[2:] if a != "--no-user-output-enabled"]
flags = [a for a in rest if a.startswith("-")]
if flags:
    fail(f"unrecognized arguments: {' '.join(flags)}", 2)
if len(rest) != 2 or not rest[1].startswith("gs://"):
    fail("usage: gcloud storage cp SOURCE gs://BUCKET/[PREFIX/]", 2)
source, destination = rest
bucket, _, name = destination[len("gs://"):].partition("/")
if not name or name.endswith("/"):
    name += os.path.basename(source)
if not os.path.isdir(os.path.join(GCS, bucket)):
    fail(f"HTTPError 404: The destination bucket gs://{bucket} does not exist.")
try:
    with open(source, "rb") as handle:
        data = handle.read()
except OSError as err:
    fail(f"[Errno {err.errno}] {err.strerror}: '{source}'")
pcu = os.environ.get("CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED", "None")
threshold = size(os.environ.get("CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_THRESHOLD", "150M"))
if pcu.lower() != "false" and len(data) >= threshold:
    # Components are uploaded, composed, then deleted: objectCreator cannot delete them.
    fail("HTTPError 403: caller does not have storage.objects.delete access (parallel composite upload "
         "component cleanup)")
target = os.path.join(GCS, bucket, name)
if os.path.exists(target):
    fail(f"HTTPError 403: caller does not have storage.objects.delete access to gs://{bucket}/{name}")
os.makedirs(os.path.dirname(target), exist_ok=True)
partial = target + ".uploading"
with open(partial, "wb") as handle:
    handle.write(data)
os.replace(partial, target)  # an object appears whole or not at all
if "--no-user-output-enabled" not in args:
    print(f"Copying file://{source} to gs://{bucket}/{name}", file=sys.stderr)
'''


def _shims(root: Path) -> Path:
    shims = root / "shims"
    shims.mkdir()
    for name, text in (("vault", _VAULT_SHIM), ("gcloud", _GCLOUD_STANDIN.replace("@GCS@", GCS_MOUNT))):
        (shims / name).write_text(text)
        os.chmod(shims / name, 0o755)  # noqa: S103 (containers run as other uids and must traverse/execute it)
    (shims / "bao").touch(mode=0o755)  # mount point for the real binary
    os.chmod(shims, 0o755)  # noqa: S103 (containers run as other uids and must traverse/execute it)
    return shims


# ------------------------------------------------------------------------------------------ running


def _env(container: Mapping[str, Any], node: Node) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in container.get("env") or []:
        if "value" in item:
            value = str(item["value"])
        else:
            path = item["valueFrom"]["fieldRef"]["fieldPath"]
            value = {"metadata.name": node.pod_name, "metadata.namespace": node.namespace}.get(path, "")
        # $(VAR) references to earlier variables, as the kubelet expands them.
        for known, known_value in env.items():
            value = value.replace(f"$({known})", known_value)
        env[item["name"]] = value
    env.update(node.overrides)
    env.setdefault("PATH", DEFAULT_PATH)
    return env


def _identity(pod: Mapping[str, Any], container: Mapping[str, Any]) -> tuple[int, int, list[int]]:
    uid = _effective(pod, container, "runAsUser")
    gid = _effective(pod, container, "runAsGroup")
    if uid is None:
        raise RuntimeError(f"container {container['name']}: no runAsUser (the image's user is unknown here)")
    if _effective(pod, container, "runAsNonRoot") and int(uid) == 0:
        raise RuntimeError(f"container {container['name']}: runAsNonRoot with runAsUser 0 (kubelet refuses)")
    sc = pod.get("securityContext") or {}
    groups = [int(g) for g in [*(sc.get("supplementalGroups") or []), sc.get("fsGroup")] if g is not None]
    primary = int(gid if gid is not None else 0)
    return int(uid), primary, sorted({primary, *groups})


def _image_layer(container: Mapping[str, Any], node: Node, newroot: Path) -> list[str]:
    """Overlay the image's files (node.image_files) on the directories they live in: read-only, the
    host's directory underneath (so /bin keeps its shell)."""
    files = node.image_files.get(str(container.get("image", ""))) or {}
    layer = newroot.parent.parent / "image-layers" / container["name"]
    by_dir: dict[str, list[tuple[str, Path]]] = {}
    for path, source in files.items():
        directory, _, name = path.rpartition("/")
        by_dir.setdefault(directory or "/", []).append((name, source))
    lines: list[str] = []
    q, r = shlex.quote, shlex.quote(str(newroot))
    for directory, entries in sorted(by_dir.items()):
        upper = layer / directory.lstrip("/")
        upper.mkdir(parents=True)
        for name, source in entries:
            shutil.copy2(source, upper / name)
        os.chmod(layer, 0o755)  # noqa: S103 (containers run as other uids)
        below = f"/usr{directory}" if directory in ("/bin", "/sbin", "/lib", "/lib64") else directory
        target = f"{r}{q(directory)}"
        lines += [f"rm -f {target}", f"mkdir -p {target}"]
        if Path(below).is_dir():
            lines.append(f"mount -t overlay overlay -o lowerdir={q(str(upper))}:{q(below)} {target}")
        else:
            lines += [f"mount --bind {q(str(upper))} {target}", f"mount -o remount,bind,ro {target}"]
    return lines


def _setup_script(
    container: Mapping[str, Any],
    volumes: Mapping[str, tuple[Path, bool]],
    newroot: Path,
    shims: Path,
    node: Node,
    uid: int,
    gid: int,
    groups: list[int],
) -> str:
    q = shlex.quote
    r = q(str(newroot))
    lines = [
        "set -eu",
        f"mount -t tmpfs -o mode=0755 tmpfs {r}",
        f"mkdir -p {r}/usr {r}/etc {r}/dev {r}/proc",
    ]
    for ro in ("usr", "etc"):
        lines += [f"mount --rbind /{ro} {r}/{ro}", f"mount -o remount,bind,ro {r}/{ro}"]
    lines += [f"mount --rbind /dev {r}/dev", f"mount --rbind /proc {r}/proc"]
    lines += [f"ln -s usr/{d} {r}/{d}" for d in ("bin", "sbin", "lib", "lib64")]
    lines += [
        f"mount --bind {q(str(shims))} {r}/usr/local/bin",
        f"mount --bind {q(str(node.bao_binary))} {r}/usr/local/bin/bao",
        f"mkdir -p {r}{GCS_MOUNT}",
        f"mount --bind {q(str(node.bucket_root))} {r}{GCS_MOUNT}",
    ]
    lines += _image_layer(container, node, newroot)
    for mount in container.get("volumeMounts") or []:
        host, volume_ro = volumes[mount["name"]]
        if mount.get("subPath"):
            # The kubelet bind-mounts the subdirectory; it must exist by then (here: an init container
            # made it), or the container does not start.
            host = host / mount["subPath"]
            if not host.is_dir():
                raise RuntimeError(f"container {container['name']}: subPath {mount['subPath']!r} missing")
        target = f"{r}{q(mount['mountPath'])}"
        lines += [f"mkdir -p {target}", f"mount --bind {q(str(host))} {target}"]
        if mount.get("readOnly") or volume_ro:
            lines.append(f"mount -o remount,bind,ro {target}")
    sc = container.get("securityContext") or {}
    if sc.get("readOnlyRootFilesystem"):
        lines.append(f"mount -o remount,ro {r}")
    argv = [*(container.get("command") or []), *(container.get("args") or [])]
    if not argv:
        raise RuntimeError(
            f"container {container['name']}: no command (the image's entrypoint is unknown here)"
        )
    setpriv = [
        "/usr/bin/setpriv",
        f"--reuid={uid}",
        f"--regid={gid}",
        f"--groups={','.join(map(str, groups))}",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]
    if sc.get("allowPrivilegeEscalation") is False:
        setpriv.append("--no-new-privs")
    workdir = container.get("workingDir", "/")
    lines.append(f"cd {r}")
    lines.append(
        f"exec /usr/sbin/chroot {r} /bin/sh -c {q(f'cd {q(workdir)} && exec ' + shlex.join([*setpriv, '--', *argv]))}"
    )
    return "\n".join(lines)


def run_pod(pod: Mapping[str, Any], node: Node) -> PodResult:
    """Run the pod's init containers then its containers; stop at the first failing init container."""
    if os.geteuid() != 0:
        raise PermissionError("the pod runner needs root (mount namespaces and setpriv), like a kubelet")
    node.workdir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="pod-", dir=node.workdir))
    os.chmod(root, 0o755)  # noqa: S103 (containers run as other uids and must traverse/execute it)
    result = PodResult()
    try:
        volumes = materialize_volumes(pod, node, root)
        shims = _shims(root)
        init, main = pod.get("initContainers") or [], pod.get("containers") or []
        for index, container in enumerate([*init, *main]):
            uid, gid, groups = _identity(pod, container)
            newroot = root / "rootfs" / container["name"]
            newroot.mkdir(parents=True)
            script = _setup_script(container, volumes, newroot, shims, node, uid, gid, groups)
            done = subprocess.run(
                ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script],
                env=_env(container, node),
                capture_output=True,
                text=True,
                timeout=node.timeout,
                check=False,
            )
            result.containers.append(
                ContainerResult(container["name"], done.returncode, done.stdout, done.stderr)
            )
            if done.returncode != 0 and index < len(init):
                break  # restartPolicy Never: a failed init container fails the pod
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def status_lines(result: PodResult) -> list[dict[str, Any]]:
    """The JSON status lines the containers printed (what Cloud Logging turns into jsonPayload)."""
    found = []
    for container in result.containers:
        for line in (container.stdout + container.stderr).splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
    return found
