"""Pattern-mining cryptanalysis: find each token's bits without the key, then read the filters.

The attack of Christen, Vidanage, Ranbaduge and Schnell (*Pattern-mining based
cryptanalysis of Bloom filters for privacy-preserving record linkage*, PAKDD
2018) and Christen, Ranbaduge, Vatsalan and Schnell (*Precise and fast
cryptanalysis for Bloom filter based privacy-preserving record linkage*, IEEE
TKDE 2019), adapted to the token model of :mod:`linkage.encode`.

What the attacker holds (see :mod:`linkage.privacy._common`): the packed filters
and presence masks, background frequencies from another population, and the
encoding *method* from the public schema (token types per field, bits per token,
filter length) but not the key. A token sets the same ``k`` bits in every filter
that contains it, so its bit positions are a set of filter columns that are set
together in a share of the filters that matches the token's frequency.

1. **Mining** (:func:`mine_bit_patterns`). Column co-occurrence ``B.T @ B`` (a
   float32 matrix product) gives, for every column, a greedy clique of columns
   that co-occur far more often than chance; the filters that have all of them
   are a pure sample of one token's filters, and the columns set in *every* one
   of those filters (the closure) are that token's bits plus the bits of the
   tokens it implies (a country implies its continent). A pattern is a closed
   pair (columns, filters). Chance filters that slipped in are removed by a
   tolerant closure; a wrong seed column by dropping a column when filters that
   lack only that column appear. Bits already explained by found patterns are
   masked and the search repeats, so that rarer tokens surface; and a pattern's
   *own* columns (those not explained by smaller token patterns inside it) are
   closed again, which separates a token from the token it was found together
   with. A pattern is *token-like* when it has at least about ``k`` own columns.
2. **Labelling**, per field type, by frequency rank and plausibility (the
   patterns of one field's values are mutually exclusive, a country lies inside
   its continent, and so on):

   * sex: the mutually exclusive patterns of ``k`` bits whose sizes best match
     the background frequencies of the values, assigned by rank;
   * country: continents the same way, then the codes inside each continent;
   * year: neighbourhood tokens of adjacent years share filters and tokens two
     years apart share fewer, so the neighbourhood patterns form a chain that
     gives the order of the years; the chain is oriented and placed by matching
     its sizes to the background distribution, and an exact-year pattern is the
     one that lies inside ``2r + 1`` consecutive chain links;
   * initials: patterns that are unions of others are letter classes, patterns
     that lie inside two overlapping ones are pairs; the rest split into two
     mutually exclusive families (first and second letter), assigned by rank
     within each letter class.
3. **Re-identification**. For every field and every candidate value the labelled
   tokens it must have are known; a filter's value is the candidate whose
   labelled tokens are exactly the labelled tokens the filter contains, most
   common in the background on ties (so a filter that contains none of a field's
   labelled tokens gets the most common value whose tokens were not found).

Everything is deterministic. Nothing here uses the key; tests use
:func:`linkage.hazmat.token_positions` only to plant and check tokens.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.privacy._common import QI_COLUMNS, EncodedView

BoolMatrix = npt.NDArray[np.bool_]
FloatMatrix = npt.NDArray[np.float32]

# Field type -> output column of the guess table.
_OUTPUT_OF_TYPE = {"initials": "initials", "year": "birth_year", "country": "nationality", "sex": "sex"}


# ---------------------------------------------------------------------------
# Mining
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MinedPatterns:
    """Closed bit patterns found in a set of filters.

    ``columns[i]`` are the filter columns set in every filter of ``rows[i]``, and
    ``rows[i]`` are exactly the filters that have all of ``columns[i]`` set.
    ``own[i]`` are the columns of pattern ``i`` not explained by a smaller
    token-like pattern whose columns it contains (whose filters contain its
    filters); ``token_like[i]`` says whether it has enough own columns to be one
    token (or several tokens that always occur together).
    """

    columns: BoolMatrix
    rows: BoolMatrix
    own: BoolMatrix
    token_like: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.columns.shape[0])

    @property
    def support(self) -> npt.NDArray[np.int64]:
        """Number of filters of each pattern."""
        return self.rows.sum(axis=1).astype(np.int64)

    def token_patterns(self) -> list[tuple[frozenset[int], int]]:
        """``(own columns, support)`` of every token-like pattern, largest support first."""
        idx = np.flatnonzero(self.token_like)
        sup = self.support
        order = sorted(idx.tolist(), key=lambda i: (-int(sup[i]), i))
        return [(frozenset(np.flatnonzero(self.own[i]).tolist()), int(sup[i])) for i in order]


def _unique_rows(m: BoolMatrix) -> BoolMatrix:
    """Distinct rows of a boolean matrix, in order of first appearance."""
    if len(m) == 0:
        return m
    packed = np.packbits(m, axis=1)
    _, idx = np.unique(packed, axis=0, return_index=True)
    return m[np.sort(idx)]


def _closure(rows: BoolMatrix, bf: FloatMatrix, tolerance: float | npt.NDArray[np.float64] = 0.0) -> BoolMatrix:
    """Columns set in at least ``(1 - tolerance)`` of each row set's filters."""
    size = rows.sum(axis=1).astype(np.float64)
    counts = rows.astype(np.float32) @ bf
    need = np.floor((1.0 - np.asarray(tolerance, dtype=np.float64)) * size + 1e-9)
    need = np.maximum(need, 1.0)
    return np.asarray(counts >= (need - 0.5)[:, None])


def _support(columns: BoolMatrix, bf: FloatMatrix) -> BoolMatrix:
    """Filters that have every column of each pattern set, as ``(patterns, n)``."""
    if len(columns) == 0:
        return np.zeros((0, bf.shape[0]), dtype=bool)
    hits = bf @ columns.T.astype(np.float32)
    return np.asarray((hits >= columns.sum(axis=1)[None, :] - 0.5).T)


def _refine(rows: BoolMatrix, bf: FloatMatrix, min_support: int, tolerance: float, drop_rounds: int) -> tuple[BoolMatrix, BoolMatrix]:
    """Seed row sets -> closed patterns (columns, rows), with chance filters and wrong seed columns removed."""
    n_cols = bf.shape[1]
    rows = rows[rows.sum(axis=1) >= min_support]
    rows = _unique_rows(rows)
    if len(rows) == 0:
        return np.zeros((0, n_cols), dtype=bool), rows
    # Tolerant closure: a few chance filters that have the seed columns must not
    # hide the token's other columns. Small row sets get no tolerance.
    size = rows.sum(axis=1)
    tol = np.where(size >= 40, tolerance, 0.0)[:, None]
    cols = _closure(rows, bf, tol[:, 0])
    rows = _support(cols, bf)
    for _ in range(drop_rounds):
        keep = rows.sum(axis=1) >= min_support
        rows = rows[keep]
        if len(rows) == 0:
            break
        cols = _closure(rows, bf)
        k = cols.sum(axis=1).astype(np.float32)
        hits = bf @ cols.T.astype(np.float32)  # (n, m): pattern columns each filter has
        near = (np.abs(hits - (k[None, :] - 1.0)) < 0.5).astype(np.float32)
        # For each pattern and column: filters that lack only that column.
        gain = near.T @ (1.0 - bf)
        gain = np.where(cols, gain, -1.0)
        j = np.argmax(gain, axis=1)
        g = gain[np.arange(len(j)), j]
        drop = g >= np.maximum(2.0, 0.02 * rows.sum(axis=1))
        if not drop.any():
            break
        smaller = cols[drop].copy()
        smaller[np.arange(int(drop.sum())), j[drop]] = False
        rows[drop] = _support(smaller, bf)
    rows = rows[rows.sum(axis=1) >= min_support]
    rows = _unique_rows(rows)
    return _closure(rows, bf), rows


def _seed_rows(b: BoolMatrix, residual: BoolMatrix, seed_size: int) -> BoolMatrix:
    """For every column, the filters that have a greedy clique of strongly co-occurring columns."""
    n, n_cols = b.shape
    r = residual.astype(np.float32)
    co = r.T @ r
    freq = np.diag(co).astype(np.float64).copy()
    excess = co - (np.outer(freq, freq) / max(n, 1)).astype(np.float32)
    np.fill_diagonal(excess, -np.inf)
    members = np.zeros((n_cols, seed_size), dtype=np.int64)
    members[:, 0] = np.arange(n_cols)
    acc = excess.copy()
    idx = np.arange(n_cols)[:, None]
    for j in range(1, seed_size):
        choice = np.argmax(acc, axis=1)
        members[:, j] = choice
        acc += excess[choice]
        acc[idx, members[:, : j + 1]] = -np.inf
    rows = np.ones((n_cols, n), dtype=bool)
    for j in range(seed_size):
        rows &= b[:, members[:, j]].T
    rows[freq <= 0] = False
    return rows


def _own_columns(cols: BoolMatrix, min_own: int) -> tuple[BoolMatrix, npt.NDArray[np.bool_]]:
    """Own columns of closed patterns: columns minus those of smaller token-like patterns inside them."""
    m = len(cols)
    own = cols.copy()
    token_like = np.zeros(m, dtype=bool)
    if m == 0:
        return own, token_like
    cf = cols.astype(np.float32)
    inter = cf @ cf.T
    k = cols.sum(axis=1)
    # sub[i, j]: pattern j's columns are a proper subset of pattern i's.
    sub = (np.abs(inter - k[None, :]) < 0.5) & (k[None, :] < k[:, None])
    for size in np.unique(k):
        batch = np.flatnonzero(k == size)
        helpers = sub[np.ix_(batch, np.flatnonzero(token_like))]
        if helpers.size:
            covered = (helpers.astype(np.float32) @ cf[token_like]) > 0.5
            own[batch] &= ~covered
        token_like[batch] = own[batch].sum(axis=1) >= min_own
    return own, token_like


def mine_bit_patterns(
    bits: BoolMatrix,
    *,
    min_support: int = 8,
    min_own: int = 10,
    seed_size: int = 8,
    rounds: int = 3,
    tolerance: float = 0.05,
) -> MinedPatterns:
    """Frequent closed bit patterns of a boolean filter matrix ``(n, L)``.

    ``min_support``: fewest filters a pattern needs; ``min_own``: fewest own
    columns of a token-like pattern (about ``0.6 * k`` for the smallest ``k``);
    ``seed_size``: columns in each seed clique; ``rounds``: mining rounds on the
    bits not yet explained; ``tolerance``: share of chance filters the first
    closure of a seed forgives.
    """
    bits = np.ascontiguousarray(np.asarray(bits, dtype=bool))
    n, n_cols = bits.shape
    bf = bits.astype(np.float32)
    explained = np.zeros_like(bits)
    all_cols = np.zeros((0, n_cols), dtype=bool)
    all_rows = np.zeros((0, n), dtype=bool)
    seen: set[bytes] = set()
    seed_size = max(2, min(seed_size, n_cols))

    def add(cols: BoolMatrix, rows: BoolMatrix) -> tuple[BoolMatrix, BoolMatrix]:
        nonlocal all_cols, all_rows
        packed = np.packbits(rows, axis=1)
        new = np.zeros(len(rows), dtype=bool)
        for i in range(len(rows)):
            key = packed[i].tobytes()
            if key not in seen:
                seen.add(key)
                new[i] = True
        cols, rows = cols[new], rows[new]
        all_cols = np.concatenate([all_cols, cols])
        all_rows = np.concatenate([all_rows, rows])
        return cols, rows

    for _ in range(rounds):
        seeds = _seed_rows(bits, bits & ~explained, seed_size)
        cols, rows = _refine(seeds, bf, min_support, tolerance, drop_rounds=4)
        cols, rows = add(cols, rows)
        if len(cols) == 0:
            break
        explained |= (rows.T.astype(np.float32) @ cols.astype(np.float32)) > 0.5

    # Close the own columns of patterns that contain other token patterns: this
    # separates a token from the one it was mined together with.
    for _ in range(3):
        own, token_like = _own_columns(all_cols, min_own)
        mixed = token_like & (own.sum(axis=1) < all_cols.sum(axis=1))
        if not mixed.any():
            break
        cand = _unique_rows(own[mixed])
        rows = _support(cand, bf)
        cols, rows = _refine(rows, bf, min_support, 0.0, drop_rounds=0)
        cols, rows = add(cols, rows)
        if len(cols) == 0:
            break
    own, token_like = _own_columns(all_cols, min_own)
    return MinedPatterns(columns=all_cols, rows=all_rows, own=own, token_like=token_like)
