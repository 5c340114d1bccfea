from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from linkage.block import all_pairs_ranges, pair_count
from linkage.compare import HAVE_NUMBA, dice_pairs, dice_reference, dice_upper_triangle, popcount

filters_st = hnp.arrays(np.uint64, st.tuples(st.integers(1, 12), st.integers(1, 4)),
                        elements=st.integers(0, 2**64 - 1))
KERNELS = ["numpy"] + (["numba"] if HAVE_NUMBA else [])


@given(filters_st)
def test_dice_symmetric_bounded_and_identity(f: np.ndarray) -> None:
    n = f.shape[0]
    left, right = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    left, right = left.ravel(), right.ravel()
    s = dice_pairs(f, left, right)
    assert ((s >= 0) & (s <= 1)).all()
    m = s.reshape(n, n)
    assert np.array_equal(m, m.T)
    nonempty = popcount(f) > 0
    assert np.all(np.diag(m)[nonempty] == 1.0)
    assert np.all(np.diag(m)[~nonempty] == 0.0)  # nothing known is not agreement
    for a, b in zip(left[:20], right[:20], strict=True):
        assert dice_reference(f[a].tolist(), f[b].tolist()) == s[a * n + b]


@pytest.mark.parametrize("kernel", KERNELS)
@given(f=filters_st, threshold=st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]))
def test_upper_triangle_kernels_agree_with_reference(kernel: str, f: np.ndarray, threshold: float) -> None:
    n = f.shape[0]
    li, ri, sc = dice_upper_triangle(f, threshold, kernel=kernel)
    expected = [
        (i, j, dice_reference(f[i].tolist(), f[j].tolist()))
        for i in range(n) for j in range(i + 1, n)
        if dice_reference(f[i].tolist(), f[j].tolist()) >= threshold
    ]
    assert list(zip(li.tolist(), ri.tolist(), sc.tolist(), strict=True)) == expected


def test_kernels_agree_on_larger_random_filters() -> None:
    rng = np.random.default_rng(1)
    bits = rng.random((300, 1024)) < 0.2
    from linkage.hazmat import pack_bits

    f = pack_bits(bits)
    results = [dice_upper_triangle(f, 0.25, kernel=k) for k in KERNELS]
    for r in results[1:]:
        for a, b in zip(results[0], r, strict=True):
            assert np.array_equal(a, b)


@given(st.integers(0, 3000), st.integers(1, 500_000))
def test_all_pairs_ranges_cover_every_row_once(n: int, per_chunk: int) -> None:
    chunks = all_pairs_ranges(n, per_chunk)
    rows = [i for a, b in chunks for i in range(a, b)]
    assert rows == list(range(n))
    assert sum(sum(n - 1 - i for i in range(a, b)) for a, b in chunks) == pair_count(n)


def test_pack_unpack_roundtrip() -> None:
    from linkage.hazmat import pack_bits, unpack_bits

    rng = np.random.default_rng(0)
    bits = rng.random((5, 128)) < 0.5
    f = pack_bits(bits)
    assert f.dtype == np.uint64 and f.shape == (5, 2)
    assert np.array_equal(unpack_bits(f), bits)
    # bit p lives in word p // 64 at bit p % 64
    one = np.zeros((1, 128), bool)
    one[0, 70] = True
    assert pack_bits(one)[0].tolist() == [0, 1 << 6]
