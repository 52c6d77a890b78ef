"""Fixtures for the GKE layers (tests/unit/cluster, tests/unit/platform): the program per stack under mocks, with realistic provider outputs.

Under the plain mocks a resource's outputs are its inputs, so pulumi-tls PEMs and the GKE endpoint
would be empty; the hook fills them in so the objects built from them (the TLS Secret, the kubeconfig)
can be checked. `protect` is not part of the mocks' resource args: the monitor is wrapped to record it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from infra import harness
from infra.config import StackConfig, parse_stack_config
from infra.harness import DeclaredResource, run_program

FAKE_API_ADDRESS = "10.10.0.50"  # what GCP would reserve in the nodes' subnet for the API's load balancer
FAKE_DNS_ENDPOINT = "gke-0123456789abcdef-123456789012.europe-west1.gke.goog"
FAKE_OUTPUTS = {
    "tls:index/privateKey:PrivateKey": {"privateKeyPem": "-----BEGIN PRIVATE KEY-----\nFAKE-KEY\n"},
    "tls:index/selfSignedCert:SelfSignedCert": {"certPem": "-----BEGIN CERTIFICATE-----\nFAKE-CA\n"},
    "tls:index/locallySignedCert:LocallySignedCert": {"certPem": "-----BEGIN CERTIFICATE-----\nFAKE-NODE\n"},
    "tls:index/certRequest:CertRequest": {"certRequestPem": "-----BEGIN CERTIFICATE REQUEST-----\n"},
    "gcp:container/cluster:Cluster": {
        "endpoint": "172.16.0.2",
        "masterAuth": {"clusterCaCertificate": "R0tFLUNB"},
        "controlPlaneEndpointsConfig": {
            "dnsEndpointConfig": {"endpoint": FAKE_DNS_ENDPOINT, "allowExternalTraffic": True}
        },
    },
    "gcp:compute/address:Address": {"address": FAKE_API_ADDRESS},
}


def _hook(resource: DeclaredResource) -> Mapping[str, Any]:
    return FAKE_OUTPUTS.get(resource.type, {})


class Program:
    def __init__(self) -> None:
        self._runs: dict[str, list[DeclaredResource]] = {}
        self.protected: dict[tuple[str, str], bool] = {}

    def __call__(self, stack: str) -> list[DeclaredResource]:
        if stack not in self._runs:
            original = harness._Monitor.RegisterResource
            protected = self.protected

            def register(monitor: Any, request: Any) -> Any:
                protected[(stack, request.name)] = bool(request.protect)
                return original(monitor, request)

            harness._Monitor.RegisterResource = register  # type: ignore[method-assign]
            try:
                self._runs[stack] = run_program(stack, hook=_hook)
            finally:
                harness._Monitor.RegisterResource = original  # type: ignore[method-assign]
        return self._runs[stack]


@pytest.fixture(scope="session")
def program() -> Program:
    return Program()


@pytest.fixture(scope="session")
def config() -> Callable[[str], StackConfig]:
    return lambda stack: parse_stack_config(harness.read_stack_config(stack))


def _one(resources: list[DeclaredResource], type_token: str, name: str | None = None) -> DeclaredResource:
    # The agent injector (a component of the cluster layer) has its own TLS, Service, PDB...: its tests
    # look at it by name; "the" one of a type is the Vault server's.
    found = [
        r
        for r in resources
        if r.type == type_token
        and (name is None or r.name == name)
        and (name is not None or ":AgentInjector" not in r.urn)
    ]
    assert len(found) == 1, f"expected one {type_token} {name or ''}, found {[r.name for r in found]}"
    return found[0]


@pytest.fixture(scope="session")
def one() -> Callable[..., DeclaredResource]:
    """The single declared resource of a type (and name): fails when there are none or several."""
    return _one
