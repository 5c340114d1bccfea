"""Cluster: match decisions -> persons with stable ids.

Persons are the connected components of the match graph. A person's id is
derived from the smallest ``reporter/record_id`` key among its records, so it
is the same in every rerun on the same input, and when a new submission adds a
record to an existing person the id stays unless a record with a smaller key
joins (record ids are random, so ids say nothing about order or content).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["connected_components", "person_ids"]


def connected_components(
    n: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Component label (the smallest member index) of each of ``n`` nodes."""
    parent = np.arange(n, dtype=np.int64)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def person_ids(labels: npt.NDArray[np.int64], member_keys: Sequence[str]) -> list[str]:
    """Stable person id for each record from its component label and the members' keys."""
    smallest: dict[int, str] = {}
    for lab, key in zip(labels.tolist(), member_keys, strict=True):
        cur = smallest.get(lab)
        if cur is None or key < cur:
            smallest[lab] = key
    ids = {
        lab: "P" + hashlib.sha256(b"linkage/person/v1\x00" + key.encode("utf-8")).hexdigest()[:15]
        for lab, key in smallest.items()
    }
    return [ids[lab] for lab in labels.tolist()]
