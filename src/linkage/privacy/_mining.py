"""Pattern mining, step 1: find each token's bit positions without the key.

See :mod:`linkage.privacy._pattern_mining` for the attack as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BoolMatrix = npt.NDArray[np.bool_]
FloatMatrix = npt.NDArray[np.float32]


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
        return MinedPatterns(columns=nothing, rows=np.zeros((0, n), dtype=bool), own=nothing,
                             token_like=np.zeros(0, dtype=bool))
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


