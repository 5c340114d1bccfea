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

from linkage.cluster._unionfind import UnionFind

__all__ = ["UnionFind", "connected_components", "constrained_components", "person_ids"]


def connected_components(
    n: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Component label (the smallest member index) of each of ``n`` nodes."""
    uf = UnionFind(n)
    uf.add(left, right)
    return uf.labels()


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



def constrained_components(
    n: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    score: npt.NDArray[np.float64],
    groups: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Merge match edges from the strongest down, never joining two records of one group.

    ``groups`` labels each record's submission: a reporter does not report one
    person twice in one submission, so a person holds at most one record per
    submission. An edge that would break this is skipped, which stops the long
    chains that plain connected components build from weak coincidences.
    Labels are the smallest member index, as in :func:`connected_components`.
    """
    parent = list(range(n))
    members: dict[int, set[int]] = {i: {int(groups[i])} for i in range(n)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = np.lexsort((right, left, -np.asarray(score)))
    for k in order.tolist():
        a, b = find(int(left[k])), find(int(right[k]))
        if a == b or members[a] & members[b]:
            continue
        if b < a:
            a, b = b, a
        parent[b] = a
        members[a] |= members.pop(b)
    return np.array([find(i) for i in range(n)], dtype=np.int64)
