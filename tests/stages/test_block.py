"""block: the all-pairs ranges cover the upper triangle once, with balanced work."""

from __future__ import annotations

import pytest

from linkage.block import all_pairs_ranges, pair_count


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1001])
def test_pair_count(n: int) -> None:
    assert pair_count(n) == sum(range(n))


def test_empty_and_single_record() -> None:
    assert all_pairs_ranges(0) == []
    assert all_pairs_ranges(1) == [(0, 1)]


def test_ranges_are_contiguous_and_ordered() -> None:
    ranges = all_pairs_ranges(5000, 100_000)
    assert ranges[0][0] == 0 and ranges[-1][1] == 5000
    for (a, b), (c, d) in zip(ranges, ranges[1:], strict=False):
        assert a < b == c < d


def test_work_is_balanced() -> None:
    n, per = 20_000, 1_000_000
    ranges = all_pairs_ranges(n, per)
    work = [sum(n - 1 - i for i in range(a, b)) for a, b in ranges]
    assert sum(work) == pair_count(n)
    assert len(ranges) == pytest.approx(pair_count(n) / per, abs=1)
    # every range but the last holds about the target number of pairs (early rows pair with more)
    assert max(work[:-1]) <= 1.01 * per + n and min(work[:-1]) >= 0.99 * per - n


def test_one_range_when_the_target_is_large() -> None:
    assert all_pairs_ranges(100, 10**9) == [(0, 100)]
