"""Block: which record pairs get compared.

A :class:`Blocking` says which records meet: :class:`AllPairs` (every pair),
:class:`HammingLSH` (bit-sampling LSH over the filters, several bands),
:class:`KeyBlocking` (a key column), combined with ``|`` (or) and ``&`` (and);
every blocking guards against giant blocks (``max_block``). :meth:`Blocking.plan`
resolves it against the records into arrays the compare stage takes
(:func:`linkage.compare.iter_dice_blocked`); :func:`pair_completeness` and
:func:`reduction_ratio` measure it against the all-pairs result.
:func:`default_blocking` is what ``blocking="auto"`` picks.

For all pairs, :func:`all_pairs_ranges` splits the upper triangle of all pairs into row ranges of about equal numbers of
pairs, so that the comparison can run in parallel on any executor and each range
yields the pairs ``i < j`` with ``i`` in it.
"""

from __future__ import annotations

import math

from linkage.block._blocking import (
    AllPairs,
    Blocking,
    BlockPlan,
    HammingLSH,
    KeyBlocking,
    default_blocking,
    pair_completeness,
    reduction_ratio,
)

__all__ = [
    "AllPairs",
    "BlockPlan",
    "Blocking",
    "HammingLSH",
    "KeyBlocking",
    "all_pairs_ranges",
    "default_blocking",
    "pair_completeness",
    "pair_count",
    "reduction_ratio",
]


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
