"""The reference Dice implementations: plain Python and numpy.

These define what every faster kernel must return, bit for bit:
``score = 2.0 * inter / (pa + pb)`` in IEEE double, 0.0 when both filters are
empty (no evidence is not agreement), and a pair is kept when ``score >= t``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Pairs = tuple[I64, I64, F64]

_BLOCK_WORDS = 4_000_000  # words of the (rows x columns x words) AND product per numpy step


def popcount(filters: U64) -> I64:
    """Number of set bits of each filter (last axis = words)."""
    counts: I64 = np.bitwise_count(filters).sum(axis=-1, dtype=np.int64)
    return counts


def dice_reference(a: Sequence[int], b: Sequence[int]) -> float:
    """Plain-Python Dice of two filters given as sequences of 64-bit words."""
    inter = sum((int(x) & int(y)).bit_count() for x, y in zip(a, b, strict=True))
    total = sum(int(x).bit_count() for x in a) + sum(int(y).bit_count() for y in b)
    return 0.0 if total == 0 else 2.0 * inter / total


def empty_pairs() -> Pairs:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)


def numpy_pair_scores(left_f: U64, right_f: U64, lpc: I64, rpc: I64, left: I64, right: I64) -> F64:
    """Dice of ``(left_f[left[k]], right_f[right[k]])`` for every ``k`` (numpy)."""
    out = np.zeros(len(left), dtype=np.float64)
    step = max(1, _BLOCK_WORDS // max(1, left_f.shape[1]))
    for s in range(0, len(left), step):
        li, ri = left[s : s + step], right[s : s + step]
        inter = np.bitwise_count(left_f[li] & right_f[ri]).sum(axis=1, dtype=np.int64)
        total = lpc[li] + rpc[ri]
        part = np.zeros(len(li), dtype=np.float64)
        nz = total > 0
        part[nz] = 2.0 * inter[nz] / total[nz]
        out[s : s + step] = part
    return out


def numpy_block(a: U64, pa: I64, b: U64, pb: I64, min_score: float, *, upper: bool) -> Pairs:
    """Pairs ``(i, j)`` of rows of ``a`` and ``b`` with Dice >= ``min_score`` (numpy).

    With ``upper`` only ``j > i`` (``a`` is then a prefix-aligned slice of ``b``).
    Returned in ``(i, j)`` order.
    """
    na, nb = a.shape[0], b.shape[0]
    if na == 0 or nb == 0:
        return empty_pairs()
    li: list[I64] = []
    ri: list[I64] = []
    sc: list[F64] = []
    step = max(1, min(64, _BLOCK_WORDS // max(1, nb * a.shape[1])))
    cols = np.arange(nb)
    for s in range(0, na, step):
        e = min(na, s + step)
        inter = np.bitwise_count(a[s:e, None, :] & b[None, :, :]).sum(axis=2, dtype=np.int64)
        total = pa[s:e, None] + pb[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(total > 0, 2.0 * inter / np.maximum(total, 1), 0.0)
        keep = score >= min_score
        if upper:
            keep &= cols[None, :] > np.arange(s, e)[:, None]
        r, c = np.nonzero(keep)
        li.append((r + s).astype(np.int64))
        ri.append(c.astype(np.int64))
        sc.append(score[r, c])
    return np.concatenate(li), np.concatenate(ri), np.concatenate(sc)
