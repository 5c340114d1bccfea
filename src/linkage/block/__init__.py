"""Block: which record pairs get compared.

This release does not block: every pair is a candidate (a year of reports is a
few thousand records, and the filters are small). :func:`all_pairs_ranges`
splits the upper triangle of all pairs into row ranges of about equal numbers of
pairs, so that the comparison can run in parallel on any executor and each range
yields the pairs ``i < j`` with ``i`` in it.
"""

from __future__ import annotations

import math

__all__ = ["all_pairs_ranges", "pair_count"]


def pair_count(n: int) -> int:
    """Number of unordered pairs among ``n`` records."""
    return n * (n - 1) // 2


def all_pairs_ranges(n: int, pairs_per_chunk: int = 2_000_000) -> list[tuple[int, int]]:
    """Row ranges ``[start, stop)`` covering ``0..n``, each with about ``pairs_per_chunk`` pairs.

    Row ``i`` pairs with the ``n - 1 - i`` rows after it, so early ranges are
    shorter than late ones.
    """
    if n <= 1:
        return [(0, n)] if n else []
    total = pair_count(n)
    k = max(1, math.ceil(total / max(1, pairs_per_chunk)))
    bounds = [0]
    for c in range(1, k):
        # rows before `start` own total * c / k pairs: solve i*(2n - i - 1)/2 = target
        target = total * c / k
        b = 2 * n - 1
        i = int((b - math.sqrt(b * b - 8 * target)) / 2)
        if i > bounds[-1]:
            bounds.append(min(i, n))
    bounds.append(n)
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]]
