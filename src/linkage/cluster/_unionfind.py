"""Union-find over record indices (compiled): persons from match edges streamed in chunks.

Labels are the smallest member index of each component, as
:func:`linkage.cluster.connected_components` defines them, whatever order the
edges come in.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["UnionFind"]


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def _find(parent, x):  # type: ignore[no-untyped-def]
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # path halving
        x = parent[x]
    return x


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def _union(parent, left, right):  # type: ignore[no-untyped-def]
    for q in range(left.shape[0]):
        a = _find(parent, left[q])
        b = _find(parent, right[q])
        if a < b:
            parent[b] = a
        elif b < a:
            parent[a] = b


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def _labels(parent):  # type: ignore[no-untyped-def]
    out = np.empty(parent.shape[0], np.int64)
    count = 0
    for i in range(parent.shape[0]):
        r = _find(parent, i)
        out[i] = r
        count += r == i
    return out, count


class UnionFind:
    """Components of ``n`` records under the edges added so far (``add`` any number of times)."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def add(self, left: npt.ArrayLike, right: npt.ArrayLike) -> None:
        li = np.ascontiguousarray(left, dtype=np.int64)
        ri = np.ascontiguousarray(right, dtype=np.int64)
        if li.shape != ri.shape:
            raise ValueError("left and right must have the same length")
        n = self.parent.shape[0]
        if li.size and (min(int(li.min()), int(ri.min())) < 0 or max(int(li.max()), int(ri.max())) >= n):
            raise ValueError("an edge names a record outside 0..n-1")
        _union(self.parent, li, ri)

    def labels(self) -> npt.NDArray[np.int64]:
        """Each record's component label: the smallest index in its component."""
        out, _ = _labels(self.parent)
        labels: npt.NDArray[np.int64] = out
        return labels

    def components(self) -> int:
        _, count = _labels(self.parent)
        return int(count)
