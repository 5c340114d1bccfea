"""Reference (clkhash-style) encoding, frequency alignment and the leaked-key dictionary attack."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import linkage
from linkage.compare import dice_pairs
from linkage.encode import LinkageKey
from linkage.fieldtypes.initials import candidate_initials
from linkage.fieldtypes.year import candidate_years
from linkage.privacy import (
    QI_COLUMNS,
    EncodedView,
    background_frequencies,
    canonical_truth,
    guessing_baseline,
    score_recovery,
    synthetic_population,
)
from linkage.privacy._dictionary import dictionary_attack, reference_dictionary_attack
from linkage.privacy._frequency import frequency_alignment, parse_tuple_key
from linkage.privacy._reference import (
    bigrams,
    double_hash_positions,
    encode_reference,
    numeric_neighbourhood,
    reference_field_keys,
    reference_presence,
    reference_view,
)

N = 2000
TARGET_SEED = 11
BACKGROUND_SEED = 12
SECRET = bytes(range(32))


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return synthetic_population(N, seed=TARGET_SEED)


@pytest.fixture(scope="module")
def background() -> dict[str, pd.Series]:
    return background_frequencies(synthetic_population(N, seed=BACKGROUND_SEED))


@pytest.fixture(scope="module")
def truth(population: pd.DataFrame) -> pd.DataFrame:
    return canonical_truth(population)


@pytest.fixture(scope="module")
def linkage_view(population: pd.DataFrame, schema: linkage.Schema, key: LinkageKey) -> EncodedView:
    enc = linkage.encode_records(population, schema, key)
    return EncodedView(filters=enc.filters, presence=enc.presence, filter_length=schema.filter_length)


def _records(rows: Sequence[tuple[str | None, int | None, str | None, str | None]]) -> pd.DataFrame:
    cols = {
        "initials": [r[0] for r in rows],
        "birth_year": [None if r[1] is None else (r[1], r[1]) for r in rows],
        "nationality": [r[2] for r in rows],
        "sex": [r[3] for r in rows],
    }
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})


def _in_unit_interval(scores: dict[str, float]) -> bool:
    return all(0.0 <= v <= 1.0 for v in scores.values())


# --- reference encoding -------------------------------------------------------------------------


def test_reference_tokens_follow_clkhash() -> None:
    assert bigrams("AB") == [" A", "AB", "B "]
    assert bigrams("A") == [" A", "A "]
    assert bigrams("") == []
    # NumericComparison(threshold_distance=2, resolution=1): years y-1, y, y+1, scaled by 2.
    assert numeric_neighbourhood(1998) == ["3994", "3996", "3998"]
    assert set(numeric_neighbourhood(1998)) & set(numeric_neighbourhood(1999)) == {"3996", "3998"}
    assert not set(numeric_neighbourhood(1998)) & set(numeric_neighbourhood(2001))


def test_reference_keys_and_positions_rederived_independently() -> None:
    material = HKDF(algorithm=hashes.SHA256(), length=4 * 2 * 64, salt=None, info=None).derive(SECRET)
    keys = reference_field_keys(SECRET)
    assert len(keys) == 4
    assert keys[2] == (material[256:320], material[320:384])  # nationality: keys 4 and 5
    h1 = int(hmac.new(keys[2][0], b"NLD", hashlib.sha1).hexdigest(), 16) % 1024
    h2 = int(hmac.new(keys[2][1], b"NLD", hashlib.md5).hexdigest(), 16) % 1024
    assert double_hash_positions(keys[2], "NLD", 20, 1024) == [(h1 + i * h2) % 1024 for i in range(20)]


def test_reference_encoding_shape_deterministic_and_keyed(population: pd.DataFrame) -> None:
    sample = population.head(300)
    a = encode_reference(sample, SECRET)
    assert a.dtype == np.uint64 and a.shape == (300, 1024 // 64)
    assert np.array_equal(a, encode_reference(sample, SECRET))
    other = encode_reference(sample, bytes(reversed(range(32))))
    assert not np.array_equal(a, other)
    assert (a != other).any(axis=1).mean() > 0.99
    short = encode_reference(sample, SECRET, length=512, k=10)
    assert short.shape == (300, 8)


def test_reference_rejects_text_secret_and_bad_length(population: pd.DataFrame) -> None:
    with pytest.raises(TypeError):
        encode_reference(population.head(2), "secret")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        encode_reference(population.head(2), SECRET, length=1000)


def test_reference_missing_values_set_no_bits() -> None:
    recs = _records([(None, None, None, None), ("AB", None, None, None)])
    filters = encode_reference(recs, SECRET)
    assert not filters[0].any()
    assert filters[1].any()
    assert reference_presence(recs).tolist() == [0, 1]


def test_reference_similar_records_score_higher() -> None:
    recs = _records(
        [
            ("AP", 1994, "ROU", "F"),
            ("AP", 1995, "ROU", "F"),  # year one off
            ("AR", 1994, "ROU", "F"),  # one initial off
            ("KT", 1960, "NGA", "M"),  # unrelated
        ]
    )
    filters = encode_reference(recs, SECRET)
    left = np.zeros(3, dtype=np.int64)
    right = np.array([1, 2, 3], dtype=np.int64)
    year_off, initial_off, unrelated = dice_pairs(filters, left, right)
    assert year_off > unrelated and initial_off > unrelated
    assert min(year_off, initial_off) > 0.6 > unrelated


def test_year_neighbourhood_leaks_order_and_exact_token_does_not() -> None:
    recs = _records([(None, 1994, None, None), (None, 1995, None, None), (None, 2000, None, None)])
    left = np.array([0, 0], dtype=np.int64)
    right = np.array([1, 2], dtype=np.int64)
    near, far = dice_pairs(encode_reference(recs, SECRET, year_neighbourhood=True), left, right)
    assert near > 0.5 and far < 0.2
    near_x, far_x = dice_pairs(encode_reference(recs, SECRET, year_neighbourhood=False), left, right)
    assert near_x < 0.2 and far_x < 0.2


# --- frequency alignment -----------------------------------------------------------------------


def test_parse_tuple_key() -> None:
    assert parse_tuple_key("AP|(1994, 1994)|ROU|F") == {
        "initials": "AP", "birth_year": 1994, "nationality": "ROU", "sex": "F"
    }
    assert parse_tuple_key("A|1990|None|None") == {
        "initials": "A", "birth_year": 1990, "nationality": None, "sex": None
    }
    with pytest.raises(ValueError):
        parse_tuple_key("AP|1994")


def test_frequency_alignment_shape_scores_and_determinism(
    linkage_view: EncodedView, background: dict[str, pd.Series], truth: pd.DataFrame
) -> None:
    guesses = frequency_alignment(linkage_view, background)
    assert list(guesses.columns) == list(QI_COLUMNS)
    assert len(guesses) == N and guesses.index.equals(pd.RangeIndex(N))
    assert all(v is None or type(v) is int for v in guesses["birth_year"])
    assert all(v is None or isinstance(v, str) for c in ("initials", "nationality", "sex") for v in guesses[c])
    scores = score_recovery(guesses, truth)
    assert _in_unit_interval(scores)
    assert guesses.equals(frequency_alignment(linkage_view, background))
    assert 0 < guesses.attrs["records_aligned"] < N
    # Without the key, frequency alignment on a different population barely beats guessing.
    assert scores["full_tuple"] < 0.05
    assert _in_unit_interval(guessing_baseline(background, truth))


def test_frequency_alignment_does_not_depend_on_record_order(
    linkage_view: EncodedView, background: dict[str, pd.Series]
) -> None:
    perm = np.random.default_rng(0).permutation(N)
    shuffled = EncodedView(linkage_view.filters[perm], linkage_view.presence[perm], linkage_view.filter_length)
    a = frequency_alignment(linkage_view, background).iloc[perm].reset_index(drop=True)
    b = frequency_alignment(shuffled, background)
    assert a.equals(b)


def test_frequency_alignment_exact_when_frequencies_line_up(schema: linkage.Schema, key: LinkageKey) -> None:
    # Same population as background and distinct group sizes: rank alignment is exact.
    rows = (
        [("MJ", 2000, "NLD", "F")] * 6
        + [("AP", 1994, "ROU", "F")] * 4
        + [("KT", 1988, None, "M")] * 3
        + [("OS", 1999, "UKR", "F")] * 2
    )
    recs = _records(rows)
    enc = linkage.encode_records(recs, schema, key)
    view = EncodedView(enc.filters, enc.presence, schema.filter_length)
    guesses = frequency_alignment(view, background_frequencies(recs))
    assert score_recovery(guesses, canonical_truth(recs))["full_tuple"] == 1.0
    assert guesses.loc[10, "nationality"] is None  # read off the presence mask


def test_frequency_alignment_on_reference_encoding(
    population: pd.DataFrame, background: dict[str, pd.Series], truth: pd.DataFrame
) -> None:
    guesses = frequency_alignment(reference_view(population, SECRET), background, min_group_size=1)
    assert len(guesses) == N
    assert _in_unit_interval(score_recovery(guesses, truth))


# --- dictionary attack ---------------------------------------------------------------------------


def test_candidate_space(background: dict[str, pd.Series]) -> None:
    initials = candidate_initials(background["initials"])
    assert len(initials) == len(set(initials)) >= 26 * 27
    assert {"A", "ZZ", "MJ"} <= set(initials)
    assert initials[0] == background["initials"].index[0]
    years = candidate_years(background["birth_year"], margin=2, intervals=True)
    ys = [y for y, z in years if y == z]
    lo = min(v[0] if isinstance(v, tuple) else int(v) for v in background["birth_year"].index)
    assert min(ys) == lo - 2 and (lo - 3, lo - 2) not in years and (lo - 2, lo - 1) in years


def test_dictionary_attack_with_leaked_key_recovers_nearly_everyone(
    linkage_view: EncodedView,
    schema: linkage.Schema,
    key: LinkageKey,
    background: dict[str, pd.Series],
    truth: pd.DataFrame,
) -> None:
    guesses = dictionary_attack(linkage_view, schema, key, background)
    scores = score_recovery(guesses, truth)
    assert scores["full_tuple"] >= 0.95
    assert scores["birth_year"] >= 0.95 and scores["initials"] >= 0.95
    assert guesses.attrs["exact_share"] >= 0.95
    assert guesses.attrs["seconds"] < 20
    assert list(guesses.columns) == list(QI_COLUMNS) and len(guesses) == N
    assert all(v is None or type(v) is int for v in guesses["birth_year"])
    # Missing fields are read off the presence mask, never guessed.
    missing_nat = truth["nationality"].isna().to_numpy()
    assert missing_nat.any() and guesses["nationality"][missing_nat].isna().all()


def test_dictionary_attack_needs_the_right_key(
    linkage_view: EncodedView, schema: linkage.Schema, background: dict[str, pd.Series], truth: pd.DataFrame
) -> None:
    wrong = LinkageKey(bytes(range(1, 33)))
    guesses = dictionary_attack(linkage_view, schema, wrong, background)
    assert score_recovery(guesses, truth)["full_tuple"] < 0.05
    assert guesses.attrs["exact_share"] == 0.0


def test_dictionary_attack_refuses_a_space_over_the_limit(
    linkage_view: EncodedView, schema: linkage.Schema, key: LinkageKey, background: dict[str, pd.Series]
) -> None:
    with pytest.raises(ValueError, match="max_candidates"):
        dictionary_attack(linkage_view, schema, key, background, max_candidates=1000)


@pytest.mark.parametrize("year_neighbourhood", [True, False])
def test_reference_dictionary_attack_recovers_nearly_everyone(
    population: pd.DataFrame, background: dict[str, pd.Series], truth: pd.DataFrame, year_neighbourhood: bool
) -> None:
    view = reference_view(population, SECRET, year_neighbourhood=year_neighbourhood)
    guesses = reference_dictionary_attack(view, SECRET, background, year_neighbourhood=year_neighbourhood)
    assert score_recovery(guesses, truth)["full_tuple"] >= 0.95


def test_dictionary_attack_is_deterministic(
    linkage_view: EncodedView, schema: linkage.Schema, key: LinkageKey, background: dict[str, pd.Series]
) -> None:
    sub = EncodedView(linkage_view.filters[:200], linkage_view.presence[:200], linkage_view.filter_length)
    assert dictionary_attack(sub, schema, key, background).equals(dictionary_attack(sub, schema, key, background))


def test_dictionary_attack_handles_field_level_filters_and_refuses_hardening(
    population: pd.DataFrame, key: LinkageKey, background: dict[str, pd.Series], truth: pd.DataFrame
) -> None:
    doc = json.loads(json.dumps(linkage.default_schema(hardened=False).document))
    doc["filter"]["level"] = "field"
    try:
        segmented = linkage.load_schema(doc)
    except linkage.SchemaError:
        pytest.skip("this schema version has no field-level filters")
    head = population.head(300)
    enc = linkage.encode_records(head, segmented, key)
    view = EncodedView(enc.filters, enc.presence, segmented.filter_length)
    guesses = dictionary_attack(view, segmented, key, background)
    assert score_recovery(guesses, truth.head(300))["full_tuple"] >= 0.95

    doc = json.loads(json.dumps(linkage.default_schema(hardened=False).document))
    doc["hardening"] = {"permute": True}
    try:
        hardened = linkage.load_schema(doc)
    except linkage.SchemaError:
        pytest.skip("this schema version has no permutation hardening")
    with pytest.raises(ValueError, match="hardening"):
        dictionary_attack(view, hardened, key, background)


def test_a_leaked_key_also_undoes_the_default_hardening(
    population: pd.DataFrame, key: LinkageKey, background: dict[str, pd.Series], truth: pd.DataFrame
) -> None:
    """Salt, BLIP, folding and permutation do not protect against whoever holds the key."""
    from linkage.privacy._dictionary import hardened_dictionary_attack

    schema = linkage.default_schema()
    doc = json.loads(json.dumps(schema.document))
    doc["hardening"]["permute"] = True  # every modelled step at once
    full = linkage.load_schema(doc)
    head = population.head(400)
    for s in (schema, full):
        enc = linkage.encode_records(head, s, key)
        view = EncodedView(enc.filters, enc.presence, s.output_length)
        guesses = hardened_dictionary_attack(view, s, key, background)
        assert score_recovery(guesses, truth.head(400))["full_tuple"] >= 0.95
        if s.hardening.blip_noise == "filter":
            # noise drawn from the filter alone: the guesses re-encode to the very bits; with noise
            # per row (the default) the row enters the noise too, so the attack names the tuple
            # by containment, not by an exact re-encoding (full tuples above still >= 95%)
            assert guesses.attrs["exact_share"] >= 0.95
        # without the key the same attack recovers nothing
        wrong = hardened_dictionary_attack(view, s, LinkageKey(bytes(range(1, 33))), background)
        assert score_recovery(wrong, truth.head(400))["full_tuple"] < 0.05
    doc["hardening"] = {"balance": True}
    balanced = linkage.load_schema(doc)
    enc = linkage.encode_records(head, balanced, key)
    with pytest.raises(ValueError, match="not balancing"):
        hardened_dictionary_attack(EncodedView(enc.filters, enc.presence, balanced.output_length), balanced, key,
                                   background)
