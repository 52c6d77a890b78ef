"""Telemetry: the scrape object (GMP PodMonitoring or a ServiceMonitor) and the alert rules object.

The rules come from `alerts/vault.rules.yaml`, the same file `promtool test rules` checks.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import yaml

from infra.cluster.layout import HEADLESS_SERVICE, SELECTOR, TLS_SECRET, metadata, service_host
from infra.cluster.services import SCRAPE_LABEL
from infra.config import StackConfig

RULES_FILE = Path(__file__).with_name("alerts") / "vault.rules.yaml"
METRICS_PATH = "/v1/sys/metrics"
SCRAPE_INTERVAL = "30s"


def rule_groups() -> list[dict]:
    # libyaml's SafeLoader when present: the same safe subset, parsed in C.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(RULES_FILE.read_text(), Loader=loader)["groups"]  # noqa: S506 (a SafeLoader)


def podmonitoring_manifest(cfg: StackConfig) -> dict:
    return {
        "apiVersion": "monitoring.googleapis.com/v1",
        "kind": "PodMonitoring",
        "metadata": metadata(cfg, "vault"),
        "spec": {
            "selector": {"matchLabels": dict(SELECTOR)},
            "endpoints": [
                {
                    "port": "https",
                    "scheme": "https",
                    "path": METRICS_PATH,
                    "params": {"format": ["prometheus"]},
                    "interval": SCRAPE_INTERVAL,
                    # Verified against the cluster CA; the name is a SAN of the node certificate.
                    "tls": {
                        "serverName": service_host(cfg, HEADLESS_SERVICE),
                        "ca": {"secret": {"name": TLS_SECRET, "key": "ca.crt"}},
                    },
                }
            ],
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
                    "tlsConfig": {
                        "serverName": service_host(cfg, HEADLESS_SERVICE),
                        "ca": {"secret": {"name": TLS_SECRET, "key": "ca.crt"}},
                    },
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
        "spec": {"groups": rule_groups()},
    }


def scrape_manifest(cfg: StackConfig) -> dict | None:
    scrape = cfg.cluster.telemetry.scrape
    if scrape == "podmonitoring":
        return podmonitoring_manifest(cfg)
    if scrape == "servicemonitor":
        return servicemonitor_manifest(cfg)
    return None


def create_telemetry(
    cfg: StackConfig, opts: pulumi.ResourceOptions
) -> list[k8s.apiextensions.CustomResource]:
    resources = []
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
