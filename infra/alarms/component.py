"""The audit alarms' GCP resources: notification channels, one log-based metric per audit alarm, and an
alert policy on each, for one GCP stack. The filters and conditions are rendered by `infra.alarms.filters`."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.alarms.filters import Alarm, alarms
from infra.config import NotificationChannel, StackConfig
from infra.platform.identity import fixed_name


def _channel(
    cfg: StackConfig, channel: NotificationChannel, opts: pulumi.ResourceOptions
) -> gcp.monitoring.NotificationChannel:
    assert cfg.gcp is not None
    labels, sensitive_labels = None, None
    if channel.type == "email":
        labels = {"email_address": channel.email_address or ""}
    else:
        assert channel.service_key is not None
        # sensitive_labels: the provider never returns it, and Pulumi keeps it encrypted in state.
        sensitive_labels = gcp.monitoring.NotificationChannelSensitiveLabelsArgs(
            service_key=pulumi.Output.secret(channel.service_key.get_secret_value())
        )
    return gcp.monitoring.NotificationChannel(
        f"alarm-channel-{channel.name}",
        project=cfg.gcp.project,
        display_name=f"{channel.name} ({cfg.environment})",
        type=channel.type,
        labels=labels,
        sensitive_labels=sensitive_labels,
        opts=opts,
    )


def _metric(cfg: StackConfig, alarm: Alarm, opts: pulumi.ResourceOptions) -> gcp.logging.Metric:
    assert cfg.gcp is not None
    return gcp.logging.Metric(
        alarm.name.replace("_", "-"),
        project=cfg.gcp.project,
        name=alarm.name,
        description=f"{alarm.title}: audit-log entries of the Vault servers (infra/alarms/filters.py)",
        filter=alarm.filter,
        label_extractors=alarm.labels,
        metric_descriptor=gcp.logging.MetricMetricDescriptorArgs(
            metric_kind="DELTA",
            value_type="INT64",
            unit="1",
            labels=[
                gcp.logging.MetricMetricDescriptorLabelArgs(key=label, value_type="STRING")
                for label in alarm.labels
            ],
        ),
        opts=opts,
    )


@dataclass(frozen=True)
class AuditAlarms:
    channels: list[gcp.monitoring.NotificationChannel]
    metrics: list[gcp.logging.Metric]
    policies: list[gcp.monitoring.AlertPolicy]


def create_audit_alarms(cfg: StackConfig, opts: pulumi.ResourceOptions) -> AuditAlarms:
    """What Cloud Monitoring watches in the audit log, and whom it tells (children of the platform:
    `opts` carries the parent and the APIs to wait for)."""
    assert cfg.gcp is not None
    channels = [(c, _channel(cfg, c, opts)) for c in cfg.alarms.notification_channels]
    metrics: list[gcp.logging.Metric] = []
    policies: list[gcp.monitoring.AlertPolicy] = []
    for alarm in alarms(cfg):
        metric = _metric(cfg, alarm, fixed_name(opts))  # the metric's name is fixed
        targets = [r.id for c, r in channels if c.alerts == "all" or alarm.severity == "CRITICAL"]
        metrics.append(metric)
        policies.append(
            gcp.monitoring.AlertPolicy(
                f"alert-{alarm.name.replace('_', '-')}",
                project=cfg.gcp.project,
                display_name=f"{alarm.title} ({cfg.environment})",
                combiner="OR",
                severity=alarm.severity,
                conditions=[
                    gcp.monitoring.AlertPolicyConditionArgs(
                        display_name=alarm.title,
                        condition_prometheus_query_language=gcp.monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs(
                            query=alarm.condition,
                            duration="0s",
                            evaluation_interval="60s",
                        ),
                    )
                ],
                notification_channels=targets,
                alert_strategy=gcp.monitoring.AlertPolicyAlertStrategyArgs(auto_close="1800s"),
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    content=alarm.documentation, mime_type="text/markdown"
                ),
                # A condition can only name a metric that exists.
                opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[metric])),
            )
        )
    return AuditAlarms([r for _, r in channels], metrics, policies)
