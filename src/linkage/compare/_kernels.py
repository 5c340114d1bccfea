"""Compiled Dice kernels (numba). Imported only through :mod:`linkage.compare._dice`.

Layout and method (measurements in ``benchmarks/speed/README.md``):

* Rows are read row-major (``rows[i, k]``: word ``k`` of row ``i``); columns
  come in tiles of ``B`` filters stored word-major (``tiles[t, k, j]``), so the
  loop over the ``B`` columns of a tile is innermost and contiguous. With the
  number of words a compile-time constant (``numba.literally``), LLVM unrolls
  the word loop and vectorises the column loop: one vector AND, one vector
  popcount (``vpopcntq`` where the CPU has AVX-512 VPOPCNTDQ) and one add per
  word for eight pairs at once, with no horizontal sums. A tile is sized to stay
  in L1 while a block of rows streams past it.
* The threshold is applied inside, in two steps. A necessary integer test
  ``2 * S * inter >= L * (pa + pb)`` with ``S = 2**16`` and
  ``L = floor(t * S) - 1`` runs in the vector loop for every pair (only a running
  maximum of ``2 S inter - L pb`` is kept there; a row with a hit is then
  narrowed down by the maxima of 64 and of 8 columns); it can only
  let through pairs a hair below the threshold, never drop one at or above it
  (proof in :func:`linkage.compare._dice.prefilter_scale`). The few pairs it
  lets through get the exact test, which *is* the definition the reference
  uses: ``score = 2.0 * inter / (pa + pb)`` in IEEE double (0.0 when both are
  empty) and ``score >= t``. Results equal the reference bit for bit, ties at
  the threshold included.
* Only pairs that pass leave the kernel, into buffers that double when full.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

SCALE_SHIFT = 17  # 2 * S with S = 2**16


@intrinsic  # type: ignore[misc, unused-ignore]
def ctpop(typingctx, x):  # type: ignore[no-untyped-def]
    """Population count of a 64-bit integer through LLVM's ``llvm.ctpop.i64``.

    LLVM lowers it to the CPU's ``popcnt`` (scalar) or ``vpopcntq`` (vectorised)
    instruction where the target has them, and to a bit-twiddling sequence
    elsewhere. The result is an ``int64`` so sums never mix signedness.
    """
    if not (isinstance(x, types.Integer) and x.bitwidth == 64):  # type: ignore[attr-defined, unused-ignore]
        return None
    sig = types.int64(x)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.ctpop(args[0])

    return sig, codegen


@intrinsic  # type: ignore[misc, unused-ignore]
def cttz(typingctx, x):  # type: ignore[no-untyped-def]
    """Trailing zeros of a non-zero 64-bit integer (``llvm.cttz.i64``: ``tzcnt``/``bsf``)."""
    if not (isinstance(x, types.Integer) and x.bitwidth == 64):  # type: ignore[attr-defined, unused-ignore]
        return None
    sig = types.int64(x)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 1))

    return sig, codegen


@intrinsic  # type: ignore[misc, unused-ignore]
def prefer_wide_vectors(typingctx):  # type: ignore[no-untyped-def]
    """Let LLVM vectorise the calling function with 512-bit registers.

    LLVM tunes recent Intel cores to prefer 256-bit vectors; for this
    popcount-bound loop 512-bit ``vpopcntq`` doubles the throughput (measured:
    731M -> 1,504M pairs/s on one core at 512 bits). The attribute only sets a
    preference: on CPUs without AVX-512 LLVM uses what the CPU has, and results
    never depend on it. If llvmlite ever refuses the string attribute the hint
    is skipped.
    """
    sig = types.none()

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        attrs = builder.function.attributes
        try:
            set.add(attrs, '"prefer-vector-width"="512"')
            set.add(attrs, '"min-legal-vector-width"="512"')
        except (TypeError, AttributeError):  # pragma: no cover - a future llvmlite may store them differently
            return context.get_dummy_value()
        return context.get_dummy_value()

    return sig, codegen


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def _grow(a, m):  # type: ignore[no-untyped-def]
    out = np.empty(max(2 * a.shape[0], 1024), a.dtype)
    out[:m] = a[:m]
    return out


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def tile_kernel(words, rows, rpc, rlo, rhi, r0, r1, tiles, cpc, lb, lscale, threshold):  # type: ignore[no-untyped-def]
    """Pairs ``(i, j)`` with ``i`` in ``[r0, r1)`` and ``j`` in ``[rlo[i], rhi[i])`` scoring >= threshold.

    ``rows`` (n_rows, words) row-major; ``rpc`` their popcounts; ``tiles``
    (n_tiles, words, B) the columns word-major, zero-padded; ``cpc`` and
    ``lb = L * cpc`` per (padded) column. Returns ``(i, j, score, considered)``
    with ``considered`` the number of pairs actually compared.
    """
    numba.literally(words)  # type: ignore[attr-defined, unused-ignore]
    prefer_wide_vectors()  # type: ignore[call-arg, unused-ignore]
    b_cols = tiles.shape[2]
    cap = 1024
    oi = np.empty(cap, np.int64)
    oj = np.empty(cap, np.int64)
    osc = np.empty(cap, np.float64)
    m = 0
    considered = 0
    margin = np.zeros(b_cols, np.int64)
    hits = np.zeros(64, np.int64)
    if r1 <= r0:
        return oi[:0], oj[:0], osc[:0], considered
    clo = rlo[r0]
    chi = rhi[r0]
    for i in range(r0, r1):
        iu = np.uintp(i)
        if rhi[iu] > rlo[iu]:
            clo = min(clo, rlo[iu])
            chi = max(chi, rhi[iu])
    if chi <= clo:
        return oi[:0], oj[:0], osc[:0], considered
    for tix in range(clo // b_cols, (chi - 1) // b_cols + 1):
        ft = tiles[tix]
        base = tix * b_cols
        for i in range(r0, r1):
            a = max(rlo[i], base) - base
            b = min(rhi[i], base + b_cols) - base
            if a >= b:
                continue
            considered += b - a
            pa = rpc[i]
            la = lscale * pa
            # margin = 2 S inter - L pb; the pre-test passes where margin >= L pa. Only the
            # running maximum is kept in the vector loop: one shift, one subtract, one store
            # and one max per eight pairs on top of the popcounts.
            top = np.int64(-(1 << 62))
            # whole vectors only: widen [a, b) to multiples of 8 inside the zero-padded
            # tile (b_cols is a multiple of 64); the exact test below keeps to [a, b)
            for j in range(a & ~7, (b + 7) & ~7):
                # unsigned indices: numba adds no negative-index wraparound, so LLVM sees
                # contiguous loads and vectorises them (with signed ones it emits gathers)
                ju = np.uintp(j)
                s = 0
                for k in range(words):
                    s += ctpop(rows[i, k] & ft[k, ju])  # type: ignore[call-arg, unused-ignore]
                d = (s << SCALE_SHIFT) - lb[np.uintp(base + j)]
                margin[ju] = d
                top = max(top, d)
            if top < la:
                continue
            # the exact test on the few columns the pre-test let through: the maximum of
            # each 64 columns, then, in a group with a hit, its passing columns gathered
            # without branches
            for g in range(a & ~63, b, 64):
                gtop = np.int64(-(1 << 62))
                for j in range(g, g + 64):
                    gtop = max(gtop, margin[np.uintp(j)])
                if gtop < la:
                    continue
                lo_j = max(a, g)
                hi_j = min(b, g + 64)
                cnt = 0
                for j in range(lo_j, hi_j):
                    hits[cnt] = j
                    cnt += margin[j] >= la
                for q in range(cnt):
                    j = hits[q]
                    d = margin[j]
                    s = (d + lb[base + j]) >> SCALE_SHIFT
                    total = pa + cpc[base + j]
                    score = 2.0 * s / total if total > 0 else 0.0
                    if score < threshold:
                        continue
                    if m == oi.shape[0]:
                        oi = _grow(oi, m)
                        oj = _grow(oj, m)
                        osc = _grow(osc, m)
                    oi[m] = i
                    oj[m] = base + j
                    osc[m] = score
                    m += 1
    return oi[:m], oj[:m], osc[:m], considered


@cache
def tile_kernel_for(words: int) -> Callable[..., Any]:
    """:func:`tile_kernel` compiled for ``words`` 64-bit words per filter.

    The word count is a compile-time constant inside (so LLVM unrolls the word
    loop and vectorises over columns). Calling ``tile_kernel(words, ...)`` from
    Python would re-resolve the literal on every call (~0.2 s); this small
    wrapper is resolved once and cached on disk like the kernel.
    """

    @numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
    def run(rows, rpc, rlo, rhi, r0, r1, tiles, cpc, lb, lscale, threshold):  # type: ignore[no-untyped-def]
        return tile_kernel(words, rows, rpc, rlo, rhi, r0, r1, tiles, cpc, lb, lscale, threshold)

    return run  # type: ignore[no-any-return, unused-ignore]


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def pair_scores(left_f, right_f, lpc, rpc, left, right, out, q0, q1):  # type: ignore[no-untyped-def]
    """``out[q] = dice(left_f[left[q]], right_f[right[q]])`` for ``q`` in ``[q0, q1)``."""
    words = left_f.shape[1]
    for q in range(q0, q1):
        i = left[q]
        j = right[q]
        s = 0
        for k in range(words):
            s += ctpop(left_f[i, k] & right_f[j, k])  # type: ignore[call-arg, unused-ignore]
        total = lpc[i] + rpc[j]
        out[q] = 2.0 * s / total if total > 0 else 0.0


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def row_popcounts(filters, out, r0, r1):  # type: ignore[no-untyped-def]
    words = filters.shape[1]
    for i in range(r0, r1):
        s = 0
        for k in range(words):
            s += ctpop(filters[i, k])  # type: ignore[call-arg, unused-ignore]
        out[i] = s


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def sort_pairs(left, right, score, n_left):  # type: ignore[no-untyped-def]
    """Sort pairs by ``(left, right)``: a counting sort on ``left``, then each bucket by ``right``.

    Linear in the number of pairs plus the sort of each row's few partners,
    where a general sort of ``m`` pairs costs ``m log m``. Pairs are unique.
    """
    m = left.shape[0]
    start = np.zeros(n_left + 1, np.int64)
    for q in range(m):
        start[left[q] + 1] += 1
    for i in range(n_left):
        start[i + 1] += start[i]
    pos = start[:-1].copy()
    ol = np.empty(m, np.int64)
    orr = np.empty(m, np.int64)
    osc = np.empty(m, np.float64)
    for q in range(m):
        p = pos[left[q]]
        ol[p] = left[q]
        orr[p] = right[q]
        osc[p] = score[q]
        pos[left[q]] = p + 1
    for i in range(n_left):
        a = start[i]
        b = start[i + 1]
        if b - a <= 32:
            for p in range(a + 1, b):  # insertion sort: buckets are short
                r = orr[p]
                s = osc[p]
                q = p - 1
                while q >= a and orr[q] > r:
                    orr[q + 1] = orr[q]
                    osc[q + 1] = osc[q]
                    q -= 1
                orr[q + 1] = r
                osc[q + 1] = s
        else:
            order = np.argsort(orr[a:b])
            rr = orr[a:b][order]
            ss = osc[a:b][order]
            orr[a:b] = rr
            osc[a:b] = ss
    return ol, orr, osc


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def feasible_bounds(bits, threshold):  # type: ignore[no-untyped-def]
    """For each popcount ``pa``, the popcounts ``pb`` a partner can have and still reach the threshold.

    The intersection of two filters has at most ``min(pa, pb)`` bits, and the
    double division is monotone, so no pair with
    ``2.0 * min(pa, pb) / (pa + pb) < threshold`` can score at or above it.
    That bound rises with ``pb`` up to ``pa`` and falls after, so the feasible
    partners form one interval ``[lo[pa], hi[pa]]`` (empty when ``lo > hi``).
    """
    lo = np.empty(bits + 1, np.int64)
    hi = np.empty(bits + 1, np.int64)
    for pa in range(bits + 1):
        if pa == 0:
            if 0.0 >= threshold:
                lo[pa] = 0
                hi[pa] = bits
            else:
                lo[pa] = 1
                hi[pa] = 0
            continue
        if not (1.0 >= threshold):  # pb == pa gives the best bound, 1.0
            lo[pa] = 1
            hi[pa] = 0
            continue
        # smallest feasible pb <= pa: the bound 2 pb / (pa + pb) rises with pb
        a, b = 0, pa
        while a < b:
            mid = (a + b) // 2
            if 2.0 * mid / (pa + mid) >= threshold:
                b = mid
            else:
                a = mid + 1
        lo[pa] = a
        # largest feasible pb >= pa: the bound 2 pa / (pa + pb) falls as pb grows
        a, b = pa, bits
        while a < b:
            mid = (a + b + 1) // 2
            if 2.0 * pa / (pa + mid) >= threshold:
                a = mid
            else:
                b = mid - 1
        hi[pa] = a
    return lo, hi
