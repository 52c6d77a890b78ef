"""Rendered metadata becomes the SDK's typed args with every key carried over, or is refused."""

from __future__ import annotations

import pytest

from infra.cluster.object_meta import object_meta


def test_every_rendered_key_is_carried_over() -> None:
    meta = {"name": "vault", "namespace": "ns", "labels": {"a": "b"}, "annotations": {"c": "d"}}
    args = object_meta(meta)
    assert (args.name, args.namespace, args.labels, args.annotations) == (
        "vault",
        "ns",
        {"a": "b"},
        {"c": "d"},
    )
    assert object_meta({"name": "x"}).labels is None


def test_a_key_it_would_drop_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\['finalizers'\] are not carried over"):
        object_meta({"name": "vault", "finalizers": ["x"]})
