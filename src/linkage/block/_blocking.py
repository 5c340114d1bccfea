"""Blockings: which record pairs get compared, as composable descriptions.

A blocking is a list of *passes*; a pass brings together records whose keys
agree on every part of it: deterministic key columns (:class:`KeyBlocking`)
and/or sampled filter bits (:class:`HammingLSH`, one pass per band). A pair is
a candidate when it meets in at least one pass.

* ``a | b`` (or): the passes of both (a pair meeting in either is compared);
* ``a & b`` (and): every pass of ``a`` joined with every pass of ``b``
  (a pair must meet in both).

:meth:`Blocking.plan` resolves a blocking against the records into plain
arrays (:class:`BlockPlan`) that :func:`linkage.compare.iter_dice_blocked`
compares. A blocking also knows how likely it was to compare a pair
(:meth:`BlockPlan.inclusion_probability`), which the count estimate needs:
pairs never compared are not chance non-matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.errors import LinkageError
from linkage.records import RegistryRecords

__all__ = [
    "AllPairs",
    "BlockPlan",
    "Blocking",
    "HammingLSH",
    "KeyBlocking",
    "default_blocking",
    "pair_completeness",
    "reduction_ratio",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
KeyFn = Callable[[RegistryRecords], npt.ArrayLike]


@dataclass(frozen=True)
class _Band:
    """``bits`` filter positions drawn (without replacement) for band ``index`` of an LSH seeded ``seed``."""

    seed: int
    index: int
    bits: int


@dataclass(frozen=True)
class _Pass:
    keys: tuple[str, ...] = ()
    bands: tuple[_Band, ...] = ()


class Blocking:
    """A blocking: a list of passes. Combine with ``|`` (or) and ``&`` (and)."""

    def __init__(self, passes: tuple[_Pass, ...], keys: Mapping[str, KeyFn | npt.ArrayLike], description: str,
                 max_block: int = 100_000) -> None:
        if not passes:
            raise LinkageError("a blocking needs at least one pass")
        if int(max_block) < 2:
            raise LinkageError(f"max_block must be at least 2, got {max_block}")
        self._passes = passes
        self._keys = dict(keys)
        self.description = description
        self.max_block = int(max_block)

    @property
    def passes(self) -> int:
        return len(self._passes)

    @property
    def all_pairs(self) -> bool:
        """True when some pass has no key at all: every pair is compared."""
        return any(not p.keys and not p.bands for p in self._passes)

    def __or__(self, other: Blocking) -> Blocking:
        return Blocking(self._passes + other._passes, {**self._keys, **other._keys},
                        f"({self.description}) or ({other.description})", min(self.max_block, other.max_block))

    def __and__(self, other: Blocking) -> Blocking:
        joined = tuple(
            _Pass(tuple(dict.fromkeys(a.keys + b.keys)), a.bands + b.bands) for a in self._passes for b in other._passes
        )
        return Blocking(joined, {**self._keys, **other._keys},
                        f"({self.description}) and ({other.description})", min(self.max_block, other.max_block))

    def with_max_block(self, max_block: int) -> Blocking:
        """The same blocking with another giant-block guard (see :class:`BlockPlan`)."""
        return Blocking(self._passes, self._keys, self.description, max_block)

    def __repr__(self) -> str:
        return f"Blocking({self.description}, passes={self.passes}, max_block={self.max_block})"

    def to_json(self) -> dict[str, Any]:
        """What the run manifest records about the blocking."""
        return {"description": self.description, "passes": self.passes, "max_block": self.max_block}

    def plan(self, records: RegistryRecords, *, min_score: float = 0.0) -> BlockPlan:
        """Resolve the blocking against ``records`` (their filters and key columns) into arrays.

        With ``min_score > 0`` records with an empty filter take no part (their
        Dice with anything is 0).
        """
        n = len(records)
        bits = 64 * int(records.filters.shape[1])
        keysets: list[tuple[str, ...]] = []
        keyset = np.full(len(self._passes), -1, np.int64)
        for p, ps in enumerate(self._passes):
            if ps.keys:
                if ps.keys not in keysets:
                    keysets.append(ps.keys)
                keyset[p] = keysets.index(ps.keys)
        group = np.zeros((n, max(1, len(keysets))), np.int64)
        columns: dict[str, I64] = {}
        for name in {k for ks in keysets for k in ks}:
            columns[name] = _key_column(name, self._keys[name], records)
        for c, ks in enumerate(keysets):
            stacked = np.stack([columns[k] for k in ks]) if ks else np.zeros((1, n), np.int64)
            group[:, c] = np.unique(stacked, axis=1, return_inverse=True)[1].reshape(-1) if n else 0
        positions, lengths = _positions(self._passes, bits)
        band = np.zeros((n, len(self._passes)), np.uint32)
        if n and positions.shape[1]:
            from linkage.compare import band_bits

            band = band_bits(records.filters, positions)
        pc = np.bitwise_count(np.asarray(records.filters, np.uint64)).sum(axis=1, dtype=np.int64)
        active = np.flatnonzero(pc > 0).astype(np.int64) if min_score > 0 else np.arange(n, dtype=np.int64)
        return BlockPlan(self, band, group, keyset, active, lengths, bits, keysets, columns)


def _key_column(name: str, source: KeyFn | npt.ArrayLike, records: RegistryRecords) -> I64:
    raw = source(records) if callable(source) else source
    arr = np.asarray(raw)
    if arr.shape != (len(records),):
        raise LinkageError(f"blocking key {name!r} must give one value per record")
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    return np.unique(arr.astype(str), return_inverse=True)[1].reshape(-1).astype(np.int64)


def _positions(passes: tuple[_Pass, ...], bits: int) -> tuple[I64, I64]:
    """Sampled filter positions of every pass (``-1`` padded) and the number per pass."""
    drawn: dict[tuple[int, int, int], I64] = {}
    per_pass: list[I64] = []
    for ps in passes:
        parts = []
        for b in ps.bands:
            if b.bits > bits:
                raise LinkageError(f"an LSH band of {b.bits} bits is longer than the {bits}-bit filters")
            k = (b.seed, b.index, b.bits)
            if k not in drawn:
                rng = np.random.default_rng([b.seed, b.index, bits])
                drawn[k] = np.sort(rng.choice(bits, size=b.bits, replace=False)).astype(np.int64)
            parts.append(drawn[k])
        per_pass.append(np.concatenate(parts) if parts else np.zeros(0, np.int64))
    lengths = np.array([len(p) for p in per_pass], np.int64)
    if lengths.size and int(lengths.max()) > 31:
        raise LinkageError("a pass samples more than 31 filter bits; use fewer bits per band")
    width = int(lengths.max()) if lengths.size else 0
    out = np.full((len(passes), width), -1, np.int64)
    for p, pos in enumerate(per_pass):
        out[p, : len(pos)] = pos
    return out, lengths


@dataclass(frozen=True)
class BlockPlan:
    """A blocking resolved against records: the arrays :func:`linkage.compare.iter_dice_blocked` takes.

    ``band[i, p]`` holds the sampled bits of record ``i`` in pass ``p``;
    ``group[i, keyset[p]]`` its deterministic key group (``keyset[p] == -1``:
    none); ``active`` the records taking part. Blocks larger than
    ``blocking.max_block`` records are skipped (the giant-block guard) and
    counted by the comparison.
    """

    blocking: Blocking
    band: npt.NDArray[np.uint32]
    group: I64
    keyset: I64
    active: I64
    band_lengths: I64
    bits: int
    keysets: list[tuple[str, ...]] = field(repr=False)
    columns: dict[str, I64] = field(repr=False)

    @property
    def all_pairs(self) -> bool:
        return self.blocking.all_pairs

    def inclusion_probability(self, left: I64, right: I64, hamming: I64) -> F64:
        """The probability that the blocking compares each pair, over the draw of the LSH bit positions.

        A pass with ``r`` sampled bits brings two filters ``d`` bits apart together
        with probability ``C(L - d, r) / C(L, r)`` (``L`` filter bits), if their
        deterministic keys agree; passes draw positions independently, so a pair
        meets in at least one with ``1 - prod(1 - q_p)``. Deterministic-only
        passes give 1 or 0. Used to weight compared pairs (Horvitz-Thompson) in
        the count estimate.
        """
        li = np.asarray(left, np.int64)
        ri = np.asarray(right, np.int64)
        d = np.clip(np.asarray(hamming, np.int64), 0, self.bits)
        miss = np.ones(len(li), np.float64)
        # passes alike (same number of sampled bits, same key set) miss together: one power per kind
        kinds: dict[tuple[int, int], int] = {}
        for r, k in zip(self.band_lengths.tolist(), self.keyset.tolist(), strict=True):
            kinds[(int(r), int(k))] = kinds.get((int(r), int(k)), 0) + 1
        for (r, c), count in kinds.items():
            miss_one = 1.0 - _collision_table(self.bits, r)  # per distance d
            q_miss = miss_one ** count if count > 1 else miss_one
            m = q_miss[d]
            if c >= 0:
                m = np.where(self.group[li, c] == self.group[ri, c], m, 1.0)
            miss *= m
        out: F64 = 1.0 - miss
        return out

    def scope_groups(self) -> I64 | None:
        """The deterministic key group of each record when every pass needs it (pairs across groups
        are never compared), else None (every pair has some chance of being compared).

        Raises when passes use different key sets: the pairs in scope would then
        be a union the count estimate cannot describe.
        """
        if bool((self.keyset < 0).any()):
            return None
        if len(set(self.keyset.tolist())) > 1:
            raise LinkageError("the count estimate needs one key set across the blocking's passes "
                               "(an 'or' of different keys); use one key, or key & LSH")
        out: I64 = self.group[:, int(self.keyset[0])]
        return out


def _collision_table(bits: int, r: int) -> F64:
    """``C(L - d, r) / C(L, r)`` for ``d = 0..L``: the chance that ``r`` positions drawn avoid ``d`` differing bits."""
    d = np.arange(bits + 1, dtype=np.float64)
    out = np.ones(bits + 1, np.float64)
    for i in range(r):
        out *= np.clip((bits - d - i) / (bits - i), 0.0, 1.0)
    return out


class HammingLSH(Blocking):
    """Bit-sampling LSH for Hamming distance: ``bands`` passes of ``bits_per_band`` filter bits each.

    Two filters ``d`` bits apart (of ``L``) meet in a band with probability
    about ``(1 - d / L) ** bits_per_band``, so similar filters meet in some band
    with high probability and chance pairs rarely. The positions come from
    ``seed`` (they depend on nothing secret: the filters are what the registry
    holds). Defaults measured on the default profile: :func:`default_blocking`.
    """

    def __init__(self, bits_per_band: int = 16, bands: int = 128, *, seed: int = 0, max_block: int = 100_000) -> None:
        if not 1 <= int(bits_per_band) <= 31:
            raise LinkageError(f"bits_per_band must be 1..31, got {bits_per_band}")
        if int(bands) < 1:
            raise LinkageError(f"bands must be at least 1, got {bands}")
        self.bits_per_band = int(bits_per_band)
        self.bands = int(bands)
        self.seed = int(seed)
        passes = tuple(_Pass((), (_Band(self.seed, i, self.bits_per_band),)) for i in range(self.bands))
        super().__init__(passes, {}, f"hamming-lsh(bits_per_band={self.bits_per_band}, bands={self.bands}, "
                                     f"seed={self.seed})", max_block)


class KeyBlocking(Blocking):
    """Compare only records whose key agrees: ``key`` is one value per record, or a function of the records.

    For example a registration year the registry keeps beside the filters, or a
    schema-declared blocking key. Combine with LSH: ``KeyBlocking("year", y) & HammingLSH()``.
    """

    def __init__(self, name: str, key: KeyFn | npt.ArrayLike, *, max_block: int = 100_000) -> None:
        if not name:
            raise LinkageError("a blocking key needs a name")
        super().__init__((_Pass((name,), ()),), {name: key}, f"key({name})", max_block)


class AllPairs(Blocking):
    """No blocking: every pair is compared (one pass without a key)."""

    def __init__(self) -> None:
        super().__init__((_Pass(),), {}, "all-pairs", 2**62)


def default_blocking(n_records: int) -> Blocking:
    """What ``blocking="auto"`` uses: all pairs up to 50,000 records, :class:`HammingLSH` above.

    Below that size comparing every pair takes a second or two; above it the
    quadratic cost dominates and LSH (16 bits x 128 bands) compares a few
    percent of the pairs while keeping at least 99.5% of the all-pairs matches
    (measured in ``benchmarks/speed/dedup.py``).
    """
    return AllPairs() if n_records <= 50_000 else HammingLSH()


def pair_completeness(found: tuple[npt.ArrayLike, npt.ArrayLike], reference: tuple[npt.ArrayLike, npt.ArrayLike],
                      n_records: int) -> float:
    """Share of the ``reference`` pairs (e.g. all-pairs matches) that ``found`` also holds (1.0 if none)."""
    ref = _pair_codes(reference, n_records)
    if ref.size == 0:
        return 1.0
    got = _pair_codes(found, n_records)
    return float(np.isin(ref, got).mean())


def _pair_codes(pairs: tuple[npt.ArrayLike, npt.ArrayLike], n: int) -> I64:
    a = np.asarray(pairs[0], np.int64)
    b = np.asarray(pairs[1], np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return np.unique(lo * max(n, 1) + hi)


def reduction_ratio(compared: int, n_records: int) -> float:
    """``1 - compared / all pairs``: the share of the all-pairs work a blocking saved."""
    total = n_records * (n_records - 1) // 2
    return 0.0 if total == 0 else 1.0 - compared / total

