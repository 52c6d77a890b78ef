"""The Pulumi program: read + validate config once, build the layers, export outputs."""

from __future__ import annotations

import pulumi

from infra.config import load_stack_config


def main() -> None:
    cfg = load_stack_config()
    pulumi.export("environment", cfg.environment)
