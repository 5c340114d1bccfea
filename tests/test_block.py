"""Blocking: composable passes, the giant-block guard, exactly-once candidates, and the count under blocking."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linkage
from linkage.block import (
    AllPairs,
    Blocking,
    HammingLSH,
    KeyBlocking,
    default_blocking,
    pair_completeness,
    reduction_ratio,
)
from linkage.compare import (
    HAVE_NUMBA,
    BlockedStats,
    band_bits,
    dice_blocked,
    dice_blocked_reference,
    dice_reference,
    dice_upper_triangle,
)
from linkage.encode import LinkageKey
from linkage.errors import LinkageError
from linkage.records import RegistryRecords

U64 = npt.NDArray[np.uint64]


def _records(f: U64, presence: npt.NDArray[np.uint16] | None = None) -> RegistryRecords:
    n = len(f)
    return RegistryRecords(
        reporter=np.array([f"r{i % 3}" for i in range(n)]), record_id=np.array([f"{i:032x}" for i in range(n)]),
        submission_id=np.array([f"s{i % 3}" for i in range(n)]),
        presence=np.full(n, 15, np.uint16) if presence is None else presence, filters=f,
    )


def _near_duplicates(n: int, words: int, flips: int, seed: int = 0) -> U64:
    """Pairs of filters ``flips`` bits apart, plus unrelated ones: LSH has something to find."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**64, size=(n // 2, words), dtype=np.uint64)
    twin = base.copy()
    for r in range(len(twin)):
        for b in rng.choice(64 * words, flips, replace=False):
            twin[r, b >> 6] ^= np.uint64(1) << np.uint64(b & 63)
    return np.ascontiguousarray(np.concatenate([base, twin]))


def _brute(f: U64, plan_band: npt.NDArray[np.uint32], group: npt.NDArray[np.int64], keyset: npt.NDArray[np.int64],
           t: float, max_block: int, active: list[int]) -> set[tuple[int, int]]:
    """Pairs of active records scoring >= t that meet in some pass whose block (of active records)
    is not larger than max_block."""
    n, n_pass = plan_band.shape
    out = set()
    for p in range(n_pass):
        key = [(int(group[i, keyset[p]]) if keyset[p] >= 0 else 0, int(plan_band[i, p])) for i in range(n)]
        sizes: dict[tuple[int, int], int] = {}
        for i in active:
            sizes[key[i]] = sizes.get(key[i], 0) + 1
        for i, j in itertools.combinations(active, 2):
            if key[i] == key[j] and sizes[key[i]] <= max_block and dice_reference(f[i], f[j]) >= t:
                out.add((i, j))
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 40), st.sampled_from([1, 3, 8, 16]), st.sampled_from([0.0, 0.3, 0.6]),
       st.sampled_from([2, 4, 1000]), st.integers(0, 10**6))
def test_compiled_equals_reference_and_brute_force(n: int, words: int, t: float, max_block: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    f = rng.integers(0, 2**64, size=(n, words), dtype=np.uint64)
    if n > 4:  # adversarial rows: all zeros, all ones, duplicates
        f[0] = 0
        f[1] = np.uint64(2**64 - 1)
        f[2] = f[3]
    keys = rng.integers(0, 3, n)
    blocking = (KeyBlocking("k", keys) & HammingLSH(3, 2, seed=seed)) | HammingLSH(2, 3, seed=seed + 1)
    plan = blocking.with_max_block(max_block).plan(_records(f), min_score=t)
    s1, s2 = BlockedStats(), BlockedStats()
    got = dice_blocked(f, plan.band, plan.group, plan.keyset, t, active=plan.active, max_block=max_block, stats=s1)
    ref = dice_blocked_reference(f, plan.band, plan.group, plan.keyset, t, active=plan.active,
                                 max_block=max_block, stats=s2)
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a, b)
    assert (s1.compared, s1.kept, s1.skipped_blocks, s1.skipped_pairs) == (
        s2.compared, s2.kept, s2.skipped_blocks, s2.skipped_pairs)
    pairs = list(zip(got[0].tolist(), got[1].tolist(), strict=True))
    assert len(pairs) == len(set(pairs)) and all(i < j for i, j in pairs)  # each pair once
    brute = _brute(f, plan.band, plan.group, plan.keyset, t, max_block, plan.active.tolist())
    assert set(pairs) == brute
    for i, j, s in zip(*got, strict=True):
        assert s == dice_reference(f[i], f[j])


def test_band_bits_packs_the_sampled_positions() -> None:
    f = np.zeros((2, 2), np.uint64)
    f[0, 0] = np.uint64(1 << 5)
    f[1, 1] = np.uint64(1 << 3)  # bit 67
    pos = np.array([[5, 67, -1], [67, 5, 0]], np.int64)
    out = band_bits(f, pos)
    assert out.tolist() == [[0b10, 0b010], [0b01, 0b100]]
    with pytest.raises(LinkageError):
        band_bits(f, np.array([[200]]))


def test_composition_and_guards() -> None:
    lsh = HammingLSH(8, 4)
    key = KeyBlocking("year", np.arange(4))
    assert lsh.passes == 4 and (lsh | key).passes == 5 and (lsh & key).passes == 4
    assert AllPairs().all_pairs and not lsh.all_pairs and ((AllPairs() | lsh).all_pairs)
    assert "and" in (lsh & key).description and "or" in (lsh | key).description
    with pytest.raises(LinkageError):
        HammingLSH(0, 4)
    with pytest.raises(LinkageError):
        HammingLSH(32, 4)
    with pytest.raises(LinkageError):
        HammingLSH(8, 4, max_block=1)
    with pytest.raises(LinkageError):  # 2 x 16 bits in one pass: more than 31
        (HammingLSH(16, 1) & HammingLSH(16, 1, seed=1)).plan(_records(np.zeros((3, 8), np.uint64)))
    with pytest.raises(LinkageError, match="one value per record"):
        KeyBlocking("k", np.arange(2)).plan(_records(np.zeros((3, 1), np.uint64)))
    assert isinstance(default_blocking(10), AllPairs) and isinstance(default_blocking(10**6), HammingLSH)
    assert reduction_ratio(10, 5) == 0.0 and reduction_ratio(0, 5) == 1.0


def test_key_blocking_compares_only_within_keys() -> None:
    f = np.full((6, 1), np.uint64(0xFF))
    keys = np.array(["a", "a", "b", "b", "b", "c"])
    plan = KeyBlocking("k", keys).plan(_records(f))
    li, ri, _ = dice_blocked(f, plan.band, plan.group, plan.keyset, 0.5, active=plan.active)
    assert list(zip(li.tolist(), ri.tolist(), strict=True)) == [(0, 1), (2, 3), (2, 4), (3, 4)]
    assert plan.scope_groups() is not None


def test_giant_block_guard_skips_and_counts() -> None:
    f = np.full((50, 2), np.uint64(7))  # every record identical: one block of 50 in every pass
    st = BlockedStats()
    plan = HammingLSH(4, 3, max_block=10).plan(_records(f))
    out = dice_blocked(f, plan.band, plan.group, plan.keyset, 0.5, active=plan.active, max_block=10, stats=st)
    assert len(out[0]) == 0 and st.skipped_blocks == 3 and st.skipped_pairs == 3 * 50 * 49 // 2


def test_lsh_finds_near_duplicates_and_saves_work() -> None:
    f = _near_duplicates(2000, 8, flips=40)
    n = len(f)
    plan = HammingLSH(16, 40).plan(_records(f), min_score=0.8)
    st = BlockedStats()
    li, ri, _ = dice_blocked(f, plan.band, plan.group, plan.keyset, 0.8, active=plan.active, stats=st)
    ai, aj, _ = dice_upper_triangle(f, 0.8)
    assert len(ai) == n // 2
    assert pair_completeness((li, ri), (ai, aj), n) >= 0.99
    assert reduction_ratio(st.compared, n) > 0.99


def test_inclusion_probability_matches_collision_rate() -> None:
    """Over many draws of the bit positions, a pair d bits apart meets as often as the formula says."""
    f = _near_duplicates(2, 4, flips=60, seed=3)
    recs = _records(f)
    d = int(np.bitwise_count(f[0] ^ f[1]).sum())
    hits = 0
    draws = 400
    for seed in range(draws):
        plan = HammingLSH(10, 3, seed=seed).plan(recs)
        hits += bool((plan.band[0] == plan.band[1]).any())
    p = float(HammingLSH(10, 3).plan(recs).inclusion_probability(np.array([0]), np.array([1]), np.array([d]))[0])
    assert abs(hits / draws - p) < 4 * np.sqrt(p * (1 - p) / draws) + 0.01


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")
def test_dedup_under_lsh_keeps_the_matches_and_the_estimate() -> None:
    from linkage.normalise import normalise_records
    from linkage.synth import generate, reporter_tables

    schema = linkage.default_schema()
    key = LinkageKey(bytes(range(32)))  # the test-only secret of conftest: a fixed data set
    data = generate(seed=3, n_reports=4000)
    encs = [linkage.encode_records(normalise_records(t, schema), schema, key)
            for t in reporter_tables(data).values()]
    f = np.concatenate([e.filters for e in encs])
    recs = _records(f, np.concatenate([e.presence for e in encs]))
    opts = {"draws": 50}
    full = linkage.dedup_records(recs, schema, blocking="none", estimate_options=opts)
    lsh = linkage.dedup_records(recs, schema, blocking="lsh", estimate_options=opts)
    assert full.blocking["description"] == "all-pairs" and lsh.blocking["passes"] == 128
    assert lsh.blocking["compared"] < 0.1 * full.blocking["compared"]
    a = full.pairs
    m = a.decision == 2
    plan = HammingLSH().plan(recs, min_score=0.6)
    li, ri, _ = dice_blocked(f, plan.band, plan.group, plan.keyset, 0.6, active=plan.active)
    assert m.sum() > 150 and pair_completeness((li, ri), (a.left[m], a.right[m]), len(f)) >= 0.98
    ea, eb = full.summary.estimate, lsh.summary.estimate
    assert ea is not None and eb is not None
    assert abs(ea.estimate - eb.estimate) < 0.02 * ea.estimate  # pairs never compared are not chance non-matches
    with pytest.raises(LinkageError, match="unknown blocking"):
        linkage.dedup_records(recs, schema, blocking="nope")
    # a key blocking: the estimate counts only the pairs that share a key
    year = KeyBlocking("half", np.arange(len(f)) % 2)
    keyed = linkage.dedup_records(recs, schema, blocking=year, estimate_options=opts)
    assert keyed.blocking["compared"] < full.blocking["compared"]
    assert keyed.summary.estimate is not None


def test_or_of_different_keys_cannot_describe_the_estimate() -> None:
    f = np.zeros((4, 1), np.uint64)
    b: Blocking = KeyBlocking("a", np.arange(4)) | KeyBlocking("b", np.arange(4) % 2)
    with pytest.raises(LinkageError, match="one key set"):
        b.plan(_records(f)).scope_groups()


def test_spilled_pairs_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pairs spilled to disk (a tiny budget) classify exactly as pairs held in memory."""
    from linkage.normalise import normalise_records
    from linkage.pipeline import _registry
    from linkage.synth import generate, reporter_tables

    schema = linkage.default_schema()
    key = LinkageKey(bytes(range(32)))
    encs = [linkage.encode_records(normalise_records(t, schema), schema, key)
            for t in reporter_tables(generate(seed=5, n_reports=1500)).values()]
    recs = _records(np.concatenate([e.filters for e in encs]), np.concatenate([e.presence for e in encs]))
    for blocking in ("none", "lsh"):
        held = linkage.dedup_records(recs, schema, blocking=blocking, estimate_options={"draws": 30})
        monkeypatch.setattr(_registry, "SPILL_BUDGET", 0)
        spilled = linkage.dedup_records(recs, schema, blocking=blocking, estimate_options={"draws": 30})
        monkeypatch.undo()
        assert held.pairs.equals(spilled.pairs) and held.persons.equals(spilled.persons)
        assert held.summary.to_json() == spilled.summary.to_json()


def test_pair_evidence_dense_table_equals_the_per_stratum_path() -> None:
    """The dense (pattern pair, bin) bincount gives the same counts as sorting by stratum."""
    from linkage.estimate import PairEvidence, default_count_model
    from linkage.records import ScoredPairs

    rng = np.random.default_rng(7)
    n = 3000
    presence = rng.choice(np.array([15, 7, 3, 12, 1], np.uint16), n)
    model = default_count_model(linkage.default_schema())
    li = rng.integers(0, n, 50_000)
    ri = rng.integers(0, n, 50_000)
    pairs = ScoredPairs(np.minimum(li, ri), np.maximum(li, ri), rng.random(50_000))
    w = rng.random(50_000) + 1.0
    for weights in (None, w):
        dense = PairEvidence(presence, model)
        slow = PairEvidence(presence, model)
        slow._dense = 0
        for a in range(0, 50_000, 12_500):
            part = ScoredPairs(pairs.left[a:a + 12_500], pairs.right[a:a + 12_500], pairs.score[a:a + 12_500])
            ww = None if weights is None else weights[a:a + 12_500]
            dense.add(part, ww)
            slow.add(part, ww)
        assert dense.histograms.keys() == slow.histograms.keys()
        for k in dense.histograms:
            np.testing.assert_array_equal(dense.histograms[k], slow.histograms[k])
        assert dense.unmodelled_high == slow.unmodelled_high and dense.components() == slow.components()


def test_inclusion_probability_is_the_product_over_passes() -> None:
    from math import comb

    rng = np.random.default_rng(2)
    f = rng.integers(0, 2**64, size=(40, 2), dtype=np.uint64)
    keys = rng.integers(0, 2, 40)
    blocking = (KeyBlocking("k", keys) & HammingLSH(5, 3)) | HammingLSH(7, 4, seed=1)
    plan = blocking.plan(_records(f))
    li, ri = np.triu_indices(40, 1)
    d = np.bitwise_count(f[li] ^ f[ri]).sum(axis=1).astype(np.int64)
    got = plan.inclusion_probability(li.astype(np.int64), ri.astype(np.int64), d)
    want = []
    for a, b, dd in zip(li.tolist(), ri.tolist(), d.tolist(), strict=True):
        miss = 1.0
        for r, times, same in ((5, 3, keys[a] == keys[b]), (7, 4, True)):
            q = comb(128 - dd, r) / comb(128, r) if same else 0.0
            miss *= (1.0 - q) ** times
        want.append(1.0 - miss)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
