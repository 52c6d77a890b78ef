"""Telemetry: the scrape object (GMP PodMonitoring or a ServiceMonitor), the collector's read access to
the CA-only Secret, and the alert rules object.

The rules come from `alerts/vault.rules.yaml`, the same file `promtool test rules` checks.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import yaml

from infra.cluster import tls_probe
from infra.cluster.layout import CA_SECRET, HEADLESS_SERVICE, SELECTOR, metadata, service_host
from infra.cluster.services import SCRAPE_LABEL
from infra.config import StackConfig

RULES_FILE = Path(__file__).with_name("alerts") / "vault.rules.yaml"
METRICS_PATH = "/v1/sys/metrics"
SCRAPE_INTERVAL = "30s"
# Google Managed Prometheus' collectors (a DaemonSet in gmp-system) read scrape secrets with their own
# service account; they have no Secret access unless granted (GoogleCloudPlatform/prometheus-engine,
# examples/instrumentation/go-synthetic/go-synthetic-basic-auth.yaml).
GMP_COLLECTOR = {"kind": "ServiceAccount", "name": "collector", "namespace": "gmp-system"}
CA_READER = "vault-ca-reader"
PROBE_METRIC = "probe_"


def rule_groups(with_probe: bool = True) -> list[dict]:
    """The alert rules; without the TLS probe, the rules over its series are left out (they would
    wait forever for series nothing exports)."""
    # libyaml's SafeLoader when present: the same safe subset, parsed in C.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    groups = yaml.load(RULES_FILE.read_text(), Loader=loader)["groups"]  # noqa: S506 (a SafeLoader)
    if with_probe:
        return groups
    return [{**g, "rules": [r for r in g["rules"] if PROBE_METRIC not in r["expr"]]} for g in groups]


def _ca() -> dict:
    # The CA-only Secret: readable by the collector without exposing vault-tls (tls.key).
    return {"secret": {"name": CA_SECRET, "key": "ca.crt"}}


def podmonitoring_manifest(cfg: StackConfig) -> dict:
    endpoints = [
        {
            "port": "https",
            "scheme": "https",
            "path": METRICS_PATH,
            "params": {"format": ["prometheus"]},
            "interval": SCRAPE_INTERVAL,
            # Verified against the cluster CA; the name is a SAN of the node certificate.
            "tls": {"serverName": service_host(cfg, HEADLESS_SERVICE), "ca": _ca()},
        }
    ]
    if tls_probe.enabled(cfg):
        endpoints.append(tls_probe.scrape_endpoint(SCRAPE_INTERVAL))
    return {
        "apiVersion": "monitoring.googleapis.com/v1",
        "kind": "PodMonitoring",
        "metadata": metadata(cfg, "vault"),
        "spec": {
            "selector": {"matchLabels": dict(SELECTOR)},
            "endpoints": endpoints,
            # The rules name pods (`{{ $labels.pod }}`): ask for the label instead of relying on a default.
            "targetLabels": {"metadata": ["pod", "container"]},
        },
    }


def servicemonitor_manifest(cfg: StackConfig) -> dict:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": metadata(cfg, "vault"),
        "spec": {
            # The headless service lists every pod (sealed ones too, so VaultSealed can see them).
            "selector": {"matchLabels": {**SELECTOR, **SCRAPE_LABEL}},
            "namespaceSelector": {"matchNames": [cfg.cluster.namespace]},
            "endpoints": [
                {
                    "port": "https",
                    "scheme": "https",
                    "path": METRICS_PATH,
                    "params": {"format": ["prometheus"]},
                    "interval": SCRAPE_INTERVAL,
                    "tlsConfig": {"serverName": service_host(cfg, HEADLESS_SERVICE), "ca": _ca()},
                }
            ],
        },
    }


def rules_manifest(cfg: StackConfig) -> dict | None:
    scrape = cfg.cluster.telemetry.scrape
    if scrape == "none":
        return None
    api, kind = (
        ("monitoring.googleapis.com/v1", "Rules")
        if scrape == "podmonitoring"
        else ("monitoring.coreos.com/v1", "PrometheusRule")
    )
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": metadata(cfg, "vault-alerts"),
        "spec": {"groups": rule_groups(with_probe=tls_probe.enabled(cfg))},
    }


def ca_reader_manifests(cfg: StackConfig) -> list[dict]:
    """Read access for the GMP collector to `vault-ca` and nothing else (resourceNames)."""
    if cfg.cluster.telemetry.scrape != "podmonitoring":
        return []
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": metadata(cfg, CA_READER),
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["secrets"],
                "verbs": ["get", "list", "watch"],
                "resourceNames": [CA_SECRET],
            }
        ],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": metadata(cfg, CA_READER),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": CA_READER},
        "subjects": [dict(GMP_COLLECTOR)],
    }
    return [role, binding]


def scrape_manifest(cfg: StackConfig) -> dict | None:
    scrape = cfg.cluster.telemetry.scrape
    if scrape == "podmonitoring":
        return podmonitoring_manifest(cfg)
    if scrape == "servicemonitor":
        return servicemonitor_manifest(cfg)
    return None


def create_telemetry(cfg: StackConfig, opts: pulumi.ResourceOptions) -> list[pulumi.Resource]:
    resources: list[pulumi.Resource] = []
    for m in ca_reader_manifests(cfg):
        if m["kind"] == "Role":
            resources.append(
                k8s.rbac.v1.Role("ca-reader-role", metadata=m["metadata"], rules=m["rules"], opts=opts)
            )
        else:
            resources.append(
                k8s.rbac.v1.RoleBinding(
                    "ca-reader-binding",
                    metadata=m["metadata"],
                    role_ref=m["roleRef"],
                    subjects=m["subjects"],
                    opts=opts,
                )
            )

    for name, manifest in (("scrape", scrape_manifest(cfg)), ("alerts", rules_manifest(cfg))):
        if manifest is None:
            continue
        resources.append(
            k8s.apiextensions.CustomResource(
                name,
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=opts,
            )
        )
    return resources
