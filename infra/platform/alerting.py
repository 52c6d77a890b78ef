"""Snapshot health on GKE: log-based metrics counting the job's JSON status lines, and Cloud Monitoring
alert policies whose PromQL conditions are the rules in infra/cluster/alerts/snapshot.rules.yaml (the
file `promtool test rules` checks), so what is tested is what alerts.

Why not kube-state-metrics: GKE's managed collection exports no Job/CronJob series by default, so the
previous `kube_job_status_failed` / `kube_cronjob_status_last_successful_time` rules never had data and
could never fire. The job's own log lines exist wherever GKE ships workload logs (`WORKLOADS` logging,
enabled in gke.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_gcp as gcp
import yaml

from infra.cluster.layout import SNAPSHOT_SELECTOR
from infra.cluster.snapshot import STATUS_FIELD
from infra.config import StackConfig
from infra.platform.identity import fixed_name

RULES_FILE = Path(__file__).resolve().parent.parent / "cluster" / "alerts" / "snapshot.rules.yaml"
# Log-based metric name -> the status value it counts. PromQL name: logging_googleapis_com:user_<name>.
METRICS = {"vault_snapshot_uploads": "uploaded", "vault_snapshot_failures": "failed"}
_SEVERITY = {"critical": "CRITICAL", "warning": "WARNING"}


def rule_groups() -> list[dict[str, Any]]:
    return yaml.safe_load(RULES_FILE.read_text())["groups"]


def promql_metric(name: str) -> str:
    return f"logging_googleapis_com:user_{name}"


def _pod_label(key: str) -> str:
    # GKE puts pod labels on log entries as labels."k8s-pod/<key with '.' and '/' as '_'>".
    return "k8s-pod/" + re.sub(r"[./]", "_", key)


def log_filter(cfg: StackConfig, cluster_name: str, status: str) -> str:
    """Entries of the snapshot job's containers in this cluster that report `status`."""
    component = SNAPSHOT_SELECTOR["app.kubernetes.io/component"]
    return " AND ".join(
        [
            'resource.type="k8s_container"',
            f'resource.labels.cluster_name="{cluster_name}"',
            f'resource.labels.namespace_name="{cfg.cluster.namespace}"',
            f'labels."{_pod_label("app.kubernetes.io/component")}"="{component}"',
            f'jsonPayload.{STATUS_FIELD}="{status}"',
        ]
    )


def _seconds(duration: str | None) -> str | None:
    if not duration:
        return None
    units = {"s": 1, "m": 60, "h": 3600}
    return f"{int(duration[:-1]) * units[duration[-1]]}s"


@dataclass(frozen=True)
class SnapshotAlerting:
    metrics: list[gcp.logging.Metric]
    policies: list[gcp.monitoring.AlertPolicy]


def create_snapshot_alerting(
    cfg: StackConfig, cluster: gcp.container.Cluster, opts: pulumi.ResourceOptions
) -> SnapshotAlerting:
    assert cfg.gcp is not None
    project = cfg.gcp.project
    metrics = [
        gcp.logging.Metric(
            name.replace("_", "-"),
            project=project,
            name=name,
            description=f"vault-snapshot job status lines reporting {STATUS_FIELD}={status}",
            # From the cluster's output: the filter names the cluster, and the metric waits for it.
            filter=cluster.name.apply(functools.partial(log_filter, cfg, status=status)),
            metric_descriptor=gcp.logging.MetricMetricDescriptorArgs(
                metric_kind="DELTA", value_type="INT64", unit="1"
            ),
            opts=fixed_name(opts),
        )
        for name, status in METRICS.items()
    ]
    policies = []
    for group in rule_groups():
        for rule in group["rules"]:
            severity = str(rule.get("labels", {}).get("severity", "warning"))
            policies.append(
                gcp.monitoring.AlertPolicy(
                    f"alert-{rule['alert']}",
                    project=project,
                    display_name=f"{rule['alert']} ({cfg.environment})",
                    combiner="OR",
                    severity=_SEVERITY.get(severity, "WARNING"),
                    conditions=[
                        gcp.monitoring.AlertPolicyConditionArgs(
                            display_name=rule["annotations"]["summary"],
                            condition_prometheus_query_language=gcp.monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs(
                                query=rule["expr"],
                                duration=_seconds(rule.get("for")) or "0s",
                                evaluation_interval="60s",
                                alert_rule=rule["alert"],
                                rule_group=group["name"],
                                labels={k: str(v) for k, v in rule.get("labels", {}).items()},
                            ),
                        )
                    ],
                    documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                        content=rule["annotations"]["description"], mime_type="text/markdown"
                    ),
                    # The metrics must exist before a condition can name them.
                    opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=metrics)),
                )
            )
    return SnapshotAlerting(metrics, policies)
