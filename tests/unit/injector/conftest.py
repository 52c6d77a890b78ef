"""The injector tests share the GKE-layer fixtures."""

from tests.unit.gke_fixtures import config, one, program  # noqa: F401 (pytest fixtures)
