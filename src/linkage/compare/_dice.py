"""Dice similarity on packed Bloom filters: public entry points and kernel choice.

``dice = 2 |A & B| / (|A| + |B|)``, and 0 when both filters are empty (no
evidence is not agreement). A pair is a candidate when ``dice >= min_score``.

Two implementations that must agree exactly (tests assert it, against the
plain-Python :func:`dice_reference` too):

* ``"numpy"``: the reference (:mod:`linkage.compare._reference`), always there.
* ``"numba"``: compiled, cache-tiled, multi-threaded kernels
  (:mod:`linkage.compare._kernels`) that apply the threshold inside and let only
  candidate pairs out. ``"auto"`` picks it whenever numba imports.

Shapes of work:

* :func:`dice_upper_triangle`: every pair ``i < j`` of one set of filters
  (dedup). Filters are sorted by popcount so that, for each row, the partners
  whose popcount makes the threshold unreachable
  (``2 min(pa, pb) / (pa + pb) < t``) form two tails that are skipped
  (``prune=True``; :class:`DiceStats` says how many pairs that saved).
* :func:`dice_cross`: every pair ``(i in A, j in B)`` (incremental linkage, or
  two blocks of a blocking scheme), pruned the same way.
* :func:`dice_pairs` / :func:`dice_pairs_at_least`: explicit candidate pair
  lists (what a blocking stage produces).
"""

from __future__ import annotations

import itertools
import math
import os
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from linkage.compare._reference import (
    F64,
    I64,
    U64,
    Pairs,
    dice_reference,
    empty_pairs,
    numpy_block,
    numpy_pair_scores,
    popcount,
)
from linkage.errors import LinkageError, MismatchError

__all__ = [
    "HAVE_NUMBA",
    "DiceStats",
    "KernelInfo",
    "default_threads",
    "dice_cross",
    "dice_pairs",
    "dice_pairs_at_least",
    "dice_reference",
    "dice_upper_triangle",
    "iter_dice_upper_triangle",
    "kernel_info",
    "popcount",
]

Kernel = Literal["auto", "numba", "numpy"]

try:
    from linkage.compare import _kernels

    HAVE_NUMBA = True
    _NUMBA_IMPORT_ERROR = ""
except ImportError as exc:  # pragma: no cover - exercised only where numba cannot be installed
    HAVE_NUMBA = False
    _NUMBA_IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

NUMBA_REQUIREMENT = "numba>=0.61,<0.70"
_PREFILTER_S = 1 << 16  # the integer pre-test works in units of 1/S of a Dice point
_L1_TILE_BYTES = 16 * 1024  # a column tile (words x columns x 8 bytes) stays in L1 with room to spare
_L2_ROW_BYTES = 256 * 1024  # the rows of one work chunk stay in L2
_MIN_CHUNK_PAIRS = 2_000_000  # below this a chunk is not worth a thread hand-off
_CHUNKS_PER_THREAD = 8  # dynamic hand-out of chunks evens out shared or uneven cores


# ---------------------------------------------------------------------------
# What runs


@dataclass(frozen=True)
class KernelInfo:
    """Which Dice kernel runs here, and why.

    ``message`` is one line for a terminal (the CLI prints it); it never holds
    data. ``popcount`` names the instruction the compiled kernel is built for.
    """

    kernel: Literal["numba", "numpy"]
    threads: int
    numba_version: str | None
    popcount: str
    message: str


def _popcount_instruction() -> str:
    try:
        import llvmlite.binding as llvm

        feats = os.environ.get("NUMBA_CPU_FEATURES") or llvm.get_host_cpu_features().flatten()
    except (ImportError, RuntimeError, OSError):  # pragma: no cover - llvmlite missing or cannot query the CPU
        return "unknown"
    flags = set(feats.split(","))
    if "+avx512vpopcntdq" in flags:
        return "AVX-512 VPOPCNTDQ (vpopcntq, 8 words per instruction)"
    if "+popcnt" in flags:
        return "POPCNT (one word per instruction; vectorised by table lookup where AVX2 exists)"
    return "no popcount instruction (bit-twiddling fallback)"


def default_threads() -> int:
    """Threads the compiled kernels use when not told: numba's setting (``NUMBA_NUM_THREADS``)."""
    if HAVE_NUMBA:
        import numba

        return max(1, int(getattr(numba.config, "NUMBA_NUM_THREADS", os.cpu_count() or 1)))
    return 1


def kernel_info() -> KernelInfo:
    """Which Dice kernel ``kernel="auto"`` runs, with a one-line message for the terminal."""
    if HAVE_NUMBA:
        import numba

        pc = _popcount_instruction()
        threads = default_threads()
        msg = f"Dice kernel: compiled (numba {numba.__version__}), {threads} thread(s), popcount: {pc}"
        return KernelInfo("numba", threads, numba.__version__, pc, msg)
    msg = (
        "Dice kernel: numpy reference, single-threaded, about 100 times slower than the compiled kernel "
        f"(numba could not be imported: {_NUMBA_IMPORT_ERROR}). Install it with: pip install '{NUMBA_REQUIREMENT}'"
    )
    return KernelInfo("numpy", 1, None, "numpy bitwise_count", msg)


@dataclass
class DiceStats:
    """What one call did; pass an instance as ``stats=`` and it is filled in.

    ``pairs`` is every pair in scope, ``compared`` those whose Dice was
    computed; ``pairs - compared`` were skipped by popcount pruning because
    their popcounts alone rule out reaching the threshold. ``kept`` is the
    number of candidate pairs returned.
    """

    kernel: str = ""
    threads: int = 0
    pairs: int = 0
    compared: int = 0
    kept: int = 0

    @property
    def pruned(self) -> int:
        return self.pairs - self.compared


def _fill(stats: DiceStats | None, kernel: str, threads: int, pairs: int, compared: int, kept: int) -> None:
    if stats is not None:
        stats.kernel, stats.threads = kernel, threads
        stats.pairs, stats.compared, stats.kept = pairs, compared, kept


# ---------------------------------------------------------------------------
# Argument checks


def _as_filters(filters: npt.ArrayLike, name: str = "filters") -> U64:
    arr = np.asarray(filters)
    if arr.ndim != 2:
        raise LinkageError(f"{name} must be a 2-D array (filters x 64-bit words), got {arr.ndim} dimension(s)")
    if arr.dtype != np.uint64 and not np.issubdtype(arr.dtype, np.integer):
        raise LinkageError(f"{name} must hold 64-bit words (uint64), got dtype {arr.dtype}")
    out: U64 = np.ascontiguousarray(arr, dtype=np.uint64)
    return out


def _threshold(min_score: float) -> float:
    t = float(min_score)
    if math.isnan(t):
        raise LinkageError("min_score must be a number, got NaN")
    return t


def _use_numba(kernel: str) -> bool:
    if kernel not in ("auto", "numba", "numpy"):
        raise LinkageError(f"unknown Dice kernel {kernel!r}; expected 'auto', 'numba' or 'numpy'")
    if kernel == "numba" and not HAVE_NUMBA:
        raise LinkageError(f"the compiled Dice kernel needs numba: pip install '{NUMBA_REQUIREMENT}'")
    return HAVE_NUMBA and kernel != "numpy"


def _threads(threads: int | None) -> int:
    if threads is None:
        return default_threads()
    if int(threads) < 1:
        raise LinkageError(f"threads must be at least 1, got {threads}")
    return int(threads)


def _popcounts_for(filters: U64, popcounts: npt.ArrayLike | None) -> I64:
    if popcounts is None:
        return popcount(filters)
    pc: I64 = np.ascontiguousarray(popcounts, dtype=np.int64)
    if pc.shape != (filters.shape[0],):
        raise LinkageError("popcounts must hold one count per filter")
    return pc


def _pair_index(idx: npt.ArrayLike, n: int, name: str) -> I64:
    arr = np.asarray(idx)
    if arr.ndim != 1:
        raise LinkageError(f"{name} must be a 1-D array of row indices")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise LinkageError(f"{name} must hold integer row indices, got dtype {arr.dtype}")
    out: I64 = np.ascontiguousarray(arr, dtype=np.int64)
    if out.size and (int(out.min()) < 0 or int(out.max()) >= n):
        raise LinkageError(f"{name} holds a row index outside 0..{n - 1}")
    return out


# ---------------------------------------------------------------------------
# Compiled path: tiles, pruning bounds, balanced chunks, threads


def prefilter_scale(t: float) -> int:
    """``L`` of the kernel's integer pre-test ``2 * S * inter >= L * (pa + pb)``, ``S = 2**16``.

    Why it never drops a pair the reference keeps: a kept pair has
    ``fl(2 inter / T) >= t`` with ``T = pa + pb > 0``; a correctly rounded
    division is at most ``x (1 + 2**-53)``, so the exact ratio
    ``x = 2 inter / T >= t (1 - 2**-53)`` and ``S x >= S t - 1 >= floor(S t) - 1 = L``
    (``t`` is clamped to ``[-1, 2]``, which changes no outcome: scores lie in
    ``[0, 1]``). When ``T = 0`` both sides are 0 and the pre-test passes, leaving
    the decision to the exact test. A negative ``L`` lets every pair through.
    """
    return math.floor(min(max(t, -1.0), 2.0) * _PREFILTER_S) - 1


@lru_cache(maxsize=64)
def _bounds(bits: int, t: float) -> tuple[I64, I64]:
    lo, hi = _kernels.feasible_bounds(bits, t)
    return lo, hi


def _tile_columns(words: int) -> int:
    return int(max(64, min(4096, (_L1_TILE_BYTES // (8 * words)) // 64 * 64)))


def _column_tiles(cols: U64, cpc: I64, tile: int, lscale: int) -> tuple[U64, I64, I64]:
    nc, words = cols.shape
    nt = max(1, -(-nc // tile))
    padded = np.zeros((nt * tile, words), np.uint64)
    padded[:nc] = cols
    tiles: U64 = np.ascontiguousarray(padded.reshape(nt, tile, words).transpose(0, 2, 1))
    cpc_pad = np.zeros(nt * tile, np.int64)
    cpc_pad[:nc] = cpc
    lb: I64 = cpc_pad * lscale
    return tiles, cpc_pad, lb


def _split(cost: I64, words: int, pieces: int) -> list[tuple[int, int]]:
    """Row ranges of about equal work (pairs compared), each small enough to stay in L2."""
    nr = len(cost)
    cum = np.concatenate([[0], np.cumsum(cost)])
    total = int(cum[-1])
    pieces = max(1, pieces)
    by_cost = np.searchsorted(cum, np.arange(1, pieces) * (total / pieces))
    max_rows = max(64, _L2_ROW_BYTES // (8 * words))
    by_rows = np.arange(max_rows, nr, max_rows)
    bounds = np.unique(np.concatenate([[0], by_cost, by_rows, [nr]]).astype(np.int64))
    return [(int(x), int(y)) for x, y in itertools.pairwise(bounds.tolist()) if y > x]


def _map_threads(fn: Callable[[tuple[int, int]], Any], chunks: Sequence[tuple[int, int]], threads: int) -> list[Any]:
    if threads <= 1 or len(chunks) <= 1:
        return [fn(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=min(threads, len(chunks)), thread_name_prefix="linkage-dice") as pool:
        return list(pool.map(fn, chunks))


@dataclass(frozen=True)
class _Plan:
    """Everything the tile kernel needs for one comparison, built once and shared by all chunks.

    Row ``i`` of ``rows`` is compared with columns ``[rlo[i], rhi[i])`` of
    ``cols``; ``row_map``/``col_map`` take kernel positions back to the caller's
    indices, and ``symmetric`` says both index the same filters (then each pair
    comes out as ``(min, max)``).
    """

    rows: U64
    rpc: I64
    rlo: I64
    rhi: I64
    tiles: U64
    cpc: I64
    lb: I64
    lscale: int
    threshold: float
    row_map: I64
    col_map: I64
    symmetric: bool
    n_left: int
    pairs: int

    @property
    def cost(self) -> I64:
        c: I64 = np.maximum(self.rhi - self.rlo, 0)
        return c

    def chunks(self, pieces: int, rows: tuple[int, int] | None = None) -> list[tuple[int, int]]:
        r0, r1 = (0, self.rows.shape[0]) if rows is None else rows
        return [(a + r0, b + r0) for a, b in _split(self.cost[r0:r1], int(self.rows.shape[1]), pieces)]

    def run(self, chunk: tuple[int, int]) -> tuple[I64, I64, F64, int]:
        """Candidate pairs of rows ``chunk`` in the caller's indices (unsorted) and the pairs compared."""
        kernel = _kernels.tile_kernel_for(int(self.rows.shape[1]))
        i, j, s, compared = kernel(self.rows, self.rpc, self.rlo, self.rhi, chunk[0], chunk[1], self.tiles,
                                   self.cpc, self.lb, self.lscale, self.threshold)
        left, right = self.row_map[i], self.col_map[j]
        if self.symmetric:
            left, right = np.minimum(left, right), np.maximum(left, right)
        return left, right, s, int(compared)


def _plan(rows: U64, rpc: I64, rlo: I64, rhi: I64, cols: U64, cpc: I64, t: float, *, row_map: I64,
          col_map: I64, symmetric: bool, n_left: int, pairs: int) -> _Plan:
    lscale = prefilter_scale(t)
    tiles, cpc_pad, lb = _column_tiles(cols, cpc, _tile_columns(int(rows.shape[1])), lscale)
    return _Plan(rows, rpc, rlo, rhi, tiles, cpc_pad, lb, lscale, t, row_map, col_map, symmetric, n_left, pairs)


def _triangle_plan(f: U64, pc: I64, t: float, start: int, stop: int, prune: bool) -> _Plan:
    n = f.shape[0]
    n_rows = stop - start
    pairs = n_rows * (n - start) - n_rows * (n_rows + 1) // 2
    if prune and start == 0 and stop == n:
        # sorted by popcount, each row's feasible partners are one run of columns after it
        order = np.argsort(pc, kind="stable").astype(np.int64)
        fs = np.ascontiguousarray(f[order])
        ps = np.ascontiguousarray(pc[order])
        lo, hi = _bounds(64 * f.shape[1], t)
        rlo = np.maximum(np.arange(1, n + 1, dtype=np.int64), np.searchsorted(ps, lo[ps], side="left"))
        rhi = np.searchsorted(ps, hi[ps], side="right").astype(np.int64)
        return _plan(fs, ps, rlo, rhi, fs, ps, t, row_map=order, col_map=order, symmetric=True, n_left=n,
                     pairs=pairs)
    rlo = np.arange(1, n_rows + 1, dtype=np.int64)
    rhi = np.full(n_rows, n - start, np.int64)
    return _plan(f[start:stop], pc[start:stop], rlo, rhi, f[start:], pc[start:], t,
                 row_map=np.arange(start, stop, dtype=np.int64), col_map=np.arange(start, n, dtype=np.int64),
                 symmetric=False, n_left=n, pairs=pairs)


@dataclass
class _TileCache:
    """The column tiles of the last filters compared in row ranges (see :func:`_row_range_plan`)."""

    filters: weakref.ref[U64]
    popcounts: weakref.ref[I64]
    key: tuple[int, ...]
    tiles: U64
    cpc: I64
    rlo: I64
    rhi: I64
    index: I64
    lb: dict[int, I64]


_tile_cache: list[_TileCache] = []
_tile_cache_lock = threading.Lock()


def _row_range_plan(f: U64, pc: I64, t: float) -> _Plan:
    """A plan of the whole triangle in the caller's order, whose tiles are kept between calls.

    Callers that split the rows themselves (``start``/``stop`` with
    ``popcounts``) call once per range with the same arrays; building the column
    tiles of every later row on each call would cost as much as comparing a
    small range. The tiles of the last such pair of arrays are kept, recognised
    by identity (weak references), shape and data address; the contract that
    ``popcounts`` are those of ``filters`` already means neither changes
    between calls.
    """
    n, words = f.shape
    key = (f.ctypes.data, pc.ctypes.data, n, words)
    lscale = prefilter_scale(t)
    with _tile_cache_lock:
        hit = next((c for c in _tile_cache if c.key == key and c.filters() is f and c.popcounts() is pc), None)
        if hit is None:
            tiles, cpc, _ = _column_tiles(f, pc, _tile_columns(words), 0)
            idx = np.arange(n, dtype=np.int64)
            hit = _TileCache(weakref.ref(f), weakref.ref(pc), key, tiles, cpc, idx + 1, np.full(n, n, np.int64),
                             idx, {})
            _tile_cache[:] = [hit]
        lb = hit.lb.get(lscale)
        if lb is None:
            lb = hit.cpc * lscale
            hit.lb.clear()
            hit.lb[lscale] = lb
    return _Plan(f, pc, hit.rlo, hit.rhi, hit.tiles, hit.cpc, lb, lscale, t, hit.index, hit.index, False, n,
                 n * (n - 1) // 2)


def _cross_plan(fa: U64, pa: I64, fb: U64, pb: I64, t: float, prune: bool) -> _Plan:
    na, nb = fa.shape[0], fb.shape[0]
    if prune:
        oa = np.argsort(pa, kind="stable").astype(np.int64)
        ob = np.argsort(pb, kind="stable").astype(np.int64)
        fa, pa = np.ascontiguousarray(fa[oa]), np.ascontiguousarray(pa[oa])
        fb, pb = np.ascontiguousarray(fb[ob]), np.ascontiguousarray(pb[ob])
        lo, hi = _bounds(64 * fa.shape[1], t)
        rlo = np.searchsorted(pb, lo[pa], side="left").astype(np.int64)
        rhi = np.searchsorted(pb, hi[pa], side="right").astype(np.int64)
    else:
        oa = np.arange(na, dtype=np.int64)
        ob = np.arange(nb, dtype=np.int64)
        rlo = np.zeros(na, np.int64)
        rhi = np.full(na, nb, np.int64)
    return _plan(fa, pa, rlo, rhi, fb, pb, t, row_map=oa, col_map=ob, symmetric=False, n_left=na, pairs=na * nb)


def _run_plan(plan: _Plan, threads: int, rows: tuple[int, int] | None = None) -> tuple[Pairs, int]:
    """Candidate pairs of a plan (of ``rows`` only, if given), sorted by ``(left, right)``; and the pairs compared."""
    r0, r1 = (0, plan.rows.shape[0]) if rows is None else rows
    total = int(plan.cost[r0:r1].sum())
    pieces = min(threads * _CHUNKS_PER_THREAD, total // _MIN_CHUNK_PAIRS)
    parts = _map_threads(plan.run, plan.chunks(pieces, (r0, r1)), threads)
    if not parts:
        return empty_pairs(), 0
    left = np.concatenate([p[0] for p in parts])
    right = np.concatenate([p[1] for p in parts])
    score = np.concatenate([p[2] for p in parts])
    return _sorted(left, right, score, plan.n_left), sum(p[3] for p in parts)


def _sorted(left: I64, right: I64, score: F64, n_left: int) -> Pairs:
    ol, orr, osc = _kernels.sort_pairs(left, right, score, n_left)
    return ol, orr, osc


def _numba_popcount(filters: U64, threads: int) -> I64:
    out = np.empty(filters.shape[0], np.int64)
    step = max(1, 4_000_000 // max(1, filters.shape[1]))
    chunks = [(s, min(s + step, filters.shape[0])) for s in range(0, filters.shape[0], step)]
    _map_threads(lambda c: _kernels.row_popcounts(filters, out, c[0], c[1]), chunks, threads)
    return out


# ---------------------------------------------------------------------------
# Public entry points


def dice_upper_triangle(
    filters: npt.ArrayLike,
    min_score: float,
    *,
    start: int = 0,
    stop: int | None = None,
    kernel: Kernel = "auto",
    popcounts: npt.ArrayLike | None = None,
    threads: int | None = None,
    prune: bool = True,
    stats: DiceStats | None = None,
) -> Pairs:
    """All pairs ``i < j`` with ``i`` in ``[start, stop)`` whose Dice is at least ``min_score``.

    Returns ``(left, right, score)`` sorted by ``(left, right)``; the same
    arrays from every kernel. ``kernel`` is ``"numpy"``, ``"numba"`` or
    ``"auto"`` (numba when it imports; see :func:`kernel_info`). ``threads``
    (compiled kernel only) defaults to :func:`default_threads`. ``popcounts`` (of
    all filters) saves recounting when a caller splits the rows itself.

    The whole triangle (``start=0, stop=None``) is one parallel, pruned pass:
    call it once rather than in row ranges (or stream it with
    :func:`iter_dice_upper_triangle`). Row ranges are compared as asked, without
    popcount pruning; with ``popcounts`` the column tiles built for the first
    range are kept for the next ranges of the same arrays.
    """
    f = _as_filters(filters)
    t = _threshold(min_score)
    n = f.shape[0]
    stop = n if stop is None else min(int(stop), n)
    start = max(0, int(start))
    use_numba = _use_numba(kernel)
    nthreads = _threads(threads) if use_numba else 1
    name = "numba" if use_numba else "numpy"
    if stop - start <= 0 or n - start < 2:
        _fill(stats, name, nthreads, 0, 0, 0)
        return empty_pairs()
    if not use_numba:
        pc = _popcounts_for(f, popcounts)
        li, ri, sc = numpy_block(f[start:stop], pc[start:stop], f[start:], pc[start:], t, upper=True)
        n_rows = stop - start
        in_scope = n_rows * (n - start) - n_rows * (n_rows + 1) // 2
        _fill(stats, name, 1, in_scope, in_scope, len(li))
        return li + start, ri + start, sc
    if popcounts is not None and not (prune and start == 0 and stop == n):
        # a caller splitting the rows itself: reuse the column tiles across its calls
        pc = _popcounts_for(f, popcounts)
        plan = _row_range_plan(f, pc, t)
        out, compared = _run_plan(plan, nthreads, (start, stop))
        n_rows = stop - start
        _fill(stats, name, nthreads, n_rows * (n - start) - n_rows * (n_rows + 1) // 2, compared, len(out[0]))
        return out
    pc = _numba_popcount(f, nthreads) if popcounts is None else _popcounts_for(f, popcounts)
    plan = _triangle_plan(f, pc, t, start, stop, prune)
    out, compared = _run_plan(plan, nthreads)
    _fill(stats, name, nthreads, plan.pairs, compared, len(out[0]))
    return out


def iter_dice_upper_triangle(
    filters: npt.ArrayLike,
    min_score: float,
    *,
    chunk_pairs: int = 50_000_000,
    threads: int | None = None,
    prune: bool = True,
    stats: DiceStats | None = None,
) -> Iterator[Pairs]:
    """:func:`dice_upper_triangle` of the whole triangle, streamed in pieces.

    Yields ``(left, right, score)`` blocks, each sorted by ``(left, right)``;
    together they hold every candidate pair exactly once (blocks are not in a
    global order). About ``chunk_pairs`` pairs are compared per block and at
    most ``2 * threads`` blocks are in flight, so memory is bounded by the
    candidates of a few blocks, not of the whole run. Compiled kernel only;
    without numba it falls back to the numpy reference in row ranges.
    """
    f = _as_filters(filters)
    t = _threshold(min_score)
    n = f.shape[0]
    if chunk_pairs < 1:
        raise LinkageError(f"chunk_pairs must be at least 1, got {chunk_pairs}")
    if n < 2:
        _fill(stats, "numba" if HAVE_NUMBA else "numpy", _threads(threads) if HAVE_NUMBA else 1, 0, 0, 0)
        return
    if not HAVE_NUMBA:
        rows = max(1, chunk_pairs // max(1, n))
        kept = 0
        for s in range(0, n, rows):
            part = dice_upper_triangle(f, t, start=s, stop=s + rows, kernel="numpy")
            kept += len(part[0])
            yield part
        _fill(stats, "numpy", 1, n * (n - 1) // 2, n * (n - 1) // 2, kept)
        return
    nthreads = _threads(threads)
    plan = _triangle_plan(f, _numba_popcount(f, nthreads), t, 0, n, prune)
    total = int(plan.cost.sum())
    chunks = plan.chunks(max(1, total // chunk_pairs))
    compared = kept = 0
    with ThreadPoolExecutor(max_workers=nthreads, thread_name_prefix="linkage-dice") as pool:
        pending: list[Any] = []
        todo = iter(chunks)
        for c in itertools.islice(todo, 2 * nthreads):
            pending.append(pool.submit(plan.run, c))
        while pending:
            left, right, score, done = pending.pop(0).result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.submit(plan.run, nxt))
            compared += done
            kept += len(left)
            yield _sorted(left, right, score, n)
    _fill(stats, "numba", nthreads, plan.pairs, compared, kept)


def dice_cross(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    min_score: float,
    *,
    kernel: Kernel = "auto",
    threads: int | None = None,
    prune: bool = True,
    stats: DiceStats | None = None,
) -> Pairs:
    """All pairs ``(i, j)``, ``i`` a row of ``a`` and ``j`` a row of ``b``, whose Dice is at least ``min_score``.

    Returns ``(left, right, score)`` with ``left`` indexing ``a`` and ``right``
    indexing ``b``, sorted by ``(left, right)``. For comparing new records with
    stored ones, or one block of a blocking scheme with another.
    """
    fa = _as_filters(a, "a")
    fb = _as_filters(b, "b")
    if fa.shape[1] != fb.shape[1] and fa.shape[0] and fb.shape[0]:
        raise MismatchError("the two sets of filters have different lengths (64-bit words per filter)")
    t = _threshold(min_score)
    use_numba = _use_numba(kernel)
    nthreads = _threads(threads) if use_numba else 1
    na, nb = fa.shape[0], fb.shape[0]
    if na == 0 or nb == 0:
        _fill(stats, "numba" if use_numba else "numpy", nthreads, 0, 0, 0)
        return empty_pairs()
    if not use_numba:
        li, ri, sc = numpy_block(fa, popcount(fa), fb, popcount(fb), t, upper=False)
        _fill(stats, "numpy", 1, na * nb, na * nb, len(li))
        return li, ri, sc
    plan = _cross_plan(fa, _numba_popcount(fa, nthreads), fb, _numba_popcount(fb, nthreads), t, prune)
    out, compared = _run_plan(plan, nthreads)
    _fill(stats, "numba", nthreads, plan.pairs, compared, len(out[0]))
    return out


def dice_pairs(
    filters: npt.ArrayLike,
    left: npt.ArrayLike,
    right: npt.ArrayLike,
    *,
    right_filters: npt.ArrayLike | None = None,
    kernel: Kernel = "auto",
    threads: int | None = None,
) -> F64:
    """Dice of each pair ``(filters[left[k]], filters[right[k]])``, in input order.

    With ``right_filters`` the right indices refer to it instead (pairs across
    two sets, e.g. new records against stored ones).
    """
    fl = _as_filters(filters)
    fr = fl if right_filters is None else _as_filters(right_filters, "right_filters")
    if fr is not fl and fl.shape[1] != fr.shape[1] and fl.shape[0] and fr.shape[0]:
        raise MismatchError("the two sets of filters have different lengths (64-bit words per filter)")
    li = _pair_index(left, fl.shape[0], "left")
    ri = _pair_index(right, fr.shape[0], "right")
    if li.shape != ri.shape:
        raise LinkageError("left and right must have the same length")
    use_numba = _use_numba(kernel)
    if len(li) == 0:
        return np.zeros(0, np.float64)
    if not use_numba:
        lpc = popcount(fl)
        rpc = lpc if fr is fl else popcount(fr)
        return numpy_pair_scores(fl, fr, lpc, rpc, li, ri)
    nthreads = _threads(threads)
    lpc = _numba_popcount(fl, nthreads)
    rpc = lpc if fr is fl else _numba_popcount(fr, nthreads)
    out = np.empty(len(li), np.float64)
    step = max(_MIN_CHUNK_PAIRS // 4, -(-len(li) // (nthreads * _CHUNKS_PER_THREAD)))
    chunks = [(s, min(s + step, len(li))) for s in range(0, len(li), step)]
    _map_threads(lambda c: _kernels.pair_scores(fl, fr, lpc, rpc, li, ri, out, c[0], c[1]), chunks, nthreads)
    return out


def dice_pairs_at_least(
    filters: npt.ArrayLike,
    left: npt.ArrayLike,
    right: npt.ArrayLike,
    min_score: float,
    *,
    right_filters: npt.ArrayLike | None = None,
    kernel: Kernel = "auto",
    threads: int | None = None,
) -> Pairs:
    """The candidate pairs ``(left[k], right[k])`` whose Dice is at least ``min_score``, in input order."""
    t = _threshold(min_score)
    li = np.asarray(left)
    ri = np.asarray(right)
    score = dice_pairs(filters, li, ri, right_filters=right_filters, kernel=kernel, threads=threads)
    keep = score >= t
    return (
        np.ascontiguousarray(li[keep], dtype=np.int64),
        np.ascontiguousarray(ri[keep], dtype=np.int64),
        score[keep],
    )
