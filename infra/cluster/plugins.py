"""External plugin binaries for the server pods: copied from a digest-pinned plugin image into the
directory the server config names as `plugin_directory`.

The server image stays stock (hashicorp/vault): an init container of the plugin's own image copies its
binary into an emptyDir, and the server mounts the copy read-only at `cluster.plugin_directory`. Vault
runs a registered plugin only from that directory, and only if the binary's sha256 equals the catalog
entry's (`openai.sha256`), so a wrong image fails the catalog write, not the server.

Ownership and modes follow what Vault's optional plugin file check wants ("By default, Vault expects the
plugin directory and files to be owned by the user running Vault. It also expects no write or execute
permissions for group or others", developer.hashicorp.com/vault/docs/v1.10.x/plugins): the init
container runs as the server's uid, creates a subdirectory of the volume (the volume's own root is the
kubelet's, mode 0777 plus the fsGroup bits) and leaves directory and binary 0500. The server mounts that
subdirectory (`subPath`), so `plugin_directory` is owned by the server user and nobody can write it.

The plugin process talks to the server over a Unix socket in the temp dir: /tmp is the pod's writable
emptyDir, so the read-only root filesystem does not get in the way.
"""

from __future__ import annotations

from infra.cluster.layout import server_container_security_context
from infra.config import StackConfig

VOLUME = "plugins"
# Where the init container sees the volume; the server sees only SUBDIR, at cluster.plugin_directory.
STAGING_DIR = "/plugin-volume"
SUBDIR = "plugins"
INIT_CONTAINER = "openai-plugin"


def enabled(cfg: StackConfig) -> bool:
    return cfg.openai is not None and cfg.cluster.plugin_directory is not None


def copy_script(binary_path: str, command: str) -> str:
    """The init container's shell script (the plugin image's /bin/sh). Idempotent: a restarted pod may
    find the previous copy, which is 0500 and must be made writable before it is replaced."""
    target = f"{STAGING_DIR}/{SUBDIR}"
    return "\n".join(
        [
            "set -eu",
            "umask 077",
            f'd="{target}"',
            'if [ -e "$d" ]; then chmod -R u+w "$d"; rm -rf "$d"; fi',
            'mkdir "$d"',
            f'cp "{binary_path}" "$d/{command}"',
            f'chmod 0500 "$d/{command}" "$d"',
            # For the operator comparing with openai.sha256 (`kubectl logs POD -c openai-plugin`).
            f'if command -v sha256sum >/dev/null; then sha256sum "$d/{command}"; fi',
        ]
    )


def init_containers(cfg: StackConfig) -> list[dict]:
    if not enabled(cfg):
        return []
    assert cfg.openai is not None
    return [
        {
            "name": INIT_CONTAINER,
            "image": cfg.openai.image,
            "imagePullPolicy": "IfNotPresent",
            "command": ["/bin/sh", "-c", copy_script(cfg.openai.binary_path, cfg.openai.command)],
            "resources": {
                "requests": {"cpu": "50m", "memory": "32Mi"},
                "limits": {"cpu": "250m", "memory": "64Mi"},
            },
            "securityContext": server_container_security_context(),
            "volumeMounts": [{"name": VOLUME, "mountPath": STAGING_DIR}],
        }
    ]


def volumes(cfg: StackConfig) -> list[dict]:
    return [{"name": VOLUME, "emptyDir": {"sizeLimit": "256Mi"}}] if enabled(cfg) else []


def server_mounts(cfg: StackConfig) -> list[dict]:
    if not enabled(cfg):
        return []
    return [{"name": VOLUME, "mountPath": cfg.cluster.plugin_directory, "subPath": SUBDIR, "readOnly": True}]
