"""Dice within blocks: the pairs a blocking's passes bring together, each compared and returned once.

The blocking stage (:mod:`linkage.block`) describes *which* records meet as
plain arrays (:func:`dice_blocked` documents them); this module compares them.
:func:`dice_blocked_reference` is the plain numpy definition the compiled path
must equal (tests assert it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from linkage.compare._dice import HAVE_NUMBA, _as_filters, _numba_popcount, _sorted, _threads, prefilter_scale
from linkage.compare._reference import F64, I64, Pairs, empty_pairs, numpy_block, popcount
from linkage.errors import LinkageError

__all__ = [
    "BlockedStats",
    "band_bits",
    "dice_block_pass",
    "dice_blocked",
    "dice_blocked_reference",
    "iter_dice_blocked",
    "mark_blocks",
]

U32 = npt.NDArray[np.uint32]
SKIP_BIT = np.uint32(1 << 31)


@dataclass
class BlockedStats:
    """What a blocked comparison did (pass an instance as ``stats=``; it is filled in).

    ``compared`` counts Dice computations (a pair meeting in several passes is
    computed in each, returned once); ``skipped_blocks`` / ``skipped_pairs``
    are blocks larger than ``max_block`` and the pairs inside them that were
    therefore not compared in that pass (another pass may still compare them).
    """

    passes: int = 0
    records: int = 0
    compared: int = 0
    kept: int = 0
    skipped_blocks: int = 0
    skipped_pairs: int = 0


def _check(filters: npt.ArrayLike, band: npt.ArrayLike, group: npt.ArrayLike, keyset: npt.ArrayLike,
           active: npt.ArrayLike | None) -> tuple[npt.NDArray[np.uint64], U32, I64, I64, I64]:
    f = _as_filters(filters)
    n = f.shape[0]
    b = np.ascontiguousarray(band, dtype=np.uint32)
    g = np.ascontiguousarray(group, dtype=np.int64)
    ks = np.ascontiguousarray(keyset, dtype=np.int64)
    if b.ndim != 2 or b.shape[0] != n:
        raise LinkageError("band must have one row per filter and one column per pass")
    if g.ndim != 2 or g.shape[0] != n:
        raise LinkageError("group must have one row per filter and one column per key set")
    if ks.shape != (b.shape[1],):
        raise LinkageError("keyset must name one key set (or -1) per pass")
    if ks.size and (int(ks.max()) >= g.shape[1] or int(ks.min()) < -1):
        raise LinkageError("keyset names a key set that group does not have")
    if b.size and bool((b & SKIP_BIT).any()):
        raise LinkageError("band keys must fit in 31 bits")
    act = np.arange(n, dtype=np.int64) if active is None else np.ascontiguousarray(active, dtype=np.int64)
    if act.size and (int(act.min()) < 0 or int(act.max()) >= n):
        raise LinkageError("active holds a row index outside the filters")
    return f, b, g, ks, act


def iter_dice_blocked(
    filters: npt.ArrayLike,
    band: npt.ArrayLike,
    group: npt.ArrayLike,
    keyset: npt.ArrayLike,
    min_score: float,
    *,
    active: npt.ArrayLike | None = None,
    max_block: int = 100_000,
    threads: int | None = None,
    stats: BlockedStats | None = None,
    inplace: bool = False,
) -> Iterator[Pairs]:
    """The candidate pairs of a blocking, one block of pairs per pass, each pair exactly once.

    In pass ``p`` record ``i`` has the key ``(group[i, keyset[p]], band[i, p])``
    (``keyset[p] == -1``: no group part); records with equal keys are compared.
    ``band`` (records x passes, uint32 below ``2**31``) is copied, unless
    ``inplace`` (then its giant blocks are marked in it, see :func:`mark_blocks`). ``active``
    restricts the records taking part. A block of more than ``max_block``
    records is skipped in that pass and counted in ``stats``. Each yielded
    ``(left, right, score)`` is sorted by ``(left, right)`` with ``left < right``;
    a pair is yielded by the first pass that compares it. Passes run on
    ``threads`` threads; results come back in pass order.
    """
    f, b, g, ks, act = _check(filters, band, group, keyset, active)
    t = float(min_score)
    if math.isnan(t):
        raise LinkageError("min_score must be a number, got NaN")
    if max_block < 2:
        raise LinkageError(f"max_block must be at least 2, got {max_block}")
    n, n_pass = b.shape
    st = stats if stats is not None else BlockedStats()
    st.passes, st.records = n_pass, int(act.size)
    st.compared = st.kept = st.skipped_blocks = st.skipped_pairs = 0
    if n_pass == 0 or act.size < 2:
        return
    if not HAVE_NUMBA:  # pragma: no cover - numba is a core dependency
        yield from _reference_passes(f, b, g, ks, act, t, max_block, st)
        return

    nthreads = _threads(threads)
    marked = mark_blocks(b, g, ks, act, max_block, threads=nthreads, stats=st, inplace=inplace)
    pc = _numba_popcount(f, nthreads)
    with ThreadPoolExecutor(max_workers=nthreads, thread_name_prefix="linkage-block") as pool:
        pending = []
        todo = iter(range(n_pass))
        for p in todo:
            pending.append(pool.submit(dice_block_pass, f, marked, g, ks, act, p, t, popcounts=pc))
            if len(pending) >= 2 * nthreads:
                break
        while pending:
            (li, ri, sc), done = pending.pop(0).result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.submit(dice_block_pass, f, marked, g, ks, act, nxt, t, popcounts=pc))
            st.compared += int(done)
            st.kept += len(li)
            yield li, ri, sc


def _nbits(active: I64) -> int:
    return int(min(22, max(10, math.ceil(math.log2(max(2, active.size))) + 1)))


def mark_blocks(
    band: npt.ArrayLike,
    group: npt.ArrayLike,
    keyset: npt.ArrayLike,
    active: npt.ArrayLike,
    max_block: int,
    *,
    threads: int | None = None,
    stats: BlockedStats | None = None,
    inplace: bool = False,
) -> U32:
    """A copy of ``band`` with bit 31 set for records of blocks larger than ``max_block`` (the giant-block guard).

    Run once before the passes are compared (:func:`dice_block_pass`), so that
    "compared by an earlier pass" means the same thing whatever order or place
    passes run in. Skipped blocks and their pairs are added to ``stats``. With
    ``inplace`` a contiguous uint32 ``band`` is marked itself (no copy of a
    matrix that is 512 MB at a million records and 128 passes).
    """
    b = np.ascontiguousarray(band, dtype=np.uint32)
    if not inplace or b is not band:
        b = b.copy()
    g = np.ascontiguousarray(group, dtype=np.int64)
    ks = np.ascontiguousarray(keyset, dtype=np.int64)
    act = np.ascontiguousarray(active, dtype=np.int64)
    st = stats if stats is not None else BlockedStats()
    if not HAVE_NUMBA:  # pragma: no cover - numba is a core dependency
        raise LinkageError("mark_blocks needs numba")
    from linkage.compare import _blocked_kernels as kb

    nbits = _nbits(act)
    with ThreadPoolExecutor(max_workers=_threads(threads)) as pool:
        marks = list(pool.map(lambda p: kb.mark_oversized(b, g, ks, act, p, nbits, max_block), range(b.shape[1])))
    for sp, sb in marks:
        st.skipped_pairs += int(sp)
        st.skipped_blocks += int(sb)
    return b


def dice_block_pass(
    filters: npt.ArrayLike,
    marked_band: npt.ArrayLike,
    group: npt.ArrayLike,
    keyset: npt.ArrayLike,
    active: npt.ArrayLike,
    p: int,
    min_score: float,
    *,
    popcounts: npt.ArrayLike | None = None,
) -> tuple[Pairs, int]:
    """The candidate pairs pass ``p`` contributes (those no earlier pass compared), and the pairs it compared.

    ``marked_band`` comes from :func:`mark_blocks`. Single-threaded and pure: the
    unit of work an executor (process pool, Dask) runs. Pairs sorted by
    ``(left, right)``.
    """
    if not HAVE_NUMBA:  # pragma: no cover - numba is a core dependency
        raise LinkageError("dice_block_pass needs numba")
    from linkage.compare import _blocked_kernels as kb

    f = _as_filters(filters)
    b = np.ascontiguousarray(marked_band, dtype=np.uint32)
    act = np.ascontiguousarray(active, dtype=np.int64)
    pc = popcount(f) if popcounts is None else np.ascontiguousarray(popcounts, dtype=np.int64)
    run = kb.pass_pairs_for(int(f.shape[1]))
    li, ri, sc, done = run(f, pc, b, np.ascontiguousarray(group, dtype=np.int64),
                           np.ascontiguousarray(keyset, dtype=np.int64), act, int(p), _nbits(act), float(min_score),
                           prefilter_scale(float(min_score)))
    return _sorted(li, ri, sc, f.shape[0]), int(done)


def dice_blocked(
    filters: npt.ArrayLike,
    band: npt.ArrayLike,
    group: npt.ArrayLike,
    keyset: npt.ArrayLike,
    min_score: float,
    *,
    active: npt.ArrayLike | None = None,
    max_block: int = 100_000,
    threads: int | None = None,
    stats: BlockedStats | None = None,
) -> Pairs:
    """:func:`iter_dice_blocked` gathered: every candidate pair once, sorted by ``(left, right)``."""
    parts = list(iter_dice_blocked(filters, band, group, keyset, min_score, active=active, max_block=max_block,
                                   threads=threads, stats=stats))
    if not parts:
        return empty_pairs()
    n = np.asarray(filters).shape[0]
    li = np.concatenate([p[0] for p in parts])
    ri = np.concatenate([p[1] for p in parts])
    sc = np.concatenate([p[2] for p in parts])
    return _sorted(li, ri, sc, n) if HAVE_NUMBA else _lexsorted(li, ri, sc)


def _lexsorted(li: I64, ri: I64, sc: F64) -> Pairs:
    o = np.lexsort((ri, li))
    return li[o], ri[o], sc[o]


def _reference_passes(f: npt.NDArray[np.uint64], b: U32, g: I64, ks: I64, act: I64, t: float, max_block: int,
                      st: BlockedStats) -> Iterator[Pairs]:
    n, n_pass = b.shape
    pc = popcount(f)
    b = b.copy()
    for p in range(n_pass):  # mark oversized blocks first, as the compiled path does
        key = np.stack([g[act, ks[p]] if ks[p] >= 0 else np.zeros(act.size, np.int64), b[act, p].astype(np.int64)])
        _, inv, cnt = np.unique(key, axis=1, return_inverse=True, return_counts=True)
        big = cnt[inv] > max_block
        st.skipped_blocks += int((cnt > max_block).sum())
        st.skipped_pairs += int((cnt[cnt > max_block] * (cnt[cnt > max_block] - 1) // 2).sum())
        b[act[big], p] |= SKIP_BIT
    for p in range(n_pass):
        key = np.stack([g[act, ks[p]] if ks[p] >= 0 else np.zeros(act.size, np.int64), b[act, p].astype(np.int64)])
        _, inv = np.unique(key, axis=1, return_inverse=True)
        li_all: list[I64] = []
        ri_all: list[I64] = []
        sc_all: list[F64] = []
        for blk in np.unique(inv):
            members = np.sort(act[inv == blk])
            if members.size < 2 or bool(b[members[0], p] & SKIP_BIT):
                continue
            st.compared += members.size * (members.size - 1) // 2
            li, ri, sc = numpy_block(f[members], pc[members], f[members], pc[members], t, upper=True)
            li, ri = members[li], members[ri]
            seen = np.zeros(li.size, bool)
            for q in range(p):
                same = (b[li, q] == b[ri, q]) & ((b[li, q] & SKIP_BIT) == 0)
                if ks[q] >= 0:
                    same &= g[li, ks[q]] == g[ri, ks[q]]
                seen |= same
            li_all.append(li[~seen])
            ri_all.append(ri[~seen])
            sc_all.append(sc[~seen])
        if li_all:
            out = _lexsorted(np.concatenate(li_all), np.concatenate(ri_all), np.concatenate(sc_all))
            st.kept += len(out[0])
            yield out


def dice_blocked_reference(
    filters: npt.ArrayLike,
    band: npt.ArrayLike,
    group: npt.ArrayLike,
    keyset: npt.ArrayLike,
    min_score: float,
    *,
    active: npt.ArrayLike | None = None,
    max_block: int = 100_000,
    stats: BlockedStats | None = None,
) -> Pairs:
    """The numpy definition of :func:`dice_blocked` (same pairs, same scores, same order)."""
    f, b, g, ks, act = _check(filters, band, group, keyset, active)
    st = stats if stats is not None else BlockedStats()
    st.passes, st.records = b.shape[1], int(act.size)
    parts = list(_reference_passes(f, b, g, ks, act, float(min_score), max_block, st))
    if not parts:
        return empty_pairs()
    return _lexsorted(*(np.concatenate([p[k] for p in parts]) for k in range(3)))


def band_bits(filters: npt.ArrayLike, positions: npt.ArrayLike, *, threads: int | None = None) -> U32:
    """``out[i, p]``: the bits of filter ``i`` at ``positions[p]`` (``-1`` pads), packed, first bit highest."""
    f = _as_filters(filters)
    pos = np.ascontiguousarray(positions, dtype=np.int64)
    if pos.ndim != 2 or pos.shape[1] > 31:
        raise LinkageError("positions must be passes x (at most 31) filter bit positions")
    if pos.size and int(pos.max()) >= 64 * f.shape[1]:
        raise LinkageError("a position lies outside the filters")
    n = f.shape[0]
    out = np.zeros((n, pos.shape[0]), np.uint32)
    if not HAVE_NUMBA:  # pragma: no cover - numba is a core dependency
        for p in range(pos.shape[0]):
            for q in pos[p][pos[p] >= 0]:
                bit = (f[:, q >> 6] >> np.uint64(q & 63)) & np.uint64(1)
                out[:, p] = (out[:, p] << np.uint32(1)) | bit.astype(np.uint32)
        return out
    from linkage.compare import _blocked_kernels as kb

    nthreads = _threads(threads)
    step = max(1, -(-n // (4 * nthreads)))
    chunks = [(s, min(n, s + step)) for s in range(0, n, step)]
    with ThreadPoolExecutor(max_workers=nthreads) as pool:
        list(pool.map(lambda c: kb.band_bits(f, pos, out, c[0], c[1]), chunks))
    return out
