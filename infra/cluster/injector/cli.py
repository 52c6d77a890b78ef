"""`vaultctl annotations SERVICE --stack S`: the pod template fragment that gets SERVICE its secrets.

Prints YAML to merge into the workload's `spec.template`: the `vault.hashicorp.com/*` annotations
(the same the stack exports as `pod_annotations_<service>`), the service account, the projected
Vault-audience token the agent logs in with, and the `fsGroup` that lets the app read the files.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> Any:
    # Templates are multi-line: block scalars keep them readable and byte-exact.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(service_name: str, stack: str) -> str:
    from infra.cluster.injector.annotations import pod_annotations, pod_spec_fragment

    cfg = parse_stack_config(read_stack_config(stack))
    service = next((s for s in cfg.services if s.name == service_name), None)
    names = sorted(s.name for s in cfg.services if s.kubernetes)
    if service is None or service.kubernetes is None:
        raise KeyError(
            f"no Kubernetes service {service_name!r} in stack {stack} (services: {', '.join(names)})"
        )
    fragment = {
        "metadata": {"annotations": pod_annotations(service, cfg)},
        "spec": pod_spec_fragment(service, cfg),
    }
    header = (
        f"# {service.name} (stack {stack}, namespace {service.kubernetes.namespace}): merge into the "
        "workload's spec.template.\n# Files appear in /vault/secrets/*.json; nothing goes into env vars.\n"
    )
    return header + yaml.dump(fragment, Dumper=_Dumper, sort_keys=False, width=1000)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vaultctl annotations", description=__doc__.splitlines()[0])
    parser.add_argument("service", help="a Kubernetes service of the catalog")
    parser.add_argument("--stack", required=True, help="prod, staging or local")
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(render(args.service, args.stack))
    except (KeyError, FileNotFoundError, ConfigError) as err:
        print(f"vaultctl annotations: {err.args[0] if isinstance(err, KeyError) else err}", file=sys.stderr)
        return 2
    return 0
