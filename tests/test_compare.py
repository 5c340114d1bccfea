"""Dice kernels: every implementation returns exactly what the plain-Python reference defines.

The reference: ``score = 2.0 * inter / (pa + pb)`` in double, 0.0 for two empty
filters, a pair kept when ``score >= t``. The compiled kernels prune by
popcount, pre-test in integers, tile and thread; none of that may change a
single (left, right, score).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from linkage.block import all_pairs_ranges, pair_count
from linkage.compare import (
    HAVE_NUMBA,
    DiceStats,
    _dice,
    dice_cross,
    dice_pairs,
    dice_pairs_at_least,
    dice_reference,
    dice_upper_triangle,
    iter_dice_upper_triangle,
    kernel_info,
    popcount,
)
from linkage.errors import LinkageError, MismatchError
from linkage.hazmat import pack_bits

U64 = npt.NDArray[np.uint64]
Triple = list[tuple[int, int, float]]

KERNELS = ["numpy"] + (["numba"] if HAVE_NUMBA else [])
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")

filters_st = hnp.arrays(np.uint64, st.tuples(st.integers(0, 14), st.integers(1, 4)),
                        elements=st.integers(0, 2**64 - 1))


def _ref_triangle(f: U64, t: float, start: int = 0, stop: int | None = None) -> Triple:
    rows = [r.tolist() for r in f]
    stop = len(rows) if stop is None else stop
    out = []
    for i in range(start, stop):
        for j in range(i + 1, len(rows)):
            s = dice_reference(rows[i], rows[j])
            if s >= t:
                out.append((i, j, s))
    return out


def _ref_cross(a: U64, b: U64, t: float) -> Triple:
    ra, rb = [r.tolist() for r in a], [r.tolist() for r in b]
    return [(i, j, s) for i in range(len(ra)) for j in range(len(rb)) if (s := dice_reference(ra[i], rb[j])) >= t]


def _triples(res: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Triple:
    li, ri, sc = res
    assert li.dtype == np.int64 and ri.dtype == np.int64 and sc.dtype == np.float64
    return list(zip(li.tolist(), ri.tolist(), sc.tolist(), strict=True))


def _same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> None:
    assert len(a) == len(b) == 3
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype and np.array_equal(x, y)


def _bits(rng: np.random.Generator, n: int, length: int, density: float) -> U64:
    return pack_bits(rng.random((n, length)) < density)


def _achievable(f: U64) -> list[float]:
    """Every score some pair of ``f`` reaches, and the doubles just below and above each."""
    pc = popcount(f)
    n = len(f)
    scores = set()
    for i in range(n):
        inter = np.bitwise_count(f[i] & f).sum(axis=1)
        tot = pc[i] + pc
        for k in range(n):
            scores.add(0.0 if tot[k] == 0 else 2.0 * int(inter[k]) / int(tot[k]))
    out = set()
    for s in scores:
        out |= {s, math.nextafter(s, -1.0), math.nextafter(s, 2.0)}
    return sorted(out)


# ---------------------------------------------------------------------------
# Reference properties


@given(filters_st)
def test_dice_symmetric_bounded_and_identity(f: U64) -> None:
    n = f.shape[0]
    grid_l, grid_r = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    left, right = grid_l.ravel(), grid_r.ravel()
    for kernel in KERNELS:
        s = dice_pairs(f, left, right, kernel=kernel)  # type: ignore[arg-type]
        assert ((s >= 0) & (s <= 1)).all()
        m = s.reshape(n, n)
        assert np.array_equal(m, m.T)
        nonempty = popcount(f) > 0
        assert np.all(np.diag(m)[nonempty] == 1.0)
        assert np.all(np.diag(m)[~nonempty] == 0.0)  # nothing known is not agreement
        for a, b in zip(left[:30], right[:30], strict=True):
            assert dice_reference(f[a].tolist(), f[b].tolist()) == s[a * n + b]


# ---------------------------------------------------------------------------
# Upper triangle


@pytest.mark.parametrize("kernel", KERNELS)
@given(f=filters_st, threshold=st.sampled_from([-1.0, 0.0, 0.3, 0.5, 0.8, 1.0, 1.5]))
def test_upper_triangle_kernels_agree_with_reference(kernel: str, f: U64, threshold: float) -> None:
    got = dice_upper_triangle(f, threshold, kernel=kernel)  # type: ignore[arg-type]
    assert _triples(got) == _ref_triangle(f, threshold)


@pytest.mark.parametrize("kernel", KERNELS)
@settings(max_examples=40, deadline=None)
@given(f=hnp.arrays(np.uint64, st.tuples(st.integers(2, 12), st.integers(1, 3)),
                    elements=st.sampled_from([0, 1, 3, 2**64 - 1, 0xF0F0F0F0F0F0F0F0, 0x0F, 2**63])),
       data=st.data())
def test_ties_at_every_achievable_score(kernel: str, f: U64, data: st.DataObject) -> None:
    """A threshold equal to a score some pair reaches keeps that pair; one ulp above drops it."""
    t = data.draw(st.sampled_from(_achievable(f)))
    assert _triples(dice_upper_triangle(f, t, kernel=kernel)) == _ref_triangle(f, t)  # type: ignore[arg-type]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("length", [64, 128, 192, 512, 1024, 2048])
def test_adversarial_filters_every_length(kernel: str, length: int) -> None:
    w = length // 64
    rng = np.random.default_rng(length)
    zeros = np.zeros((3, w), np.uint64)
    ones = np.full((3, w), 2**64 - 1, np.uint64)
    one_bit = np.zeros((2, w), np.uint64)
    one_bit[:, -1] = 1 << 63  # the last bit of the last word
    random = _bits(rng, 6, length, 0.3)
    equal = np.repeat(random[:1], 2, axis=0)
    f = np.concatenate([zeros, ones, one_bit, random, equal])
    for t in [-0.5, 0.0, *(_achievable(f)[::3]), 1.0, 1.0000001]:
        assert _triples(dice_upper_triangle(f, t, kernel=kernel)) == _ref_triangle(f, t), t  # type: ignore[arg-type]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_tiny_inputs(kernel: str, n: int) -> None:
    f = np.full((n, 2), 0xFF, np.uint64)
    stats = DiceStats()
    got = dice_upper_triangle(f, 0.0, kernel=kernel, stats=stats)  # type: ignore[arg-type]
    assert _triples(got) == _ref_triangle(f, 0.0)
    assert stats.pairs == n * (n - 1) // 2 == stats.kept
    assert _triples(dice_upper_triangle(np.zeros((0, 8), np.uint64), 0.5, kernel=kernel)) == []  # type: ignore[arg-type]


@needs_numba
@pytest.mark.parametrize(("length", "n"), [(64, 4099), (512, 513), (512, 1031), (1024, 257), (2048, 129), (192, 1401)])
def test_compiled_equals_numpy_when_tiles_do_not_divide_n(length: int, n: int) -> None:
    """Column tiles (4096/512/256/128 filters) and row chunks that do not divide n, many threads."""
    rng = np.random.default_rng(n)
    f = np.concatenate([_bits(rng, n // 2, length, 0.25), _bits(rng, n - n // 2, length, 0.05)])
    f[:: 97] = f[1:: 97][: len(f[:: 97])]  # some equal pairs
    f[5] = 0
    expected = dice_upper_triangle(f, 0.25, kernel="numpy")
    assert len(expected[0]) > 0
    for threads in (1, 2, 3):
        _same(dice_upper_triangle(f, 0.25, kernel="numba", threads=threads), expected)
    _same(dice_upper_triangle(f, 0.25, kernel="numba", prune=False), expected)


@needs_numba
def test_many_chunks_and_threads_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    f = np.concatenate([_bits(rng, 700, 512, d) for d in (0.02, 0.1, 0.3)])
    expected = dice_upper_triangle(f, 0.2, kernel="numpy")
    monkeypatch.setattr(_dice, "_MIN_CHUNK_PAIRS", 1)
    monkeypatch.setattr(_dice, "_L2_ROW_BYTES", 64 * 8 * 8)  # 64 rows per chunk
    for threads in (1, 2, 5):
        _same(dice_upper_triangle(f, 0.2, kernel="numba", threads=threads), expected)
    _same(dice_cross(f[:900], f[900:], 0.2, kernel="numba", threads=3),
          dice_cross(f[:900], f[900:], 0.2, kernel="numpy"))


@pytest.mark.parametrize("kernel", KERNELS)
def test_row_ranges_cover_the_triangle_once(kernel: str) -> None:
    rng = np.random.default_rng(7)
    f = _bits(rng, 301, 128, 0.3)
    whole = dice_upper_triangle(f, 0.3, kernel=kernel)  # type: ignore[arg-type]
    parts = [dice_upper_triangle(f, 0.3, start=a, stop=b, kernel=kernel)  # type: ignore[arg-type]
             for a, b in [(0, 17), (17, 150), (150, 299), (299, 400)]]
    joined = tuple(np.concatenate([p[k] for p in parts]) for k in range(3))
    _same(joined, whole)
    assert _triples(dice_upper_triangle(f[:40], 0.3, start=5, stop=9, kernel=kernel)) == _ref_triangle(  # type: ignore[arg-type]
        f[:40], 0.3, 5, 9)
    if HAVE_NUMBA:
        _same(dice_upper_triangle(f, 0.3, start=17, stop=150, kernel="numba"), parts[1])


@needs_numba
def test_row_ranges_with_popcounts_reuse_tiles_and_never_go_stale() -> None:
    """A caller splitting the rows (as the pipeline's executors do) gets the tiles built once per array."""
    rng = np.random.default_rng(8)
    f = _bits(rng, 2000, 512, 0.3)
    pc = popcount(f)
    whole = dice_upper_triangle(f, 0.3, kernel="numpy")
    parts = [dice_upper_triangle(f, 0.3, start=a, stop=b, popcounts=pc, kernel="numba")
             for a, b in all_pairs_ranges(len(f), 50_000)]
    tiles = _dice._tile_cache[0].tiles
    _same(tuple(np.concatenate([p[k] for p in parts]) for k in range(3)), whole)
    dice_upper_triangle(f, 0.5, start=3, stop=9, popcounts=pc, kernel="numba")
    assert _dice._tile_cache[0].tiles is tiles  # same arrays: reused, whatever the threshold
    g = f.copy()
    g[:, 0] = 0  # other filters: new tiles, right answer
    gpc = popcount(g)
    _same(dice_upper_triangle(g, 0.3, start=100, stop=700, popcounts=gpc, kernel="numba"),
          dice_upper_triangle(g, 0.3, start=100, stop=700, kernel="numpy"))
    assert _dice._tile_cache[0].tiles is not tiles


@needs_numba
def test_pruning_skips_pairs_and_keeps_every_candidate() -> None:
    """Popcounts 10..200 of 512 bits: at 0.8 most pairs cannot reach the threshold on popcount alone."""
    rng = np.random.default_rng(11)
    f = np.concatenate([_bits(rng, 120, 512, d) for d in (0.02, 0.1, 0.2, 0.4)])
    f[200:210] = f[0:10]
    pruned, plain = DiceStats(), DiceStats()
    a = dice_upper_triangle(f, 0.8, kernel="numba", stats=pruned)
    b = dice_upper_triangle(f, 0.8, kernel="numba", prune=False, stats=plain)
    _same(a, b)
    _same(a, dice_upper_triangle(f, 0.8, kernel="numpy"))
    assert pruned.pairs == plain.pairs == plain.compared == pair_count(len(f))
    assert pruned.compared < pruned.pairs // 2 and pruned.pruned == pruned.pairs - pruned.compared
    assert pruned.kept == plain.kept == len(a[0]) >= 10


@pytest.mark.parametrize("numba_present", [False, True] if HAVE_NUMBA else [False])
def test_streamed_triangle_equals_the_whole(numba_present: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dice, "HAVE_NUMBA", numba_present)
    rng = np.random.default_rng(21)
    f = np.concatenate([_bits(rng, 500, 512, 0.1), _bits(rng, 400, 512, 0.3)])
    f[::50] = f[1::50][: len(f[::50])]
    whole = dice_upper_triangle(f, 0.3, kernel="numpy")
    stats = DiceStats()
    blocks = list(iter_dice_upper_triangle(f, 0.3, chunk_pairs=20_000, threads=2, stats=stats))
    assert len(blocks) > 5
    for li, ri, _ in blocks:  # each block sorted by (left, right), left < right
        assert np.all(li < ri)
        assert np.all(np.diff(li * len(f) + ri) > 0)
    joined = tuple(np.concatenate([b[k] for b in blocks]) for k in range(3))
    order = np.lexsort((joined[1], joined[0]))
    _same(tuple(x[order] for x in joined), whole)
    assert stats.pairs == pair_count(len(f)) and stats.kept == len(whole[0])
    assert list(iter_dice_upper_triangle(f[:1], 0.3)) == []
    with pytest.raises(LinkageError, match="chunk_pairs"):
        next(iter_dice_upper_triangle(f, 0.3, chunk_pairs=0))


def test_bad_arguments_raise_linkage_errors() -> None:
    f = np.zeros((3, 2), np.uint64)
    with pytest.raises(LinkageError, match="NaN"):
        dice_upper_triangle(f, float("nan"))
    with pytest.raises(LinkageError, match="unknown Dice kernel"):
        dice_upper_triangle(f, 0.5, kernel="cuda")  # type: ignore[arg-type]
    with pytest.raises(LinkageError, match="2-D"):
        dice_upper_triangle(np.zeros(4, np.uint64), 0.5)
    with pytest.raises(LinkageError, match="64-bit words"):
        dice_upper_triangle(np.zeros((2, 2), np.float64), 0.5)
    with pytest.raises(LinkageError, match="threads"):
        dice_upper_triangle(f, 0.5, threads=0)
    with pytest.raises(LinkageError, match="one count per filter"):
        dice_upper_triangle(f, 0.5, popcounts=np.zeros(2, np.int64))
    with pytest.raises(MismatchError):
        dice_cross(f, np.zeros((2, 3), np.uint64), 0.5)
    with pytest.raises(LinkageError, match="outside"):
        dice_pairs(f, [0, 3], [1, 2])
    with pytest.raises(LinkageError, match="outside"):
        dice_pairs(f, [0, -1], [1, 2])
    with pytest.raises(LinkageError, match="same length"):
        dice_pairs(f, [0, 1], [1])
    with pytest.raises(MismatchError):
        dice_pairs(f, [0], [0], right_filters=np.zeros((1, 1), np.uint64))


# ---------------------------------------------------------------------------
# Rectangle (A x B)


@pytest.mark.parametrize("kernel", KERNELS)
@given(a=filters_st, data=st.data(), threshold=st.sampled_from([-1.0, 0.0, 0.4, 0.6, 1.0, 2.0]))
def test_cross_agrees_with_reference(kernel: str, a: U64, data: st.DataObject, threshold: float) -> None:
    b = data.draw(hnp.arrays(np.uint64, st.tuples(st.integers(0, 9), st.just(a.shape[1])),
                             elements=st.integers(0, 2**64 - 1) | st.sampled_from([0, 2**64 - 1])))
    got = dice_cross(a, b, threshold, kernel=kernel)  # type: ignore[arg-type]
    assert _triples(got) == _ref_cross(a, b, threshold)


@needs_numba
@pytest.mark.parametrize("length", [64, 192, 512, 1024])
def test_cross_compiled_equals_numpy(length: int) -> None:
    rng = np.random.default_rng(length + 1)
    a = np.concatenate([_bits(rng, 333, length, 0.05), _bits(rng, 300, length, 0.3),
                        np.zeros((3, length // 64), np.uint64)])
    b = np.concatenate([_bits(rng, 257, length, 0.3), a[:40], _bits(rng, 500, length, 0.1)])
    for t in (0.0, 0.3, 0.6, 1.0):
        expected = dice_cross(a, b, t, kernel="numpy")
        _same(dice_cross(a, b, t, kernel="numba"), expected)
        _same(dice_cross(a, b, t, kernel="numba", prune=False, threads=1), expected)


# ---------------------------------------------------------------------------
# Explicit pair lists


@pytest.mark.parametrize("kernel", KERNELS)
def test_pair_lists(kernel: str) -> None:
    rng = np.random.default_rng(5)
    f = np.concatenate([_bits(rng, 50, 192, 0.3), np.zeros((2, 3), np.uint64), np.full((2, 3), 2**64 - 1, np.uint64)])
    g = _bits(rng, 20, 192, 0.3)
    left = rng.integers(0, len(f), 400)
    right = rng.integers(0, len(f), 400)
    expected = [dice_reference(f[a].tolist(), f[b].tolist()) for a, b in zip(left, right, strict=True)]
    assert dice_pairs(f, left, right, kernel=kernel).tolist() == expected  # type: ignore[arg-type]
    t = sorted(expected)[200]  # a threshold some pairs reach exactly
    li, ri, sc = dice_pairs_at_least(f, left, right, t, kernel=kernel)  # type: ignore[arg-type]
    keep = [k for k, s in enumerate(expected) if s >= t]
    assert li.tolist() == left[keep].tolist() and ri.tolist() == right[keep].tolist()
    assert sc.tolist() == [expected[k] for k in keep]
    cross_right = rng.integers(0, len(g), 400)
    got = dice_pairs(f, left, cross_right, right_filters=g, kernel=kernel)  # type: ignore[arg-type]
    assert got.tolist() == [dice_reference(f[a].tolist(), g[b].tolist())
                            for a, b in zip(left, cross_right, strict=True)]
    assert dice_pairs(f, [], [], kernel=kernel).shape == (0,)  # type: ignore[arg-type]


@needs_numba
def test_pair_lists_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dice, "_MIN_CHUNK_PAIRS", 4)
    rng = np.random.default_rng(9)
    f = _bits(rng, 300, 1024, 0.2)
    left, right = rng.integers(0, 300, 10_001), rng.integers(0, 300, 10_001)
    expected = dice_pairs(f, left, right, kernel="numpy")
    for threads in (1, 2, 4):
        assert np.array_equal(dice_pairs(f, left, right, kernel="numba", threads=threads), expected)


# ---------------------------------------------------------------------------
# The pieces the exactness rests on


@pytest.mark.parametrize("bits", [64, 512, 1024])
def test_prefilter_never_drops_a_pair_the_reference_keeps(bits: int) -> None:
    """For every (inter, pa + pb) and thresholds at each achievable score and its neighbours."""
    total = np.arange(0, 2 * bits + 1, dtype=np.int64)
    inter = np.arange(0, bits + 1, dtype=np.int64)
    tt, ii = np.meshgrid(total, inter, indexing="ij")
    ok = 2 * ii <= tt
    tt, ii = tt[ok], ii[ok]
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(tt > 0, 2.0 * ii / np.maximum(tt, 1), 0.0)
    rng = np.random.default_rng(bits)
    values = np.unique(score)
    thresholds = [-1.0, 0.0, 1.0, 1.5, *rng.choice(values, 60).tolist()]
    thresholds += [math.nextafter(t, 2.0) for t in thresholds] + [math.nextafter(t, -1.0) for t in thresholds]
    for t in thresholds:
        lscale = _dice.prefilter_scale(t)
        kept = score >= t
        passed = (ii << 17) >= lscale * tt
        assert not np.any(kept & ~passed), t


@needs_numba
@pytest.mark.parametrize("bits", [64, 192, 512])
def test_feasible_bounds_match_brute_force(bits: int) -> None:
    p = np.arange(bits + 1)
    pa, pb = np.meshgrid(p, p, indexing="ij")
    tot = pa + pb
    with np.errstate(invalid="ignore", divide="ignore"):
        best = np.where(tot > 0, 2.0 * np.minimum(pa, pb) / np.maximum(tot, 1), 0.0)
    for t in [-0.1, 0.0, 0.2, 0.5, 2 / 3, 0.8, 0.95, 1.0, math.nextafter(1.0, 2.0)]:
        lo, hi = _dice._bounds(bits, t)
        inside = (pb >= lo[:, None]) & (pb <= hi[:, None])
        assert np.array_equal(inside, best >= t), t


@needs_numba
def test_compiled_kernel_is_vectorised_with_popcount() -> None:
    """The tile loop must compile to vector popcounts over contiguous loads, not gathers."""
    import numba

    from linkage.compare import _kernels

    fresh = numba.njit(nogil=True)(_kernels.tile_kernel.py_func)  # no disk cache: the IR is inspectable

    @numba.njit(nogil=True)  # type: ignore[misc, unused-ignore]
    def call(rows, rpc, rlo, rhi, r0, r1, tiles, cpc, lb, lscale, t):  # type: ignore[no-untyped-def]
        return fresh(8, rows, rpc, rlo, rhi, r0, r1, tiles, cpc, lb, lscale, t)

    rng = np.random.default_rng(0)
    f = _bits(rng, 70, 512, 0.3)
    pc = popcount(f)
    tiles, cpc, lb = _dice._column_tiles(f, pc, 512, _dice.prefilter_scale(0.5))
    rlo = np.arange(1, 71, dtype=np.int64)
    rhi = np.full(70, 70, np.int64)
    call(f, pc, rlo, rhi, 0, 70, tiles, cpc, lb, _dice.prefilter_scale(0.5), 0.5)
    ir = "\n".join(fresh.inspect_llvm().values())
    assert "@llvm.ctpop.v" in ir  # vector popcount (v4i64 on AVX2, v8i64 with AVX-512)
    assert "llvm.masked.gather" not in ir


# ---------------------------------------------------------------------------
# What the user is told


def test_kernel_info_names_the_kernel() -> None:
    info = kernel_info()
    assert info.kernel == ("numba" if HAVE_NUMBA else "numpy")
    assert info.message.startswith("Dice kernel: ")
    assert info.threads >= 1


def test_kernel_info_without_numba(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dice, "HAVE_NUMBA", False)
    monkeypatch.setattr(_dice, "_NUMBA_IMPORT_ERROR", "ModuleNotFoundError: No module named 'numba'")
    info = kernel_info()
    assert info.kernel == "numpy" and info.threads == 1
    assert "numpy reference" in info.message and "pip install 'numba>=" in info.message
    with pytest.raises(LinkageError, match="needs numba"):
        dice_upper_triangle(np.zeros((2, 1), np.uint64), 0.5, kernel="numba")
    f = np.full((4, 1), 7, np.uint64)
    assert _triples(dice_upper_triangle(f, 0.5)) == _ref_triangle(f, 0.5)  # "auto" falls back to numpy


# ---------------------------------------------------------------------------
# Chunking helpers and bit packing


@given(st.integers(0, 3000), st.integers(1, 500_000))
def test_all_pairs_ranges_cover_every_row_once(n: int, per_chunk: int) -> None:
    chunks = all_pairs_ranges(n, per_chunk)
    rows = [i for a, b in chunks for i in range(a, b)]
    assert rows == list(range(n))
    assert sum(sum(n - 1 - i for i in range(a, b)) for a, b in chunks) == pair_count(n)


def test_pack_unpack_roundtrip() -> None:
    from linkage.hazmat import unpack_bits

    rng = np.random.default_rng(0)
    bits = rng.random((5, 128)) < 0.5
    f = pack_bits(bits)
    assert f.dtype == np.uint64 and f.shape == (5, 2)
    assert np.array_equal(unpack_bits(f), bits)
    # bit p lives in word p // 64 at bit p % 64
    one = np.zeros((1, 128), bool)
    one[0, 70] = True
    assert pack_bits(one)[0].tolist() == [0, 1 << 6]
