"""Pattern-mining cryptanalysis: find each token's bits without the key, then read the filters.

In the style of Christen, Vidanage, Ranbaduge and Schnell, *Pattern-mining based
cryptanalysis of Bloom filters for privacy-preserving record linkage* (PAKDD
2018, LNAI 10939), and Christen, Ranbaduge, Vatsalan and Schnell, *Precise and
fast cryptanalysis for Bloom filter based privacy-preserving record linkage*
(IEEE TKDE), adapted to the token model of :mod:`linkage.encode`.

What the attacker holds (see :mod:`linkage.privacy._common`): the packed filters
and presence masks, background frequencies from another population, and the
encoding *method* from the public schema (token types per field, bits per token,
filter length), but not the key. A token sets the same ``k`` bits in every filter
that contains it, so its bit positions are a set of filter columns that are all
set in a share of the filters that matches the token's frequency.

1. **Mining** (:func:`mine_bit_patterns`). Column co-occurrence ``B.T @ B`` (a
   float32 matrix product) gives, for every column, a greedy clique of columns
   that co-occur far more often than chance; the filters that have all of them
   are a nearly pure sample of one token's filters, and the columns set in
   *every* one of those filters (the closure) are that token's bits plus the
   bits of the tokens it implies (a country implies its continent). A pattern
   is a closed pair (columns, filters). Chance filters that slipped in are
   forgiven by a tolerant first closure, a wrong seed column is dropped when
   filters that lack only that column appear. Bits explained by found patterns
   are masked and the search repeats, so that rarer tokens surface; a pattern's
   *own* columns (those not explained by smaller token patterns inside it) are
   closed again, which separates a token from the one it was found together
   with. A pattern is *token-like* when it has at least about ``0.6 k`` own
   columns and is not a fragment of a larger pattern with the same filters.
2. **Labelling** by frequency rank and plausibility, field by field (sex,
   country, year, initials; each field takes the patterns whose own size fits
   its ``k``):

   * sex: the mutually exclusive patterns whose sizes best match the background
     frequencies of the values, assigned by rank;
   * country: continents the same way, then the codes inside each continent;
   * year: neighbourhood tokens of adjacent years share filters and tokens more
     than ``2r`` years apart share none, so the neighbourhood patterns form a
     chain that gives the order of the years (one missing link is bridged); the
     chain is oriented and placed by matching its sizes, and those of the exact
     tokens (the pattern inside ``2r + 1`` consecutive links), to the background
     distribution;
   * initials: patterns that are unions of others are letter classes, patterns
     inside two overlapping ones are pairs; the rest split into two mutually
     exclusive families (first and second letter), assigned by rank within what
     the letter classes allow.

   With the background's whole-tuple frequencies (``background["tuple"]``), the
   labels of patterns of similar size are then re-decided by maximum likelihood
   (Hungarian assignment): the attributes the *other* fields decode for a
   pattern's filters (sex, five-year band, nationality, the other initial) are
   scored against their distribution among background persons with each
   candidate label, together with the pattern's size. This is what tells two
   equally common countries apart, or the first-letter family from the
   second-letter one (a given name's initial depends on sex, a surname's does
   not).
3. **Re-identification**. For every field and every candidate value the labelled
   tokens it must have are known; a filter's value is the candidate whose
   labelled tokens are exactly the labelled tokens the filter contains (fewest
   violations otherwise), the most common in the background on ties, so that a
   filter that contains none of a field's labelled tokens gets the most common
   value whose tokens were not found.

Everything is deterministic. Closures are strict, so random bit flips (BLIP)
blind the miner; against flipped or XOR-folded filters it falls back to about
the guessing baseline. Balanced filters give themselves away (every column has
a partner set exactly where it is not); the sparser column of each pair is kept,
which restores all bits but those of tokens in more than half of the filters. Nothing here uses the key; tests use
:func:`linkage.hazmat.token_positions` only to plant tokens.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.errors import LinkageError
from linkage.privacy._common import QI_COLUMNS, EncodedView
from linkage.schema import FieldSpec, Schema

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
        return np.asarray(self.rows.sum(axis=1), dtype=np.int64)

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


def _refine(
    rows: BoolMatrix,
    bits: BoolMatrix,
    bf: FloatMatrix,
    min_support: int,
    tolerance: float,
    drop_rounds: int,
    near_miss: int = 3,
    seen: set[bytes] | None = None,
    max_cols: int | None = None,
) -> tuple[BoolMatrix, BoolMatrix]:
    """Seed row sets -> closed patterns (columns, rows), with chance filters and wrong seed columns removed."""
    n_cols = bf.shape[1]
    if max_cols is None:
        max_cols = max(8, n_cols // 6)
    rows = rows[rows.sum(axis=1) >= min_support]
    rows = _unique_rows(rows)
    if len(rows) == 0:
        return np.zeros((0, n_cols), dtype=bool), rows
    # Tolerant closure: a few chance filters that have the seed columns must not
    # hide the token's other columns. Small row sets get no tolerance.
    size = rows.sum(axis=1)
    tol = np.where(size >= 40, tolerance, 0.0)
    cols = _closure(rows, bf, tol)
    rows = _support(cols, bf)
    if seen:
        packed = np.packbits(rows, axis=1)
        fresh = np.array([packed[i].tobytes() not in seen for i in range(len(rows))], dtype=bool)
        rows = rows[fresh]
    rows = _unique_rows(rows[rows.sum(axis=1) >= min_support])
    if len(rows) == 0:
        return np.zeros((0, n_cols), dtype=bool), rows
    cols = _closure(rows, bf)
    # A closure with a large share of all columns is a handful of filters that
    # share many bits by chance, not a token.
    small = cols.sum(axis=1) <= max_cols
    cols, rows = cols[small], rows[small]
    active = np.arange(len(rows))
    for _ in range(drop_rounds):
        active = active[rows[active].sum(axis=1) >= min_support]
        if len(active) == 0:
            break
        k = cols[active].sum(axis=1).astype(np.float32)
        hits = bf @ cols[active].T.astype(np.float32)  # (n, a): pattern columns each filter has
        # Filters that lack only a few of the pattern's columns: if they mostly
        # lack the same column, that column came from a wrong seed (or chance).
        near = (hits < k[None, :] - 0.5) & (hits > k[None, :] - near_miss - 0.5)
        changed: list[int] = []
        smaller: list[BoolMatrix] = []
        for a in np.flatnonzero(near.any(axis=0)):
            i = int(active[a])
            cidx = np.flatnonzero(cols[i])
            gain = (~bits[np.ix_(near[:, a], cidx)]).sum(axis=0)
            j = int(np.argmax(gain))
            if gain[j] >= max(2.0, 0.02 * float(rows[i].sum())):
                c = cols[i].copy()
                c[cidx[j]] = False
                smaller.append(c)
                changed.append(i)
        if not changed:
            break
        active = np.array(changed, dtype=np.int64)
        rows[active] = _support(np.array(smaller), bf)
        cols[active] = _closure(rows[active], bf)
    keep = np.flatnonzero(rows.sum(axis=1) >= min_support)
    packed = np.packbits(rows[keep], axis=1)
    _, first = np.unique(packed, axis=0, return_index=True)
    keep = keep[np.sort(first)]
    return cols[keep], rows[keep]


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
    # A seed that chance alone would give as many filters is no token (dense,
    # balanced or flipped filters): drop it.
    density = b.mean(axis=0).astype(np.float64)
    chance = n * np.exp(np.log(np.maximum(density[members], 1e-12)).sum(axis=1))
    rows[(freq <= 0) | (rows.sum(axis=1) < 4.0 * chance)] = False
    return rows


def _own_columns(
    cols: BoolMatrix, rows: BoolMatrix, min_own: int, slack: float = 0.15
) -> tuple[BoolMatrix, npt.NDArray[np.bool_]]:
    """Own columns of closed patterns: columns minus those of smaller token-like patterns inside them.

    A pattern with fewer columns but (almost) the same filters as another is a
    fragment of it (some of a token's columns plus a few chance filters): it is
    never token-like.
    """
    m = len(cols)
    if m == 0:
        return cols.copy(), np.zeros(0, dtype=bool)
    cf = cols.astype(np.float32)
    inter = cf @ cf.T
    k = cols.sum(axis=1)
    sup = rows.sum(axis=1).astype(np.float64)
    # sub[i, j]: pattern j's columns are a proper subset of pattern i's.
    sub = (inter > k[None, :].astype(np.float32) - 0.5) & (k[None, :] < k[:, None])
    del inter

    def one_pass(fragment: npt.NDArray[np.bool_]) -> tuple[BoolMatrix, npt.NDArray[np.bool_]]:
        own = cols.copy()
        token_like = np.zeros(m, dtype=bool)
        for size in np.unique(k):
            batch = np.flatnonzero(k == size)
            helpers = sub[np.ix_(batch, np.flatnonzero(token_like))]
            if helpers.size:
                covered = (helpers.astype(np.float32) @ cf[token_like]) > 0.5
                own[batch] &= ~covered
            token_like[batch] = (own[batch].sum(axis=1) >= min_own) & ~fragment[batch]
        return own, token_like

    # j is a fragment of i when it has some of i's columns and (almost) the same
    # filters, and the columns it lacks are not those of more common tokens (a
    # country's pattern beside the same country's women is no fragment). Which
    # patterns are tokens depends on which are fragments: repeat until stable.
    close = sub & (sup[None, :] <= (1.0 + slack) * sup[:, None] + 1.0)
    owners = np.flatnonzero(close.any(axis=1))
    fragment = np.zeros(m, dtype=bool)
    own, token_like = one_pass(fragment)
    for _ in range(4):
        new = np.zeros(m, dtype=bool)
        if len(owners):
            common = sub[owners] & token_like[None, :] & (sup[None, :] >= 1.2 * sup[owners][:, None])
            explained = (common.astype(np.float32) @ cf) > 0.5
            for a, i in enumerate(owners):
                for j in np.flatnonzero(close[i]):
                    lacking = cols[i] & ~cols[j]
                    # (a pattern with only a few more columns is a chance extension instead)
                    if lacking.sum() >= min_own / 2 and (lacking & ~explained[a]).sum() > 0.2 * lacking.sum():
                        new[j] = True
        if np.array_equal(new, fragment):
            break
        fragment = new
        own, token_like = one_pass(fragment)
    return own, token_like


_MAX_PAIRS = 20_000  # own-column intersections tried per round at most


def complement_pairs(bits: BoolMatrix) -> npt.NDArray[np.int64]:
    """Columns that are each other's complement in every filter, as ``(pairs, 2)``.

    Balanced filters (Berger and Schnell) append the complement of the filter
    and permute: every column then has a partner that is set exactly where it
    is not, which the attacker sees at once (no filter has both, every filter
    has one). Each pair is returned once, sparser column first.
    """
    n, n_cols = bits.shape
    if n == 0 or n_cols == 0:
        return np.zeros((0, 2), dtype=np.int64)
    bf = bits.astype(np.float32)
    co = bf.T @ bf
    freq = np.diag(co).copy()
    partner = (co < 0.5) & (np.abs(freq[:, None] + freq[None, :] - n) < 0.5)
    np.fill_diagonal(partner, False)
    out: list[tuple[int, int]] = []
    taken = np.zeros(n_cols, dtype=bool)
    for c in range(n_cols):
        if taken[c]:
            continue
        cands = np.flatnonzero(partner[c] & ~taken)
        if len(cands) != 1:
            continue
        d = int(cands[0])
        taken[c] = taken[d] = True
        out.append((c, d) if (freq[c], c) <= (freq[d], d) else (d, c))
    return np.array(sorted(out), dtype=np.int64).reshape(-1, 2)


def mine_bit_patterns(
    bits: BoolMatrix,
    *,
    min_support: int = 8,
    min_own: int = 10,
    seed_size: int = 8,
    rounds: int = 3,
    tolerance: float = 0.05,
    max_patterns: int = 3000,
) -> MinedPatterns:
    """Frequent closed bit patterns of a boolean filter matrix ``(n, L)``.

    ``min_support``: fewest filters a pattern needs; ``min_own``: fewest own
    columns of a token-like pattern (about ``0.6 * k`` for the smallest ``k``);
    ``seed_size``: columns in each seed clique; ``rounds``: mining rounds on the
    bits not yet explained; ``tolerance``: share of chance filters the first
    closure of a seed forgives; ``max_patterns``: most patterns kept (hardened
    filters can have very many closed patterns that are no tokens).
    """
    bits = np.ascontiguousarray(np.asarray(bits, dtype=bool))
    n, n_cols = bits.shape
    if n == 0 or n_cols == 0:
        nothing = np.zeros((0, n_cols), dtype=bool)
        return MinedPatterns(columns=nothing, rows=np.zeros((0, n), dtype=bool), own=nothing, token_like=np.zeros(0, dtype=bool))
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
        room = max(0, max_patterns - len(all_cols))
        if len(rows) > room:  # keep the most common ones
            order = np.lexsort((np.arange(len(rows)), -rows.sum(axis=1)))[:room]
            keep = np.sort(order)
            cols, rows = cols[keep], rows[keep]
        all_cols = np.concatenate([all_cols, cols])
        all_rows = np.concatenate([all_rows, rows])
        return cols, rows

    for _ in range(rounds):
        seeds = _seed_rows(bits, bits & ~explained, seed_size)
        cols, rows = _refine(seeds, bits, bf, min_support, tolerance, drop_rounds=4, seen=seen)
        cols, rows = add(cols, rows)
        if len(cols) == 0 or len(all_cols) >= max_patterns:
            break
        explained |= (rows.T.astype(np.float32) @ cols.astype(np.float32)) > 0.5

    # Close the own columns of patterns that contain other token patterns: this
    # separates a token from the one it was mined together with.
    for _ in range(3):
        own, token_like = _own_columns(all_cols, all_rows, min_own)
        mixed = token_like & (own.sum(axis=1) < all_cols.sum(axis=1))
        # Own columns shared by two token patterns (two exact years share the
        # neighbourhood token between them) are a token of their own.
        tok = np.flatnonzero(token_like)
        of = own[tok].astype(np.float32)
        shared = of @ of.T
        osize = own[tok].sum(axis=1)
        a, b = np.nonzero(np.triu(shared >= min_own, 1))
        if len(a) > _MAX_PAIRS:  # keep the pairs that share most
            top = np.lexsort((b, a, -shared[a, b]))[:_MAX_PAIRS]
            a, b = a[top], b[top]
        proper = (shared[a, b] < osize[a] - 0.5) & (shared[a, b] < osize[b] - 0.5)
        pairs = own[tok[a[proper]]] & own[tok[b[proper]]]
        cand = _unique_rows(np.concatenate([own[mixed], pairs]))
        if len(cand) == 0:
            break
        rows = _support(cand, bf)
        cols, rows = _refine(rows, bits, bf, min_support, 0.0, drop_rounds=0, seen=seen)
        cols, rows = add(cols, rows)
        if len(cols) == 0 or len(all_cols) >= max_patterns:
            break
    own, token_like = _own_columns(all_cols, all_rows, min_own)
    return MinedPatterns(columns=all_cols, rows=all_rows, own=own, token_like=token_like)


# ---------------------------------------------------------------------------
# Labelling: which mined pattern is which token
# ---------------------------------------------------------------------------


@dataclass
class _Pool:
    """Token-like patterns and their relations, shared by the field labellers."""

    rows: BoolMatrix  # (t, n)
    own_size: npt.NDArray[np.int64]
    support: npt.NDArray[np.int64]
    overlap: npt.NDArray[np.float32]  # (t, t) filters in common
    used: npt.NDArray[np.bool_]
    notes: dict[str, Any] = field(default_factory=dict)  # per-field structure the refiners reuse

    @classmethod
    def build(cls, mined: MinedPatterns) -> _Pool:
        idx = np.flatnonzero(mined.token_like)
        rows = mined.rows[idx]
        rf = rows.astype(np.float32)
        return cls(
            rows=rows,
            own_size=mined.own[idx].sum(axis=1).astype(np.int64),
            support=rows.sum(axis=1).astype(np.int64),
            overlap=rf @ rf.T,
            used=np.zeros(len(idx), dtype=bool),
        )

    def inside(self, i: int, j: int) -> bool:
        """Pattern i's filters lie (almost) all inside pattern j's, and j is larger."""
        return bool(self.overlap[i, j] >= 0.98 * self.support[i] and self.support[i] < self.support[j])

    def exclusive(self, i: int, j: int) -> bool:
        return bool(self.overlap[i, j] <= 0.01 * min(self.support[i], self.support[j]))

    def sized(self, k: int, *, double: bool = False) -> list[int]:
        """Unused patterns whose own size may be one token of ``k`` bits (or two, with ``double``).

        Own sizes scatter: columns a token shares with another are lost, and a
        column two neighbouring tokens both have is set in all of the filters
        between them, so the window is wide; matching weighs the distance.
        """
        ok = (self.own_size >= 0.7 * k) & (self.own_size <= 1.3 * k)
        if double:
            ok |= (self.own_size >= 1.6 * k) & (self.own_size <= 2.3 * k)
        ok &= ~self.used
        order = np.lexsort((np.arange(len(ok)), -self.support))
        return [int(i) for i in order if ok[i]]


def _log_gap(observed: float, expected: float) -> float:
    return abs(math.log((observed + 1.0) / (expected + 1.0)))


def _match_family(
    pool: _Pool,
    candidates: Sequence[int],
    expected: Mapping[str, float],
    *,
    k: int | None = None,
    max_ratio: float = 3.0,
    min_count: float = 3.0,
) -> dict[str, int]:
    """Mutually exclusive patterns for tokens of one family, by expected size, then by rank.

    For each token (most frequent first) the unused candidate closest in number
    of filters, within ``max_ratio``, that shares no filters with those already
    chosen; an own size far from ``k`` bits counts against a candidate. The
    chosen patterns are then assigned to the tokens in order of size.
    """
    chosen: dict[str, int] = {}
    for tok, e in sorted(expected.items(), key=lambda kv: (-kv[1], kv[0])):
        if e < min_count:
            continue
        best, best_gap = -1, math.log(max_ratio)
        for i in candidates:
            if i in chosen.values():
                continue
            if not all(pool.exclusive(i, j) for j in chosen.values()):
                continue
            gap = _log_gap(float(pool.support[i]), e)
            if k:
                gap += 5.0 * max(0.0, abs(float(pool.own_size[i]) - k) - 1.0) / k
            if gap < best_gap:
                best, best_gap = i, gap
        if best >= 0:
            chosen[tok] = best
    toks = sorted(chosen, key=lambda t: (-expected[t], t))
    pats = sorted(chosen.values(), key=lambda i: (-int(pool.support[i]), i))
    return dict(zip(toks, pats, strict=True))


@dataclass
class _FieldModel:
    """What the attacker knows about one field: its spec, candidate values with prior, their tokens."""

    spec: FieldSpec
    values: list[Any]  # canonical values (as the tokeniser takes them)
    outputs: list[Any]  # the guess written for each value
    prior: npt.NDArray[np.float64]
    tokens: list[list[str]]
    present: npt.NDArray[np.bool_]
    _expected: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def expected(self, prefix: str) -> dict[str, float]:
        """Expected number of filters with each token that starts with ``prefix``."""
        if prefix not in self._expected:
            n_f = float(self.present.sum())
            out: dict[str, float] = {}
            for p, toks in zip(self.prior, self.tokens, strict=True):
                for t in toks:
                    if t.startswith(prefix):
                        out[t] = out.get(t, 0.0) + float(p) * n_f
            self._expected[prefix] = out
        return dict(self._expected[prefix])


def _label_sex(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    k = fm.spec.bits_per_token
    return _match_family(pool, pool.sized(k), fm.expected("s:"), k=k)


def _label_country(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    k = fm.spec.bits_per_token
    codes = fm.expected("c:")
    labels: dict[str, int] = {}
    if "region" not in fm.spec.tokens:
        return _match_family(pool, pool.sized(k), codes, k=k) if "code" in fm.spec.tokens else {}
    regions = fm.expected("r:")
    region_of: dict[str, str] = {}
    for toks in fm.tokens:
        c = next((t for t in toks if t.startswith("c:")), None)
        r = next((t for t in toks if t.startswith("r:")), None)
        if c is not None and r is not None:
            region_of[c] = r
    # Continents are maximal: no other pattern of their size contains them.
    sized = pool.sized(k, double=True)
    cands = [i for i in sized if not any(pool.inside(i, j) for j in sized)]
    labels.update(_match_family(pool, cands, regions, k=k))
    notes: dict[str, list[int]] = {}
    pool.notes["country"] = notes
    for r, i in list(labels.items()):
        pool.used[i] = True
        members = {c: e for c, e in codes.items() if region_of.get(c) == r}
        if not members:
            continue
        if pool.own_size[i] >= 1.6 * k:  # continent and its only code always together
            top = max(members, key=lambda c: (members[c], c))
            labels[top] = i
            continue
        inner = [j for j in pool.sized(k) if pool.inside(j, i)]
        # codes are maximal inside their continent: a pattern inside another is
        # one code's women, or its people of one age, not a code
        inner = [j for j in inner if not any(pool.inside(j, h) for h in inner if h != j)]
        notes[r] = inner
        found = _match_family(pool, inner, members, k=k, max_ratio=4.0)
        labels.update(found)
        for j in found.values():
            pool.used[j] = True
    return labels


def _year_chain(pool: _Pool, cands: Sequence[int], radius: int) -> dict[int, int]:
    """The longest chain of neighbourhood-like patterns: position -> pattern.

    Patterns ``d`` links apart must share filters for ``d <= 2 * radius`` and
    none beyond; one missing link is bridged.
    """
    cset = list(cands)
    if len(cset) < 3:
        return {}
    sub = np.ix_(cset, cset)
    ov = pool.overlap[sub].astype(np.float64)
    sup = pool.support[cset].astype(np.float64)
    small = np.minimum(sup[:, None], sup[None, :])
    part = (ov > 0.01 * small) & (ov < 0.95 * small)
    excl = ov <= 0.01 * small
    wgt = ov / np.sqrt(np.outer(sup, sup))
    local = {c: i for i, c in enumerate(cset)}
    reach = 2 * radius

    def partial(i: int, j: int) -> bool:
        return bool(part[local[i], local[j]])

    def fits(j: int, pos: int, chain: dict[int, int]) -> bool:
        lj = local[j]
        for d in range(1, reach + 4):
            for p in (pos - d, pos + d):
                e = chain.get(p)
                if e is None:
                    continue
                if d <= reach:
                    if not part[lj, local[e]]:
                        return False
                elif not excl[lj, local[e]]:
                    return False
        return True

    def weight(i: int, j: int) -> float:
        return float(wgt[local[i], local[j]])

    best: dict[int, int] = {}
    starts = [i for i in cset if any(partial(i, j) and weight(i, j) >= 0.3 for j in cset if j != i)][:8]
    for start in starts:
        chain = {0: start}
        for step in (1, -1):
            end = 0
            while True:
                placed = False
                for gap in (1, 2):
                    pos = end + step * gap
                    anchor = chain[end]
                    options = [
                        (weight(anchor, j), -j)
                        for j in cset
                        if j not in chain.values() and weight(anchor, j) >= 0.1 and fits(j, pos, chain)
                    ]
                    if options:
                        _, neg = max(options)
                        chain[pos] = -neg
                        end = pos
                        placed = True
                        break
                if not placed:
                    break
        if len(chain) > len(best):
            best = chain
    return best if len(best) >= 3 else {}


def _label_year(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    k = fm.spec.bits_per_token
    radius = int(fm.spec.normalisation.get("radius", 1))
    labels: dict[str, int] = {}
    cands = pool.sized(k)
    if "neighbourhood" not in fm.spec.tokens:
        return _match_family(pool, cands, fm.expected("x:"), k=k) if "exact" in fm.spec.tokens else {}
    chain = _year_chain(pool, cands, radius)
    if not chain:
        return labels
    # An exact-year token lies inside the 2r + 1 neighbourhood tokens around it:
    # its place in the chain is known before the chain is placed.
    positions = sorted(chain)
    exact_at: dict[int, int] = {}
    if "exact" in fm.spec.tokens:
        for j in pool.sized(k):
            if j in chain.values():
                continue
            holders = sorted(p for p in positions if pool.inside(j, chain[p]))
            if len(holders) == 2 * radius + 1 and holders[-1] - holders[0] == 2 * radius:
                exact_at.setdefault(holders[radius], j)
    # Place and orient the chain: the sizes of neighbourhood tokens follow the
    # (smoothed) background distribution of years, those of exact tokens the
    # distribution itself.
    exp_n = {int(t[2:]): e for t, e in fm.expected("n:").items()}
    exp_x = {int(t[2:]): e for t, e in fm.expected("x:").items()}
    places = [(p, chain[p], exp_n) for p in positions] + [(p, j, exp_x) for p, j in sorted(exact_at.items())]
    observed = np.array([pool.support[j] for _, j, _ in places], dtype=np.float64)
    lo_y, hi_y = min(exp_n), max(exp_n)
    span = positions[-1] - positions[0]
    best: tuple[float, int, int] | None = None
    for direction in (1, -1):
        for y0 in range(lo_y - span - 2, hi_y + span + 3):
            e = np.array([max(ex.get(y0 + direction * (p - positions[0]), 0.0), 0.5) for p, _, ex in places])
            dev = float(np.sum(observed * np.log(observed / e) - (observed - e)))
            if best is None or dev < best[0] - 1e-9:
                best = (dev, direction, y0)
    assert best is not None
    _, direction, y0 = best
    year_at = {p: y0 + direction * (p - positions[0]) for p in positions}
    for p in positions:
        labels[f"n:{year_at[p]}"] = chain[p]
        pool.used[chain[p]] = True
    for p, j in exact_at.items():
        labels[f"x:{year_at[p]}"] = j
        pool.used[j] = True
    return labels


def _label_initials(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    from linkage.encode.hazmat import LETTER_CLASSES

    k = fm.spec.bits_per_token
    cands = pool.sized(k)
    if len(cands) < 2 or "position" not in fm.spec.tokens:
        return {}
    m = len(cands)
    ov = pool.overlap[np.ix_(cands, cands)].astype(np.float64)
    sup = pool.support[cands].astype(np.float64)
    small = np.minimum(sup[:, None], sup[None, :])
    inside = (ov >= 0.98 * sup[:, None]) & (sup[:, None] < sup[None, :])  # inside[i, j]: i lies in j
    excl = ov <= 0.01 * small
    partial = ~inside & ~inside.T & ~excl
    np.fill_diagonal(partial, False)
    # A pair token lies inside a first-letter and a second-letter token, which overlap.
    inter_like = np.zeros(m, dtype=bool)
    for i in range(m):
        holders = np.flatnonzero(inside[i])
        if len(holders) >= 2 and partial[np.ix_(holders, holders)].any():
            inter_like[i] = True
    # A letter class is the union of the letter tokens inside it.
    union_like = np.zeros(m, dtype=bool)
    for u in range(m):
        subs = [v for v in np.flatnonzero(inside[:, u]) if not inter_like[v] and sup[v] >= 0.03 * sup[u]]
        if not subs:
            continue
        cover = sum(sup[v] for v in subs)
        if (len(subs) >= 2 and cover >= 0.5 * sup[u]) or cover >= 0.25 * sup[u]:
            union_like[u] = True
    atoms = [i for i in range(m) if not inter_like[i] and not union_like[i]]

    def family(pool_idx: list[int]) -> list[int]:
        fam: list[int] = []
        for i in pool_idx:
            if all(excl[i, j] for j in fam):
                fam.append(i)
        return fam

    fam_a = family(atoms)
    fam_b = family([i for i in atoms if i not in fam_a])
    exp1, exp2 = fm.expected("p1:"), fm.expected("p2:")

    def profile_cost(fam: list[int], exp: dict[str, float]) -> float:
        s = sorted((sup[i] for i in fam), reverse=True)
        e = sorted(exp.values(), reverse=True)
        n_common = min(len(s), len(e))
        cost = sum(_log_gap(s[i], e[i]) for i in range(n_common))
        cost += sum(math.log(x + 1.0) for x in s[n_common:]) + sum(math.log(x + 1.0) for x in e[n_common:])
        return cost

    if profile_cost(fam_a, exp1) + profile_cost(fam_b, exp2) <= profile_cost(fam_a, exp2) + profile_cost(fam_b, exp1):
        fams = {1: fam_a, 2: fam_b}
    else:
        fams = {1: fam_b, 2: fam_a}
    labels: dict[str, int] = {}
    unions = [u for u in range(m) if union_like[u]]
    pool.notes["initials"] = {
        "families": {q: [cands[a] for a in fam] for q, fam in fams.items()},
        "unions": [cands[u] for u in unions],
    }
    for q, fam in fams.items():
        if not fam or not fm.expected(f"p{q}:"):
            continue
        # Letter classes of this position: unions of this family's atoms.
        classes: dict[str, int] = {}
        if "letter_class" in fm.spec.tokens:
            mine = [u for u in unions if sum(1 for a in fam if inside[a, u]) >= 1]
            exp_c = fm.expected(f"c{q}:")
            for tok, e in sorted(exp_c.items(), key=lambda kv: (-kv[1], kv[0])):
                letters = LETTER_CLASSES.get(tok.split(":", 1)[1], "")
                options = [
                    (_log_gap(sup[u], e), u)
                    for u in mine
                    if u not in classes.values()
                    and sum(1 for a in fam if inside[a, u]) <= len(letters)
                    and _log_gap(sup[u], e) < math.log(2.5)
                ]
                if options:
                    classes[tok] = min(options)[1]
        exp_p = fm.expected(f"p{q}:")
        letters_all = {t.split(":", 1)[1] for t in exp_p}
        taken: set[str] = set()
        for a in sorted(fam, key=lambda i: (-sup[i], i)):
            allowed = set(letters_all)
            for tok, u in classes.items():
                members = set(LETTER_CLASSES.get(tok.split(":", 1)[1], ""))
                allowed = allowed & members if inside[a, u] else allowed - members
            allowed -= taken
            if not allowed:
                continue
            letter = max(allowed, key=lambda x: (exp_p.get(f"p{q}:{x}", 0.0), x))
            taken.add(letter)
            labels[f"p{q}:{letter}"] = cands[a]
        for tok, u in classes.items():
            labels[tok] = cands[u]
    for i in labels.values():
        pool.used[i] = True
    return labels


_LABELLERS: dict[str, Callable[[_Pool, _FieldModel], dict[str, int]]] = {
    "sex": _label_sex,
    "country": _label_country,
    "year": _label_year,
    "initials": _label_initials,
}


# ---------------------------------------------------------------------------
# Background knowledge -> candidate values
# ---------------------------------------------------------------------------


def _year_of(v: Any) -> tuple[int, int] | None:
    """A background birth year (an interval, a year, or their text) as ``(lo, hi)``."""
    if v is None:
        return None
    if isinstance(v, (tuple, list)) and len(v) == 2:
        return int(v[0]), int(v[1])
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    digits = [int(x) for x in "".join(c if c.isdigit() else " " for c in str(v)).split()]
    if not digits:
        return None
    return digits[0], digits[-1]


def _field_model(spec: FieldSpec, series: pd.Series, present: npt.NDArray[np.bool_]) -> _FieldModel | None:
    from linkage.encode.hazmat import tokeniser

    tok = tokeniser(spec)
    freq = series[series > 0]
    weights: dict[Any, float] = {}
    outputs: dict[Any, Any] = {}
    if spec.type == "year":
        for v, p in freq.items():
            iv = _year_of(v)
            if iv is None:
                continue
            lo, hi = min(iv), max(iv)
            for y in range(lo, hi + 1):  # an interval spreads its mass over its years
                weights[(y, y)] = weights.get((y, y), 0.0) + float(p) / (hi - lo + 1)
        if not weights:
            return None
        years = [y for y, _ in weights]
        floor = min(weights.values()) * 0.01
        for y in range(min(years) - 15, max(years) + 16):
            weights.setdefault((y, y), floor)
        outputs = {v: v[1] for v in weights}
    elif spec.type == "initials":
        from string import ascii_uppercase

        for v, p in freq.items():
            if isinstance(v, str) and v:
                weights[v] = weights.get(v, 0.0) + float(p)
        if not weights:
            return None
        first: dict[str, float] = {}
        second: dict[str, float] = {}
        for v, p in weights.items():
            first[v[0]] = first.get(v[0], 0.0) + p
            if len(v) > 1:
                second[v[1]] = second.get(v[1], 0.0) + p
        floor = min(weights.values()) * 0.01
        for a in ascii_uppercase:
            weights.setdefault(a, floor * 0.01)
            for b in ascii_uppercase:
                weights.setdefault(a + b, floor * (first.get(a, 0.01) * second.get(b, 0.01) + 1e-6))
        outputs = {v: v for v in weights}
    else:
        for v, p in freq.items():
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                weights[str(v)] = weights.get(str(v), 0.0) + float(p)
        if not weights:
            return None
        outputs = {v: v for v in weights}
    values = sorted(weights, key=lambda v: (-weights[v], str(v)))
    tokens: list[list[str]] = []
    kept: list[Any] = []
    for v in values:
        try:
            tokens.append(list(dict.fromkeys(tok(v))))
        except (LinkageError, ValueError, KeyError, TypeError):  # a value the normaliser does not know
            continue
        kept.append(v)
    prior = np.array([weights[v] for v in kept], dtype=np.float64)
    prior /= prior.sum()
    return _FieldModel(
        spec=spec, values=kept, outputs=[outputs[v] for v in kept], prior=prior, tokens=tokens, present=present
    )


# ---------------------------------------------------------------------------
# Re-identification
# ---------------------------------------------------------------------------


def _decode(pool: _Pool, fm: _FieldModel, labels: Mapping[str, int]) -> list[Any]:
    """Each filter's value: the candidate whose labelled tokens are exactly those the filter has."""
    n = pool.rows.shape[1] if len(pool.rows) else len(fm.present)
    toks = sorted(labels)
    col = {t: i for i, t in enumerate(toks)}
    a = np.zeros((len(fm.values), len(toks)), dtype=np.float32)
    for v, vt in enumerate(fm.tokens):
        for t in vt:
            if t in col:
                a[v, col[t]] = 1.0
    if toks:
        has = pool.rows[[labels[t] for t in toks]].T.astype(np.float32)  # (n, tokens)
    else:
        has = np.zeros((n, 0), dtype=np.float32)
    hits = has @ a.T  # (n, values)
    known = a.sum(axis=1)
    seen = has.sum(axis=1)
    violations = known[None, :] + seen[:, None] - 2.0 * hits
    lp = np.log(fm.prior)
    lp = (lp - lp.min()) / (lp.max() - lp.min() + 1.0)
    score = -1000.0 * violations + 2.0 * hits + lp[None, :]
    best = np.argmax(score, axis=1)
    return [fm.outputs[b] if fm.present[r] else None for r, b in enumerate(best.tolist())]


# ---------------------------------------------------------------------------
# Plausibility from the joint background: which of two similar-sized patterns is which
# ---------------------------------------------------------------------------


def _assign_min_cost(cost: npt.NDArray[np.float64]) -> list[int]:
    """Hungarian algorithm: the column of each row in a min-cost assignment (rows <= columns)."""
    n, m = cost.shape
    if n == 0:
        return []
    if n > m:
        raise ValueError("more rows than columns")
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta, j1 = inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = float(cost[i0 - 1, j - 1]) - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    out = [-1] * n
    for j in range(1, m + 1):
        if p[j]:
            out[p[j] - 1] = j - 1
    return out


def _joint_table(background: Mapping[str, pd.Series]) -> pd.DataFrame | None:
    """The background's whole tuples as a weighted table (initials, year, nationality, sex, weight)."""
    tuples = background.get("tuple")
    if tuples is None or len(tuples) == 0:
        return None
    recs: list[tuple[Any, ...]] = []
    for key, w in tuples.items():
        parts = str(key).split("|")
        if len(parts) != len(QI_COLUMNS):
            continue
        vals = [None if x.strip() in ("", "None", "nan", "<NA>") else x.strip() for x in parts]
        iv = _year_of(vals[1])
        recs.append((vals[0], None if iv is None else iv[1], vals[2], vals[3], float(w)))
    if not recs:
        return None
    df = pd.DataFrame(recs, columns=["initials", "birth_year", "nationality", "sex", "weight"])
    return _with_attributes(df)


def _with_attributes(df: pd.DataFrame) -> pd.DataFrame:
    """Add the attributes used as evidence: letters, five-year band."""
    out = df.copy()
    ini = out["initials"].tolist()
    out["first"] = [None if v is None or len(v) < 1 else v[0] for v in ini]
    out["second"] = [None if v is None or len(v) < 2 else v[1] for v in ini]
    out["band"] = [None if y is None or (isinstance(y, float) and math.isnan(y)) else int(y) // 5 for y in out["birth_year"]]
    return out


# Weight of the other fields' evidence against the size evidence: the decoded
# attributes are themselves partly wrong, and naive Bayes counts dependent
# attributes more than once.
_TEMPER = 0.5


Rule = tuple[str, tuple[str, ...]]  # a label as (background column, values it stands for)


def _code_rule(token: str) -> Rule:
    return ("nationality", (token.split(":", 1)[1],))


def _letter_rule(attr: str, token: str) -> Rule:
    return (attr, (token.split(":", 1)[1],))


def _class_rule(attr: str, token: str) -> Rule:
    from linkage.encode.hazmat import LETTER_CLASSES

    return (attr, tuple(LETTER_CLASSES.get(token.split(":", 1)[1], "")))


def _evidence_matrix(
    groups: Sequence[npt.NDArray[np.bool_]],
    labels: Sequence[Rule],
    expected: Sequence[float],
    guesses: pd.DataFrame,
    joint: pd.DataFrame,
    attributes: Sequence[str],
    smoothing: float = 5.0,
) -> npt.NDArray[np.float64]:
    """Log-likelihood ratio of each group of filters (a pattern) under each candidate label.

    The attributes other fields' decoding gave the group's filters are scored
    against their distribution among background persons with the label (naive
    Bayes, smoothed towards the marginal), and the group's size against the
    label's expected count (Poisson); both relative to the group's best case.
    """
    ll = np.zeros((len(groups), len(labels)), dtype=np.float64)
    base = np.zeros(len(groups), dtype=np.float64)
    w = joint["weight"].to_numpy(dtype=np.float64)
    label_masks = [joint[col].isin(list(values)).to_numpy(dtype=bool) for col, values in labels]
    positive = w[w > 0]
    nominal = 1.0 / float(positive.min()) if len(positive) else 1.0  # a tuple seen once
    for attr in attributes:
        vals = joint[attr].to_numpy(dtype=object)
        obs = guesses[attr].to_numpy(dtype=object)
        cats = sorted({v for v in vals if v is not None} | {v for v in obs if v is not None}, key=str)
        if not cats:
            continue
        ci = {c: i for i, c in enumerate(cats)}
        vj = np.array([ci.get(v, -1) for v in vals])
        vo = np.array([ci.get(v, -1) for v in obs])
        ok_j = vj >= 0
        marg = np.bincount(vj[ok_j], weights=w[ok_j], minlength=len(cats)) + 1e-9
        marg /= marg.sum()
        counts = np.zeros((len(groups), len(cats)))
        for g, rows in enumerate(groups):
            sel = rows & (vo >= 0)
            counts[g] = np.bincount(vo[sel], minlength=len(cats))
        base += _TEMPER * (counts @ np.log(marg))
        for lab, lmask in enumerate(label_masks):
            mask = lmask & ok_j
            dist = np.bincount(vj[mask], weights=w[mask], minlength=len(cats))
            n_lab = dist.sum() * nominal  # the label's count in the background
            if n_lab > 0:
                p = (dist / dist.sum() * n_lab + smoothing * marg) / (n_lab + smoothing)
            else:
                p = marg
            ll[:, lab] += _TEMPER * (counts @ np.log(p))
    sizes = np.array([float(r.sum()) for r in groups])
    e = np.maximum(np.asarray(expected, dtype=np.float64), 0.5)
    ll += sizes[:, None] * np.log(e)[None, :] - e[None, :]
    # Relative to the best any label could do for the group (its attributes as
    # common as in the whole background, its size expected exactly), so that
    # groups of different sizes compare.
    return np.asarray(ll - (base + sizes * np.log(np.maximum(sizes, 0.5)) - sizes)[:, None], dtype=np.float64)


def _best_labels(
    patterns: Sequence[int],
    candidates: Sequence[str],
    pool: _Pool,
    rule: Callable[[str], Rule],
    expected: Mapping[str, float],
    guesses: pd.DataFrame,
    joint: pd.DataFrame,
    attributes: Sequence[str],
    *,
    k: int | None = None,
    null: float = 1.0,
) -> dict[str, int]:
    """Labels for ``patterns`` among ``candidates`` (at most one each) of maximum joint likelihood.

    A pattern may stay unlabelled at a log-likelihood ratio of ``-null`` per
    filter it has (small patterns are more often chance than large ones); with
    ``k``, an own size outside ``[k - 3, k + 2]`` costs 4 per column.
    """
    candidates = list(dict.fromkeys(candidates))
    patterns = list(dict.fromkeys(patterns))
    if not patterns or not candidates:
        return {}
    groups = [pool.rows[i] for i in patterns]
    ll = _evidence_matrix(
        groups, [rule(c) for c in candidates], [expected.get(c, 0.0) for c in candidates], guesses, joint, attributes
    )
    if k:
        own = pool.own_size[patterns].astype(np.float64)
        off = np.maximum(0.0, np.maximum((k - 3) - own, own - (k + 2)))
        ll -= 4.0 * off[:, None]
    n_p, n_c = ll.shape
    cost = np.full((n_p, n_c + n_p), 1e12)
    cost[:, :n_c] = -ll
    sizes = np.array([float(g.sum()) for g in groups])
    cost[np.arange(n_p), n_c + np.arange(n_p)] = null * sizes + 10.0
    pick = _assign_min_cost(cost)
    return {candidates[j]: int(i) for i, j in zip(patterns, pick, strict=True) if j < n_c}


def _refine_country(
    labels: dict[str, int], pool: _Pool, fm: _FieldModel, guesses: pd.DataFrame, joint: pd.DataFrame
) -> None:
    """Re-label the code patterns inside each continent by joint likelihood, in place."""
    region_of: dict[str, str] = {}
    for toks in fm.tokens:
        c = next((t for t in toks if t.startswith("c:")), None)
        r = next((t for t in toks if t.startswith("r:")), None)
        if c is not None:
            region_of[c] = r or ""
    exp = fm.expected("c:")
    inner: dict[str, list[int]] = pool.notes.get("country", {})
    for r, patterns in sorted(inner.items()):
        if labels.get(r) is None or not patterns:
            continue
        codes = [c for c, rr in region_of.items() if rr == r]
        found = _best_labels(
            patterns,
            codes,
            pool,
            _code_rule,
            exp,
            guesses,
            joint,
            ("sex", "band", "first", "second"),
            k=fm.spec.bits_per_token,
        )
        if found:
            for c in codes:
                labels.pop(c, None)
            labels.update(found)


def _orient_positions(
    labels: dict[str, int], pool: _Pool, fm: _FieldModel, guesses: pd.DataFrame, joint: pd.DataFrame
) -> None:
    """Swap the first- and second-letter families when the joint background fits better that way, in place.

    The two families have similar size profiles; what tells them apart is that
    a given name's initial depends on sex and nationality more than a surname's.
    """
    notes = pool.notes.get("initials")
    if not notes or not notes["families"].get(1) or not notes["families"].get(2):
        return
    fams: dict[int, list[int]] = notes["families"]
    evidence = ("sex", "band", "nationality")

    def fit(patterns: list[int], q: int) -> float:
        attr = "first" if q == 1 else "second"
        exp = fm.expected(f"p{q}:")
        cands = sorted(exp)
        if not cands:
            return -math.inf
        groups = [pool.rows[i] for i in patterns]
        rules = [_letter_rule(attr, c) for c in cands]
        ll = _evidence_matrix(groups, rules, [exp[c] for c in cands], guesses, joint, evidence)
        if len(patterns) <= len(cands):
            return float(sum(ll[i, j] for i, j in enumerate(_assign_min_cost(-ll))))
        return float(sum(ll[j, i] for i, j in enumerate(_assign_min_cost(-ll.T))))

    kept = fit(fams[1], 1) + fit(fams[2], 2)
    swapped = fit(fams[1], 2) + fit(fams[2], 1)
    if swapped > kept:
        notes["families"] = {1: fams[2], 2: fams[1]}
        flip = {"p1:": "p2:", "p2:": "p1:", "c1:": "c2:", "c2:": "c1:"}
        old = dict(labels)
        labels.clear()
        for t, i in old.items():
            labels[flip.get(t[:3], t[:3]) + t[3:]] = i


def _refine_initials(
    labels: dict[str, int], pool: _Pool, fm: _FieldModel, guesses: pd.DataFrame, joint: pd.DataFrame
) -> None:
    """Re-label letter classes, then letters within what the classes allow, by joint likelihood, in place."""
    from linkage.encode.hazmat import LETTER_CLASSES

    notes = pool.notes.get("initials")
    if not notes:
        return
    _orient_positions(labels, pool, fm, guesses, joint)
    for q, attr, other in ((1, "first", "second"), (2, "second", "first")):
        evidence = ("sex", "band", "nationality", other)
        atoms: list[int] = notes["families"].get(q, [])
        if not atoms:
            continue
        exp_c = fm.expected(f"c{q}:")
        unions = [u for u in notes["unions"] if any(pool.inside(a, u) for a in atoms)]
        if exp_c and unions:
            found = _best_labels(
                unions,
                sorted(exp_c),
                pool,
                partial(_class_rule, attr),
                exp_c,
                guesses,
                joint,
                evidence,
                k=fm.spec.bits_per_token,
            )
            for t in [t for t in labels if t.startswith(f"c{q}:")]:
                del labels[t]
            labels.update(found)
        classes = {t: labels[t] for t in labels if t.startswith(f"c{q}:")}
        exp_p = fm.expected(f"p{q}:")
        letters_all = sorted(t.split(":", 1)[1] for t in exp_p)
        groups: dict[tuple[str, ...], list[int]] = {}
        for a in atoms:
            sig = tuple(sorted(c for c, u in classes.items() if pool.inside(a, u)))
            groups.setdefault(sig, []).append(a)
        for t in [t for t in labels if t.startswith(f"p{q}:")]:
            del labels[t]
        # A pattern inside a class takes one of its letters, a pattern outside
        # one of the letters of no labelled class.
        for sig in sorted(groups):
            allowed = set(letters_all)
            for c in classes:
                members = set(LETTER_CLASSES.get(c.split(":", 1)[1], ""))
                allowed = allowed & members if c in sig else allowed - members
            found = _best_labels(
                groups[sig],
                [f"p{q}:{x}" for x in sorted(allowed)],
                pool,
                partial(_letter_rule, attr),
                exp_p,
                guesses,
                joint,
                evidence,
                k=fm.spec.bits_per_token,
            )
            labels.update(found)


# ---------------------------------------------------------------------------
# The attack
# ---------------------------------------------------------------------------

_ORDER = ("sex", "country", "year", "initials")


def _label_tokens(
    mined: MinedPatterns, view: EncodedView, background: Mapping[str, pd.Series], token_model: Schema
) -> tuple[dict[str, dict[str, int]], _Pool, dict[str, _FieldModel]]:
    """Assign mined patterns to tokens of the schema's quasi-identifier fields.

    Returns, per output column, token -> index into the token-like patterns of
    the returned pool, the pool, and the field models.
    """
    pool = _Pool.build(mined)
    models: dict[str, _FieldModel] = {}
    labels: dict[str, dict[str, int]] = {}
    presence = np.asarray(view.presence).astype(np.int64)
    specs = [(i, s) for i, s in enumerate(token_model.fields) if s.type in _OUTPUT_OF_TYPE]
    specs.sort(key=lambda t: (_ORDER.index(t[1].type), t[0]))
    for i, spec in specs:
        out = _OUTPUT_OF_TYPE[spec.type]
        if out in models or out not in background:
            continue
        present = (presence >> i) & 1 == 1
        fm = _field_model(spec, background[out], present)
        if fm is None:
            continue
        models[out] = fm
        labels[out] = _LABELLERS[spec.type](pool, fm)
        for j in labels[out].values():
            pool.used[j] = True
    return labels, pool, models


def _unbalance(bits: BoolMatrix, pairs: npt.NDArray[np.int64]) -> BoolMatrix:
    """The sparser column of each complement pair of balanced filters.

    That is the original bit, except for bits of tokens in more than half of
    the filters (there the complement is kept, and those tokens are lost).
    """
    return np.ascontiguousarray(bits[:, np.sort(pairs[:, 0])])


@dataclass
class _Outcome:
    guesses: pd.DataFrame
    mined: MinedPatterns
    pool: _Pool
    labels: dict[str, dict[str, int]]
    models: dict[str, _FieldModel]


def _run(
    view: EncodedView,
    background: Mapping[str, pd.Series],
    token_model: Schema,
    *,
    min_support: int,
    rounds: int,
    use_joint: bool,
    refine_rounds: int,
) -> _Outcome:
    from linkage.hazmat import unpack_bits

    filters = np.asarray(view.filters)
    n = int(filters.shape[0])
    out = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in QI_COLUMNS})
    bits = unpack_bits(filters) if n else np.zeros((0, int(view.filter_length)), dtype=bool)
    k_min = min((int(s.bits_per_token) for s in token_model.fields), default=16)
    min_own = max(4, round(0.6 * k_min))
    pairs = complement_pairs(bits)
    if len(pairs) >= 0.9 * bits.shape[1] / 2:  # balanced filters
        bits = _unbalance(bits, pairs)
    mined = mine_bit_patterns(bits, min_support=min_support, min_own=min_own, rounds=rounds)
    labels, pool, models = _label_tokens(mined, view, background, token_model)
    for col, fm in models.items():
        out[col] = pd.Series(_decode(pool, fm, labels[col]), dtype=object)
    joint = _joint_table(background) if use_joint and n else None
    if joint is not None:
        refiners = (("initials", _refine_initials), ("nationality", _refine_country))
        for _ in range(refine_rounds):
            for col, refine in refiners:
                if col in models:
                    refine(labels[col], pool, models[col], _with_attributes(out), joint)
                    out[col] = pd.Series(_decode(pool, models[col], labels[col]), dtype=object)
    out.attrs["pattern_mining"] = {
        "patterns": len(mined),
        "token_like": int(mined.token_like.sum()),
        **{f"labelled_{c}": len(v) for c, v in labels.items()},
    }
    return _Outcome(guesses=out, mined=mined, pool=pool, labels=labels, models=models)


def pattern_mining_attack(
    view: EncodedView,
    background: dict[str, pd.Series],
    *,
    token_model: Schema | None = None,
    min_support: int = 8,
    rounds: int = 3,
    use_joint: bool = True,
    refine_rounds: int = 2,
) -> pd.DataFrame:
    """Re-identify encoded records by mining frequent bit patterns, without the key.

    ``token_model`` is the public :class:`~linkage.schema.Schema` the filters
    were made under: token types per field and bits per token (the key is
    neither needed nor accepted; the filter length is read from the filters).
    ``None`` means the built-in profile, :func:`linkage.default_schema`, whose
    token model hardening does not change. ``background`` is as from
    :func:`~linkage.privacy.background_frequencies`; with ``use_joint`` its
    whole-tuple frequencies also decide between patterns of similar size (which
    of two equally common countries has more women, or more names starting with
    an A), in ``refine_rounds`` rounds. ``min_support``: fewest filters a mined
    pattern needs; ``rounds``: mining rounds.

    Returns one row per filter with the columns ``initials``, ``birth_year``
    (int), ``nationality`` and ``sex``; ``None`` where the record lacks the
    field. The table's ``attrs["pattern_mining"]`` counts the patterns found and
    the tokens labelled per field.
    """
    if token_model is None:
        from linkage.schema import default_schema

        token_model = default_schema()
    return _run(
        view,
        background,
        token_model,
        min_support=min_support,
        rounds=rounds,
        use_joint=use_joint,
        refine_rounds=refine_rounds,
    ).guesses
