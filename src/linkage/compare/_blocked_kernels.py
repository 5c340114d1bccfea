"""Compiled kernels for comparing within blocks (numba). Imported only through :mod:`linkage.compare._blocked`.

A blocking is a list of *passes*. In pass ``p`` record ``i`` has the key
``(group[i, keyset[p]], band[i, p])``: a group id from deterministic keys (or
0 when the pass has none) and up to 31 sampled filter bits (or 0). Two records
are compared in pass ``p`` when their keys are equal; bit 31 of ``band[i, p]``
marks a record whose block in that pass was too large and was skipped.
A pair is emitted by the first pass that compares it, so every pair comes out
once however many passes it collides in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numba
import numpy as np

from linkage.compare._kernels import _grow, ctpop, prefer_wide_vectors

SKIPPED = np.uint32(1 << 31)


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def band_bits(filters, positions, out, r0, r1):  # type: ignore[no-untyped-def]
    """``out[i, p]`` = the bits of filter ``i`` at ``positions[p, :]`` (``-1`` ends a band), packed."""
    n_pass, r = positions.shape
    for i in range(r0, r1):
        for p in range(n_pass):
            key = np.uint32(0)
            for q in range(r):
                pos = positions[p, q]
                if pos < 0:
                    break
                bit = (filters[i, pos >> 6] >> np.uint64(pos & 63)) & np.uint64(1)
                key = (key << np.uint32(1)) | np.uint32(bit)
            out[i, p] = key


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def _mix(g, b):  # type: ignore[no-untyped-def]
    x = np.uint64(g) * np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(b) * np.uint64(0xC2B2AE3D27D4EB4F)
    x ^= x >> np.uint64(31)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(29)
    return x


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def _buckets(band, group, keyset, active, p, nbits):  # type: ignore[no-untyped-def]
    """Records of ``active`` ordered by a hash of their pass-``p`` key (counting sort), and bucket starts."""
    n = active.shape[0]
    ks = keyset[p]
    nb = 1 << nbits
    mask = np.uint64(nb - 1)
    bucket = np.empty(n, np.int64)
    start = np.zeros(nb + 1, np.int64)
    for x in range(n):
        i = active[x]
        g = group[i, ks] if ks >= 0 else 0
        h = np.int64(_mix(g, band[i, p] & np.uint32(0x7FFFFFFF)) & mask)
        bucket[x] = h
        start[h + 1] += 1
    for c in range(nb):
        start[c + 1] += start[c]
    pos = start[:-1].copy()
    order = np.empty(n, np.int64)
    for x in range(n):
        hx = bucket[x]
        order[pos[hx]] = active[x]
        pos[hx] += 1
    return order, start


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def mark_oversized(band, group, keyset, active, p, nbits, max_block):  # type: ignore[no-untyped-def]
    """Mark (bit 31 of ``band[:, p]``) the records of pass ``p``'s blocks larger than ``max_block``.

    Run for every pass before any pass is compared, so that the "compared by an
    earlier pass" test sees the same blocks whatever order passes run in.
    Returns ``(skipped_pairs, skipped_blocks)``.
    """
    order, start = _buckets(band, group, keyset, active, p, nbits)
    ks = keyset[p]
    skipped_pairs = 0
    skipped_blocks = 0
    for h in range(start.shape[0] - 1):
        a = start[h]
        b = start[h + 1]
        if b - a <= max_block:
            continue
        # a hash bucket may hold several keys: find the blocks (equal keys) inside it
        members = order[a:b]
        key = np.empty(b - a, np.int64)
        for x in range(b - a):
            i = members[x]
            g = group[i, ks] if ks >= 0 else 0
            key[x] = (np.int64(g) << 31) | np.int64(band[i, p])
        srt = np.argsort(key, kind="mergesort")
        x = 0
        while x < b - a:
            y = x + 1
            while y < b - a and key[srt[y]] == key[srt[x]]:
                y += 1
            s = y - x
            if s > max_block:
                skipped_pairs += s * (s - 1) // 2
                skipped_blocks += 1
                for z in range(x, y):
                    band[members[srt[z]], p] |= np.uint32(1 << 31)
            x = y
    return skipped_pairs, skipped_blocks


@numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
def pass_pairs(words, filters, pc, band, group, keyset, active, p, nbits, threshold, lscale):  # type: ignore[no-untyped-def]
    """Candidate pairs of pass ``p``: equal keys, Dice >= threshold, not compared by an earlier pass.

    ``active`` lists the records that take part (e.g. those with a non-empty
    filter). Records are bucketed by a hash of their key; records of blocks
    larger than ``max_block`` were marked by :func:`mark_oversized` and are
    skipped here. Each bucket's members are gathered once into word-major
    scratch, so the pair loop reads nothing from the large record arrays and
    vectorises over partners like the tile kernel (``words`` is a compile-time
    constant). The integer pre-test of the tile kernel (``lscale``, see
    :func:`linkage.compare._dice.prefilter_scale`) spares the division for pairs
    that cannot reach the threshold. Returns ``(left, right, score, compared)``
    with left < right.
    """
    numba.literally(words)  # type: ignore[attr-defined, unused-ignore]
    prefer_wide_vectors()  # type: ignore[call-arg, unused-ignore]
    ks = keyset[p]
    order, start = _buckets(band, group, keyset, active, p, nbits)
    biggest = 8
    for h in range(start.shape[0] - 1):
        biggest = max(biggest, start[h + 1] - start[h])
    width = (biggest + 7) & ~7
    loc_i = np.empty(width, np.int64)
    loc_b = np.empty(width, np.uint32)
    loc_g = np.zeros(width, np.int64)
    loc_pc = np.zeros(width, np.int64)
    loc_w = np.zeros((words, width), np.uint64)
    inter = np.zeros(width, np.int64)
    margin = np.zeros(width, np.int64)
    cap = 1024
    oi = np.empty(cap, np.int64)
    oj = np.empty(cap, np.int64)
    osc = np.empty(cap, np.float64)
    m = 0
    compared = 0
    for h in range(start.shape[0] - 1):
        a = start[h]
        s = start[h + 1] - a
        if s < 2:
            continue
        mixed = False  # a hash bucket rarely holds two keys; check pairs' keys only if it does
        for x in range(s):
            i = order[a + x]
            loc_i[x] = i
            loc_b[x] = band[i, p]
            if ks >= 0:
                loc_g[x] = group[i, ks]
            loc_pc[x] = pc[i]
            for k in range(words):
                loc_w[k, np.uintp(x)] = filters[i, k]
            mixed |= loc_b[x] != loc_b[0] or loc_g[x] != loc_g[0]
        for x in range(s):
            bi = loc_b[x]
            if (bi & np.uint32(1 << 31)) != 0:
                continue  # in a block larger than max_block
            gi = loc_g[x]
            pa = loc_pc[x]
            y0 = x + 1
            la = lscale * pa
            top = np.int64(-(1 << 62))
            for y in range(y0, s):
                yu = np.uintp(y)
                c = 0
                for k in range(words):
                    c += ctpop(loc_w[k, np.uintp(x)] & loc_w[k, yu])  # type: ignore[call-arg, unused-ignore]
                inter[yu] = c
                d = (c << 17) - lscale * loc_pc[yu]
                margin[yu] = d
                top = max(top, d)
            if mixed:
                for y in range(y0, s):
                    compared += loc_b[y] == bi and loc_g[y] == gi
            else:
                compared += s - y0
            if top < la:
                continue
            for y in range(y0, s):
                if margin[y] < la:
                    continue
                if mixed and (loc_b[y] != bi or loc_g[y] != gi):
                    continue
                total = pa + loc_pc[y]
                score = 2.0 * inter[y] / total if total > 0 else 0.0
                if score < threshold:
                    continue
                i = loc_i[x]
                j = loc_i[y]
                seen = False
                for q in range(p):
                    bq = band[i, q]
                    if bq != band[j, q] or (bq & np.uint32(1 << 31)) != 0:
                        continue
                    kq = keyset[q]
                    if kq >= 0 and group[i, kq] != group[j, kq]:
                        continue
                    seen = True
                    break
                if seen:
                    continue
                if m == oi.shape[0]:
                    oi = _grow(oi, m)
                    oj = _grow(oj, m)
                    osc = _grow(osc, m)
                oi[m] = min(i, j)
                oj[m] = max(i, j)
                osc[m] = score
                m += 1
    return oi[:m], oj[:m], osc[:m], compared


@cache
def pass_pairs_for(words: int) -> Callable[..., Any]:
    """:func:`pass_pairs` compiled for ``words`` 64-bit words per filter (resolved once, cached on disk)."""

    @numba.njit(nogil=True, cache=True)  # type: ignore[misc, unused-ignore]
    def run(filters, pc, band, group, keyset, active, p, nbits, threshold, lscale):  # type: ignore[no-untyped-def]
        return pass_pairs(words, filters, pc, band, group, keyset, active, p, nbits, threshold, lscale)

    return run  # type: ignore[no-any-return, unused-ignore]
