"""A rendered manifest's `metadata` as the Kubernetes SDK's typed args.

Manifests are rendered as plain Kubernetes JSON (pure functions, tested directly); where a resource takes
its metadata from one, this gives the constructor the SDK's `ObjectMetaArgs`, so the argument is checked.
The recorded inputs are the same: these four keys are spelled alike in the manifest and the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi_kubernetes as k8s

KEYS = frozenset({"name", "namespace", "labels", "annotations"})


def object_meta(meta: Mapping[str, Any]) -> k8s.meta.v1.ObjectMetaArgs:
    unknown = sorted(set(meta) - KEYS)
    if unknown:
        # A key this does not carry over would be dropped from the resource without a word.
        raise ValueError(f"metadata keys {unknown} are not carried over (known: {sorted(KEYS)})")
    return k8s.meta.v1.ObjectMetaArgs(
        name=meta.get("name"),
        namespace=meta.get("namespace"),
        labels=meta.get("labels"),
        annotations=meta.get("annotations"),
    )
