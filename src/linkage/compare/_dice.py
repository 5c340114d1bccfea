"""Dice similarity on packed Bloom filters: a reference and fast kernels.

``dice = 2 |A & B| / (|A| + |B|)``, and 0 when both filters are empty (no
evidence is not agreement). Three implementations that must agree exactly
(tests assert it): a plain-Python reference over integers, a numpy version and,
when numba is installed, a compiled parallel kernel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]


def popcount(filters: U64) -> npt.NDArray[np.int64]:
    """Number of set bits of each filter (last axis = words)."""
    counts: npt.NDArray[np.int64] = np.bitwise_count(filters).sum(axis=-1, dtype=np.int64)
    return counts


def dice_reference(a: Sequence[int], b: Sequence[int]) -> float:
    """Plain-Python Dice of two filters given as sequences of 64-bit words."""
    inter = sum(bin(int(x) & int(y)).count("1") for x, y in zip(a, b, strict=True))
    total = sum(bin(int(x)).count("1") for x in a) + sum(bin(int(y)).count("1") for y in b)
    return 0.0 if total == 0 else 2.0 * inter / total


def dice_pairs(filters: U64, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Dice of the pairs ``(filters[left[k]], filters[right[k]])`` (numpy)."""
    pc = popcount(filters)
    inter = np.bitwise_count(filters[left] & filters[right]).sum(axis=1, dtype=np.int64)
    total = pc[left] + pc[right]
    out = np.zeros(len(left), dtype=np.float64)
    nz = total > 0
    out[nz] = 2.0 * inter[nz] / total[nz]
    return out


def _dice_block_numpy(
    filters: U64, pc: npt.NDArray[np.int64], start: int, stop: int, min_score: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    n = filters.shape[0]
    li: list[npt.NDArray[np.int64]] = []
    ri: list[npt.NDArray[np.int64]] = []
    sc: list[npt.NDArray[np.float64]] = []
    step = max(1, min(64, 4_000_000 // max(1, n * filters.shape[1])))
    for s in range(start, stop, step):
        e = min(stop, s + step)
        inter = np.bitwise_count(filters[s:e, None, :] & filters[None, :, :]).sum(axis=2, dtype=np.int64)
        total = pc[s:e, None] + pc[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(total > 0, 2.0 * inter / np.maximum(total, 1), 0.0)
        rows = np.arange(s, e)[:, None]
        keep = (score >= min_score) & (np.arange(n)[None, :] > rows)
        a, b = np.nonzero(keep)
        li.append(a + s)
        ri.append(b.astype(np.int64))
        sc.append(score[a, b])
    if not li:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    return np.concatenate(li).astype(np.int64), np.concatenate(ri), np.concatenate(sc)


try:  # pragma: no cover - exercised when the [fast] extra is installed
    import numba

    @numba.njit(cache=True, nogil=True, inline="always")
    def _dice_nb(filters, pc, i, j):  # type: ignore[no-untyped-def]
        """Dice of rows i and j; popcount of the AND by SWAR, exact integer arithmetic."""
        inter = np.int64(0)
        for k in range(filters.shape[1]):
            x = filters[i, k] & filters[j, k]
            x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
            x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
            x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
            inter += np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))
        total = pc[i] + pc[j]
        return 2.0 * inter / total if total > 0 else 0.0

    @numba.njit(cache=True, nogil=True, parallel=False)
    def _count_block(filters, pc, start, stop, min_score):  # type: ignore[no-untyped-def]
        n = filters.shape[0]
        counts = np.zeros(stop - start, np.int64)
        for i in range(start, stop):
            c = 0
            for j in range(i + 1, n):
                sim = _dice_nb(filters, pc, i, j)
                if sim >= min_score:
                    c += 1
            counts[i - start] = c
        return counts

    @numba.njit(cache=True, nogil=True, parallel=True)
    def _fill_block(filters, pc, start, stop, min_score, offsets, li, ri, sc):  # type: ignore[no-untyped-def]
        n = filters.shape[0]
        for ii in numba.prange(stop - start):
            i = start + ii
            o = offsets[ii]
            for j in range(i + 1, n):
                sim = _dice_nb(filters, pc, i, j)
                if sim >= min_score:
                    li[o] = i
                    ri[o] = j
                    sc[o] = sim
                    o += 1

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False


def _dice_block_numba(
    filters: U64, pc: npt.NDArray[np.int64], start: int, stop: int, min_score: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    counts = _count_block(filters, pc, start, stop, min_score)
    offsets = np.zeros(len(counts), np.int64)
    if len(counts) > 1:
        offsets[1:] = np.cumsum(counts)[:-1]
    total = int(counts.sum())
    li = np.empty(total, np.int64)
    ri = np.empty(total, np.int64)
    sc = np.empty(total, np.float64)
    _fill_block(filters, pc, start, stop, min_score, offsets, li, ri, sc)
    return li, ri, sc


def dice_upper_triangle(
    filters: U64,
    min_score: float,
    *,
    start: int = 0,
    stop: int | None = None,
    kernel: str = "auto",
    popcounts: npt.NDArray[np.int64] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """All pairs ``i < j`` with ``i`` in ``[start, stop)`` whose Dice is at least ``min_score``.

    Returns ``(left, right, score)`` sorted by ``(left, right)``. ``kernel`` is
    ``"numpy"``, ``"numba"`` or ``"auto"`` (numba when installed). Callers that
    split the work into row ranges pass ``popcounts`` (of all filters) once.
    """
    filters = np.ascontiguousarray(filters, dtype=np.uint64)
    n = filters.shape[0]
    stop = n if stop is None else min(stop, n)
    pc = popcount(filters) if popcounts is None else popcounts
    use_numba = HAVE_NUMBA if kernel == "auto" else kernel == "numba"
    if use_numba and not HAVE_NUMBA:
        raise RuntimeError("the numba kernel needs the [fast] extra: pip install 'linkage[fast]'")
    if use_numba:
        li, ri, sc = _dice_block_numba(filters, pc, start, stop, float(min_score))
    else:
        li, ri, sc = _dice_block_numpy(filters, pc, start, stop, float(min_score))
    order = np.lexsort((ri, li))
    return li[order], ri[order], sc[order]
