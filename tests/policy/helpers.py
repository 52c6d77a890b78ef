"""Ways a resource's inputs reach the engine, so every rule is exercised on each of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy.proxy import unknown_checking_proxy

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"


def as_mock_secrets(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Every top-level value wrapped the way Pulumi mocks deliver secret inputs."""
    return {key: {SECRET_SIG_KEY: SECRET_SIG_VALUE, "value": value} for key, value in inputs.items()}


def as_crossguard(inputs: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a CrossGuard validator receives: not a dict, lists that are not lists."""
    return unknown_checking_proxy(dict(inputs))


SHAPES: dict[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = {
    "plain": dict,
    "mock-secrets": as_mock_secrets,
    "crossguard-proxy": as_crossguard,
}
