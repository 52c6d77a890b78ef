"""Audit-log alarms on GCP: log-based metrics and alert policies (filters in `filters`, the query
evaluator tests run them with in `logquery`, the resources in `component`)."""
