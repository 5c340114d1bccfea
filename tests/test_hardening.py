"""Hardening options: schema keys and validation, each step's effect on the bits, vectors."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import linkage
from linkage.compare import dice_pairs
from linkage.encode import LinkageKey
from linkage.encode._hardening import blip_flip_probability, keyed_permutation
from linkage.errors import SchemaError
from linkage.hazmat import record_positions, unpack_bits
from linkage.schema import fingerprint_of, schema_to_json

from .conftest import TEST_SECRET

VECTORS = {v: Path(__file__).parent / "vectors" / f"encoding_hardened_v{v}.json" for v in (1, 2)}
COLUMNS = ["initials", "birth_year", "nationality", "sex"]


# ---------------------------------------------------------------------------
# helpers



@pytest.fixture(scope="module")
def schema() -> linkage.Schema:
    """These tests add hardening steps to the unhardened profile."""
    return linkage.default_schema(hardened=False)


def _doc(hardening: dict[str, Any] | None = None, **filter_: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(schema_to_json(linkage.default_schema(hardened=False)))
    doc["hardening"] = copy.deepcopy(hardening or {})
    doc["filter"].update(filter_)
    # these schemas have no count model: classify on the score histogram
    doc["thresholds"].update({"method": "valley", "floor": 0.5, "match": 0.9, "review": 0.7})
    return doc


def _schema(hardening: dict[str, Any] | None = None, **filter_: Any) -> linkage.Schema:
    return linkage.load_schema(_doc(hardening, **filter_))


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).astype(object)


def _hkdf(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(TEST_SECRET)


def _stream(key: bytes, n: int, kind: str) -> bytes:
    """The documented keystreams, re-derived: ChaCha20 or AES-256-CTR, counter 0, zero nonce."""
    if kind == "chacha20":
        return Cipher(algorithms.ChaCha20(key, bytes(16)), mode=None).encryptor().update(bytes(n))
    assert kind == "aes-256-ctr"
    return Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor().update(bytes(n))


def _perm(purpose: str, m: int, kind: str = "aes-256-ctr") -> np.ndarray:
    """The documented keyed permutation, re-derived: stable argsort of keystream uint64s."""
    sub = _hkdf(b"linkage/v1/purpose/" + purpose.encode())
    return np.argsort(np.frombuffer(_stream(sub, 8 * m, kind), "<u8"), kind="stable")


LETTERS = "ABCDEFGHIJKLMNOPRSTVWZ"
COUNTRIES = ["ROU", "NLD", "UKR", "POL", "NGA", "BGR", "SYR", "ERI", "VNM", "CHN"]


def _population(n: int, seed: int = 7, *, distinct_initials: bool = False) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    pairs = [a + b for a in LETTERS for b in LETTERS]
    order = rng.permutation(len(pairs))
    for i in range(n):
        y = int(rng.integers(1960, 2006))
        ini = pairs[order[i]] if distinct_initials else pairs[int(rng.integers(len(pairs)))]
        rows.append({
            "initials": ini,
            "birth_year": (y, y),
            "nationality": COUNTRIES[int(rng.integers(len(COUNTRIES)))],
            "sex": "MF"[int(rng.integers(2))],
        })
    return rows


def _one_year_off(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "birth_year": (r["birth_year"][0] + 1, r["birth_year"][1] + 1)} for r in rows]


def _chance_dice(a: np.ndarray, b: np.ndarray, length: int) -> np.ndarray:
    """Expected Dice of two independent random filters with the popcounts of ``a`` and ``b``."""
    pa = unpack_bits(a).sum(axis=1).astype(float)
    pb = unpack_bits(b).sum(axis=1).astype(float)
    out: np.ndarray = 2 * pa * pb / length / (pa + pb)
    return out


AP = {"initials": "AP", "birth_year": (1994, 1994), "nationality": "ROU", "sex": "F"}


# ---------------------------------------------------------------------------
# schema: keys, defaults, output length, fingerprints


def test_unhardened_profile_has_no_hardening() -> None:
    schema = linkage.default_schema(hardened=False)
    assert schema.document["hardening"] == {"balance": False, "fold": False, "permute": False,
                                            "keystream": "aes-256-ctr"}
    assert not schema.hardening.active
    assert schema.filter_level == "record"
    assert schema.filter_length == schema.output_length == 1024 and schema.words == 16
    assert all(f.segment is None for f in schema.fields)


def test_default_profile_is_the_one_chosen_from_the_sweep() -> None:
    """docs/privacy.md: birth-year salt in 10-year bands, XOR folding, BLIP epsilon 80."""
    schema = linkage.default_schema()
    h = schema.hardening
    assert (h.salt_field, h.salt_band, h.fold, h.blip_epsilon) == ("birth_year", 10, True, 80.0)
    assert not h.balance and not h.permute
    assert schema.filter_length == 1024 and schema.output_length == 512 and schema.words == 8


@pytest.mark.parametrize(
    ("hardening", "output"),
    [
        ({}, 1024),
        ({"balance": True}, 2048),
        ({"fold": True}, 512),
        ({"balance": True, "fold": True}, 1024),
        ({"salt": {"field": "sex"}, "blip_epsilon": 50, "permute": True}, 1024),
    ],
)
def test_output_length(hardening: dict[str, Any], output: int) -> None:
    s = _schema(hardening)
    assert s.filter_length == 1024
    assert s.output_length == output and s.words == output // 64


SETTINGS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {}),
    ({"salt": {"field": "sex"}}, {}),
    ({"salt": {"field": "nationality"}}, {}),
    ({"salt": {"field": "birth_year"}}, {}),
    ({"salt": {"field": "birth_year", "band": 5}}, {}),
    ({"salt": {"field": "birth_year", "band": 10}}, {}),
    ({"blip_epsilon": 40}, {}),
    ({"blip_epsilon": 60}, {}),
    ({"balance": True}, {}),
    ({"fold": True}, {}),
    ({"permute": True}, {}),
    ({"balance": True, "fold": True}, {}),
    ({}, {"level": "field"}),
    ({"permute": True}, {"level": "field"}),
]


def test_fingerprint_changes_with_every_hardening_setting() -> None:
    prints = [_schema(h, **f).fingerprint for h, f in SETTINGS]
    assert len(set(prints)) == len(prints)
    seg = _doc({}, level="field")
    seg["fields"][0]["segment_bits"] = 384
    assert linkage.load_schema(seg).fingerprint not in prints


def test_spelled_out_defaults_keep_the_fingerprint() -> None:
    assert _schema({"balance": False, "fold": False, "permute": False}).fingerprint == _schema({}).fingerprint
    assert (_schema({"salt": {"field": "birth_year"}}).fingerprint
            == _schema({"salt": {"field": "birth_year", "band": 1}}).fingerprint)
    s = _schema({"salt": {"field": "birth_year", "band": 5}, "fold": True})
    assert linkage.load_schema(json.loads(schema_to_json(s))).fingerprint == s.fingerprint
    assert s.hardening.salt_field == "birth_year" and s.hardening.salt_band == 5


def _v1(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["version"] = 1
    out["hardening"].pop("keystream", None)
    return out


def test_version_1_documents_mean_chacha20_and_keep_their_fingerprint() -> None:
    """Schema version 2 added the keystream; version 1 documents keep their meaning and fingerprint."""
    doc = _doc({"salt": {"field": "birth_year", "band": 10}, "fold": True, "blip_epsilon": 80})
    old = _v1(doc)
    v1 = linkage.load_schema(old)
    assert v1.hardening.keystream == "chacha20"
    assert v1.document["version"] == 2
    # the fingerprint is the hash of the defaults-filled version 1 document, as version 1 computed it
    filled = {k: v for k, v in _v1(dict(v1.document)).items() if k != "description"}
    assert v1.fingerprint == "sha256:" + hashlib.sha256(
        json.dumps(filled, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    # the same document naming chacha20 in version 2 is the same schema
    named = copy.deepcopy(doc)
    named["hardening"]["keystream"] = "chacha20"
    assert linkage.load_schema(named).fingerprint == v1.fingerprint
    # AES-256-CTR (the version 2 default) encodes differently, so it is another schema
    aes = linkage.load_schema(doc)
    assert aes.hardening.keystream == "aes-256-ctr" and aes.fingerprint != v1.fingerprint
    assert fingerprint_of(dict(aes.document)) == aes.fingerprint
    assert fingerprint_of(dict(v1.document)) == v1.fingerprint == fingerprint_of(old | {"hardening": {
        **old["hardening"], "balance": False, "permute": False}})


@pytest.mark.parametrize("hardening", [{}, {"fold": True}, {"salt": {"field": "sex"}}])
def test_a_keystream_no_step_uses_leaves_the_fingerprint_alone(hardening: dict[str, Any]) -> None:
    doc = _doc(hardening)
    prints = {linkage.load_schema(d).fingerprint for d in (doc, _v1(doc), {**doc, "hardening": {
        **doc["hardening"], "keystream": "chacha20"}})}
    assert len(prints) == 1


def test_the_keystream_changes_every_keyed_random_step(key: LinkageKey) -> None:
    rows = _population(50)
    for hardening in ({"blip_epsilon": 40}, {"balance": True}, {"permute": True}):
        a = linkage.encode_records(_frame(rows), _schema(hardening), key).filters
        b = linkage.encode_records(_frame(rows), _schema({**hardening, "keystream": "chacha20"}), key).filters
        assert not np.array_equal(a, b), hardening
    plain = {"salt": {"field": "sex"}, "fold": True}
    a = linkage.encode_records(_frame(rows), _schema(plain), key).filters
    b = linkage.encode_records(_frame(rows), _schema({**plain, "keystream": "chacha20"}), key).filters
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    ("hardening", "fragment"),
    [
        ({"keystream": "rc4"}, "/hardening/keystream"),
        ({"bogus": True}, "bogus"),
        ({"salt": {"field": "sex", "pepper": 1}}, "pepper"),
        ({"salt": {}}, "'field' is a required property"),
        ({"blip_epsilon": 0}, "/hardening/blip_epsilon"),
        ({"blip_epsilon": "high"}, "/hardening/blip_epsilon"),
        ({"balance": "yes"}, "/hardening/balance"),
        ({"salt": {"field": "birth_year", "band": 0}}, "/hardening/salt/band"),
    ],
)
def test_hardening_section_rejects_unknown_keys_and_bad_values(hardening: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SchemaError) as ei:
        _schema(hardening)
    assert fragment in "\n".join(ei.value.problems)


def test_invalid_combination_lists_every_problem() -> None:
    doc = _doc({"salt": {"field": "eye_colour"}, "fold": True, "blip_epsilon": -1}, length=192)
    doc["fields"][3]["segment_bits"] = 64  # only meaningful at level "field"
    doc2 = _doc({"salt": {"field": "sex", "band": 5}})
    with pytest.raises(SchemaError) as ei:
        linkage.load_schema(doc)
    joined = "\n".join(ei.value.problems)
    for fragment in ("/hardening/salt/field", "/hardening/fold", "multiple of 128", "/hardening/blip_epsilon",
                     "/fields/3/segment_bits"):
        assert fragment in joined, fragment
    assert len(ei.value.problems) >= 4
    with pytest.raises(SchemaError, match="band needs a year field"):
        linkage.load_schema(doc2)


def test_fold_and_balance_length_rules() -> None:
    with pytest.raises(SchemaError, match="multiple of 128"):
        _schema({"fold": True}, length=64)
    assert _schema({"fold": True, "balance": True}, length=192).output_length == 192  # 2 * 192 folds fine
    assert _schema({"fold": True}, length=128).output_length == 64
    with pytest.raises(SchemaError, match="at most 65536"):
        _schema({"balance": True}, length=65536)
    assert _schema({"balance": True}, length=32768).words == 1024


def test_field_level_segments() -> None:
    even = _schema({}, level="field")
    assert [f.segment for f in even.fields] == [(0, 256), (256, 256), (512, 256), (768, 256)]
    doc = _doc({}, level="field")
    doc["fields"][0]["segment_bits"] = 384
    s = linkage.load_schema(doc)
    assert [f.segment for f in s.fields] == [(0, 384), (384, 256), (640, 192), (832, 192)]
    for bad, fragment in (
        ([1024, None, None, None], "each needs at least 64"),
        ([512, 512, 64, None], "more than the filter length"),
        ([256, 256, 256, 192], "not the filter length"),
    ):
        d = _doc({}, level="field")
        for f, bits in zip(d["fields"], bad, strict=True):
            if bits is not None:
                f["segment_bits"] = bits
        with pytest.raises(SchemaError, match=fragment):
            linkage.load_schema(d)
    with pytest.raises(SchemaError, match="each needs at least 64"):
        _schema({}, level="field", length=192)  # four fields, three words


# ---------------------------------------------------------------------------
# encoding: each step does what the documentation says


def test_no_hardening_keeps_the_plain_bits(schema: linkage.Schema, key: LinkageKey) -> None:
    rows = _population(50)
    plain = linkage.encode_records(_frame(rows), schema, key).filters
    spelled = _schema({"balance": False, "fold": False, "permute": False})
    assert np.array_equal(linkage.encode_records(_frame(rows), spelled, key).filters, plain)
    # and the seed changes nothing without BLIP
    assert np.array_equal(linkage.encode_records(_frame(rows), schema, key, seed=123).filters, plain)


def test_balancing_gives_constant_weight_and_is_a_keyed_permutation(schema: linkage.Schema,
                                                                    key: LinkageKey) -> None:
    rows = _population(200)
    plain = unpack_bits(linkage.encode_records(_frame(rows), schema, key).filters)
    bal = _schema({"balance": True})
    enc = linkage.encode_records(_frame(rows), bal, key)
    assert enc.filters.shape == (200, 32)
    bits = unpack_bits(enc.filters)
    assert (bits.sum(axis=1) == 1024).all()  # exactly L of 2L bits set
    perm = _perm("balance", 2048)
    assert bal.hardening.keystream == "aes-256-ctr"
    assert np.array_equal(perm, keyed_permutation(key.subkey("balance"), 2048, kind="aes-256-ctr"))
    assert np.array_equal(bits, np.concatenate([plain, ~plain], axis=1)[:, perm])


def test_folding_halves_the_length_and_is_the_xor_of_the_halves(schema: linkage.Schema,
                                                                key: LinkageKey) -> None:
    rows = _population(200)
    plain = unpack_bits(linkage.encode_records(_frame(rows), schema, key).filters)
    enc = linkage.encode_records(_frame(rows), _schema({"fold": True}), key)
    assert enc.filters.shape == (200, 8)
    assert np.array_equal(unpack_bits(enc.filters), plain[:, :512] ^ plain[:, 512:])


def test_permutation_moves_bits_the_same_way_for_every_record(schema: linkage.Schema, key: LinkageKey) -> None:
    rows = _population(200)
    plain = unpack_bits(linkage.encode_records(_frame(rows), schema, key).filters)
    bits = unpack_bits(linkage.encode_records(_frame(rows), _schema({"permute": True}), key).filters)
    assert (bits.sum(axis=1) == plain.sum(axis=1)).all()  # same popcount
    assert (bits != plain).any(axis=1).all()  # bits moved in every record
    perm = _perm("permutation", 1024)
    assert np.array_equal(bits, plain[:, perm])  # one permutation for all records
    assert sorted(perm.tolist()) == list(range(1024)) and (perm != np.arange(1024)).mean() > 0.99
    # Dice is unchanged by a common permutation
    i = np.arange(199)
    packed_plain = linkage.encode_records(_frame(rows), schema, key).filters
    packed_perm = linkage.encode_records(_frame(rows), _schema({"permute": True}), key).filters
    assert np.allclose(dice_pairs(packed_plain, i, i + 1), dice_pairs(packed_perm, i, i + 1))


def test_blip_flip_probability_formula() -> None:
    assert blip_flip_probability(60, 24) == pytest.approx(1 / (1 + math.exp(2.5)))
    assert blip_flip_probability(60, 24) == pytest.approx(0.0759, abs=1e-4)
    assert blip_flip_probability(1e-9, 1) == pytest.approx(0.5)
    with pytest.raises(linkage.LinkageError):
        blip_flip_probability(0, 24)
    with pytest.raises(linkage.LinkageError):
        blip_flip_probability(float("inf"), 24)


def test_blip_with_a_huge_epsilon_flips_nothing_and_does_not_overflow(key: LinkageKey) -> None:
    # epsilon / k beyond what exp() can hold used to raise OverflowError (CLI exit 3)
    assert blip_flip_probability(1e6, 1) == 0.0
    assert blip_flip_probability(701, 1) == pytest.approx(math.exp(-701))
    assert blip_flip_probability(700, 1) == pytest.approx(math.exp(-700))
    doc = _doc({"blip_epsilon": 100_000})  # the schema's maximum
    for f in doc["fields"]:
        f["bits_per_token"] = 1
    rows = _population(50, seed=5)
    plain_doc = _doc()
    for f in plain_doc["fields"]:
        f["bits_per_token"] = 1
    noisy = linkage.encode_records(_frame(rows), linkage.load_schema(doc), key).filters
    plain = linkage.encode_records(_frame(rows), linkage.load_schema(plain_doc), key).filters
    assert np.array_equal(noisy, plain)


@pytest.mark.parametrize("epsilon", [30, 60, 100])
def test_blip_flip_rate_matches_the_formula(schema: linkage.Schema, key: LinkageKey, epsilon: float) -> None:
    rows = _population(2000, seed=11)
    plain = unpack_bits(linkage.encode_records(_frame(rows), schema, key).filters)
    noisy = unpack_bits(linkage.encode_records(_frame(rows), _schema({"blip_epsilon": epsilon}), key).filters)
    p = blip_flip_probability(epsilon, 24)  # k = largest bits_per_token of the default fields
    flipped = plain != noisy
    distinct = np.unique(plain, axis=0, return_index=True)[1]
    rate = flipped[distinct].mean()
    n_bits = len(distinct) * 1024
    assert abs(rate - p) < 5 * math.sqrt(p * (1 - p) / n_bits), (rate, p)
    # flips hit set and unset bits alike
    assert abs(flipped[distinct][plain[distinct]].mean() - p) < 0.02
    assert abs(flipped[distinct][~plain[distinct]].mean() - p) < 0.01


def test_blip_is_reproducible_and_keyed(key: LinkageKey) -> None:
    s = _schema({"blip_epsilon": 40})
    rows = _population(100, seed=3)
    df = _frame(rows + rows[:10])  # the first ten records twice
    a = linkage.encode_records(df, s, key).filters
    assert np.array_equal(a, linkage.encode_records(df, s, key).filters)  # same key, same (default) seed
    assert np.array_equal(a, linkage.encode_records(df, s, key, seed=None).filters)
    assert np.array_equal(a[:10], a[100:])  # identical records get identical noise
    b = linkage.encode_records(df, s, key, seed=1).filters
    assert np.array_equal(b, linkage.encode_records(df, s, key, seed=1).filters)
    assert not np.array_equal(a, b)  # another seed draws other noise
    assert np.array_equal(b[:10], b[100:])
    # an int seed is its 8-byte big-endian form
    assert np.array_equal(b, linkage.encode_records(df, s, key, seed=b"\x00" * 7 + b"\x01").filters)
    c = linkage.encode_records(df, s, LinkageKey(bytes(32))).filters
    plain_other = linkage.encode_records(df, _schema({}), LinkageKey(bytes(32))).filters
    flips_a = unpack_bits(a) != unpack_bits(linkage.encode_records(df, _schema({}), key).filters)
    flips_c = unpack_bits(c) != unpack_bits(plain_other)
    assert (flips_a != flips_c).any(axis=1).all()  # another key, other noise
    # row order does not matter
    rev = linkage.encode_records(_frame(list(reversed(rows + rows[:10]))), s, key).filters
    assert np.array_equal(rev[::-1], a)


def test_blip_row_noise_makes_equal_records_differ_and_stays_reproducible(key: LinkageKey) -> None:
    s = _schema({"blip_epsilon": 40, "blip_noise": "row"})
    rows = _population(100, seed=3)
    df = _frame(rows + rows[:10])  # the first ten records twice, in other rows
    a = linkage.encode_records(df, s, key).filters
    assert np.array_equal(a, linkage.encode_records(df, s, key).filters)  # the same file, the same bytes
    assert not np.array_equal(a[:10], a[100:])  # equal records in other rows: independent noise
    assert not (a[:10] == a[100:]).all(axis=1).any()
    plain = unpack_bits(linkage.encode_records(df, _schema({}), key).filters)
    flips = unpack_bits(a) != plain
    p = blip_flip_probability(40, 24)
    assert abs(flips.mean() - p) < 0.01  # the flip rate is BLIP's
    # the row comes from the normaliser's _row column when there is one
    with_rows = df.assign(_row=np.arange(1, len(df) + 1) + 1000)
    shifted = linkage.encode_records(with_rows, s, key).filters
    assert not np.array_equal(shifted, a)
    assert np.array_equal(shifted, linkage.encode_records(with_rows, s, key).filters)
    # a record's noise depends on its own row only: the same record at the same row, the same filter
    again = linkage.encode_records(df.iloc[:5], s, key).filters
    assert np.array_equal(again, a[:5])


def test_blip_noise_filter_is_the_default_and_keeps_fingerprints() -> None:
    old = _schema({"blip_epsilon": 40})
    spelled = _schema({"blip_epsilon": 40, "blip_noise": "filter"})
    row = _schema({"blip_epsilon": 40, "blip_noise": "row"})
    assert old.fingerprint == spelled.fingerprint and old.hardening.blip_noise == "filter"
    assert row.fingerprint != old.fingerprint and row.hardening.blip_noise == "row"
    with pytest.raises(SchemaError, match="/hardening/blip_noise"):
        _schema({"blip_noise": "row"})
    with pytest.raises(SchemaError, match="blip_noise"):
        _schema({"blip_epsilon": 40, "blip_noise": "random"})


@pytest.mark.parametrize("bad", [-1, 2**64, "seed", 1.5, True])
def test_bad_seed_is_refused(key: LinkageKey, bad: Any) -> None:
    with pytest.raises(linkage.LinkageError):
        linkage.encode_records(_frame([AP]), _schema({"blip_epsilon": 40}), key, seed=bad)


def test_salt_same_salt_identical_different_salt_near_chance(key: LinkageKey) -> None:
    s = _schema({"salt": {"field": "sex"}})
    rows = _population(300, seed=5)
    other_sex = [{**r, "sex": "F" if r["sex"] == "M" else "M"} for r in rows]
    a = linkage.encode_records(_frame(rows), s, key).filters
    assert np.array_equal(a, linkage.encode_records(_frame(rows), s, key).filters)
    b = linkage.encode_records(_frame(other_sex), s, key).filters
    i = np.arange(300)
    both = np.concatenate([a, b])
    d = dice_pairs(both, i, i + 300)
    chance = _chance_dice(a, b, 1024)
    assert abs(d.mean() - chance.mean()) < 0.03, (d.mean(), chance.mean())
    assert d.max() < 0.5
    # unsalted, the same pairs share everything but the sex token
    plain = linkage.encode_records(_frame(rows + other_sex), linkage.default_schema(hardened=False), key).filters
    assert dice_pairs(plain, i, i + 300).min() > 0.7
    # the salt moves the bits: salted and unsalted filters of one record are unrelated
    assert dice_pairs(np.concatenate([a, plain[:300]]), i, i + 300).mean() < chance.mean() + 0.05


def test_missing_salt_attribute_is_one_fixed_salt(key: LinkageKey) -> None:
    s = _schema({"salt": {"field": "sex"}})
    no_sex = {**AP, "sex": None}
    enc = linkage.encode_records(_frame([no_sex, no_sex, AP, {**no_sex, "initials": "AB"}]), s, key)
    d = dice_pairs(enc.filters, np.array([0, 0, 0]), np.array([1, 2, 3]))
    assert d[0] == 1.0  # two records without the salt attribute share the missing salt
    assert d[1] < 0.4  # a missing salt never meets a real one: the documented loss
    assert d[2] > 0.7  # within the missing salt, similar records still agree
    assert enc.presence.tolist()[0] == 0b0111


def test_salt_by_year_band(key: LinkageKey) -> None:
    s = _schema({"salt": {"field": "birth_year", "band": 5}})
    rec = {**AP, "birth_year": (1991, 1991)}
    rows = [rec, {**rec, "birth_year": (1992, 1992)}, {**rec, "birth_year": (1995, 1995)},
            {**rec, "birth_year": (1994, 1994)}, {**rec, "birth_year": (1994, 1995)}]
    enc = linkage.encode_records(_frame(rows), s, key)
    d = dice_pairs(enc.filters, np.array([0, 3, 3]), np.array([1, 2, 4]))
    assert d[0] > 0.8  # 1991 and 1992: one band (398), one year apart still agrees
    assert d[1] < 0.4  # 1994 and 1995: neighbouring bands, the documented loss
    assert d[2] > 0.7  # an age interval starting in the same band


def test_record_positions_follow_salt_and_segments(key: LinkageKey) -> None:
    for s in (_schema({"salt": {"field": "birth_year", "band": 5}}), _schema({"salt": {"field": "sex"}},
                                                                             level="field")):
        rows = _population(20, seed=2) + [{**AP, "sex": None}]
        bits = unpack_bits(linkage.encode_records(_frame(rows), s, key).filters)
        for r, row in enumerate(rows):
            pos, _mask = record_positions([row[c] for c in COLUMNS], s, key)
            expected = np.zeros(1024, bool)
            expected[[p for ps in pos for p in ps]] = True
            assert np.array_equal(bits[r], expected)


def test_field_level_keeps_each_field_in_its_segment(key: LinkageKey) -> None:
    s = _schema({}, level="field")
    only: list[dict[str, Any]] = [
        {"initials": "AP", "birth_year": None, "nationality": None, "sex": None},
        {"initials": None, "birth_year": (1994, 1994), "nationality": None, "sex": None},
        {"initials": None, "birth_year": None, "nationality": "ROU", "sex": None},
        {"initials": None, "birth_year": None, "nationality": None, "sex": "F"},
    ]
    bits = unpack_bits(linkage.encode_records(_frame(only), s, key).filters)
    for i, f in enumerate(s.fields):
        assert f.segment is not None
        start, length = f.segment
        inside = np.zeros(1024, bool)
        inside[start:start + length] = True
        assert bits[i][inside].any() and not bits[i][~inside].any(), f.name


def test_empty_records_stay_empty_under_every_hardening(key: LinkageKey) -> None:
    empty = {"initials": None, "birth_year": None, "nationality": None, "sex": None}
    for h, f in SETTINGS:
        s = _schema(h, **f)
        enc = linkage.encode_records(_frame([empty, empty, AP]), s, key)
        assert not enc.filters[:2].any(), h
        assert dice_pairs(enc.filters, np.array([0]), np.array([1]))[0] == 0.0


OPTIONS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("none", {}, {}),
    ("salt_sex", {"salt": {"field": "sex"}}, {}),
    ("salt_nationality", {"salt": {"field": "nationality"}}, {}),
    ("blip", {"blip_epsilon": 60}, {}),
    ("balance", {"balance": True}, {}),
    ("fold", {"fold": True}, {}),
    ("permute", {"permute": True}, {}),
    ("field_level", {}, {"level": "field"}),
]


def _ranking(hardening: dict[str, Any], filter_: dict[str, Any], key: LinkageKey) -> tuple[np.ndarray, np.ndarray]:
    """Dice of each record with a one-year error against its original, and its best unrelated score."""
    s = _schema(hardening, **filter_)
    rows = _population(150, seed=9, distinct_initials=True)
    enc = linkage.encode_records(_frame(rows + _one_year_off(rows)), s, key)
    n = len(rows)
    left = np.repeat(np.arange(n, 2 * n), n)  # each record with a one-year error ...
    right = np.tile(np.arange(n), n)  # ... against every original
    d = dice_pairs(enc.filters, left, right).reshape(n, n)
    unrelated = np.where(np.eye(n, dtype=bool), -1.0, d)
    return np.diag(d), unrelated.max(axis=1)


@pytest.mark.parametrize(("name", "hardening", "filter_"), OPTIONS, ids=[o[0] for o in OPTIONS])
def test_one_year_error_still_ranks_above_unrelated_records(key: LinkageKey, name: str,
                                                            hardening: dict[str, Any],
                                                            filter_: dict[str, Any]) -> None:
    true, best_unrelated = _ranking(hardening, filter_, key)
    assert (true > best_unrelated).all(), name
    assert true.mean() > best_unrelated.mean() + 0.03, name


def test_all_steps_together_still_rank_the_true_partner_first_nearly_always(key: LinkageKey) -> None:
    """Every step at once (salt on sex, BLIP, balance, fold, permute) costs some separation."""
    true, best_unrelated = _ranking(
        {"salt": {"field": "sex"}, "blip_epsilon": 60, "balance": True, "fold": True, "permute": True}, {}, key
    )
    assert (true > best_unrelated).mean() >= 0.95
    assert true.mean() > best_unrelated.mean() + 0.03


def test_salting_on_birth_year_loses_errors_across_a_band(key: LinkageKey) -> None:
    """The documented loss: a one-year error across a band edge no longer matches."""
    s = _schema({"salt": {"field": "birth_year", "band": 5}})
    rows = _population(150, seed=9, distinct_initials=True)
    off = _one_year_off(rows)
    enc = linkage.encode_records(_frame(rows + off), s, key)
    n = len(rows)
    i = np.arange(n)
    d = dice_pairs(enc.filters, i, i + n)
    crosses = np.array([r["birth_year"][0] // 5 != o["birth_year"][0] // 5 for r, o in zip(rows, off, strict=True)])
    assert crosses.any() and (~crosses).any()
    assert d[crosses].max() < 0.5  # lost: different salts
    assert d[~crosses].min() > 0.75  # kept within a band


# ---------------------------------------------------------------------------
# known-answer vectors and an independent re-derivation of the documented steps


@pytest.mark.parametrize("version", [1, 2])
def test_hardened_known_answer_vectors(version: int) -> None:
    """Version 1 vectors (ChaCha20) still hold; version 2 vectors pin AES-256-CTR."""
    vectors = json.loads(VECTORS[version].read_text())
    key = LinkageKey(bytes.fromhex(vectors["secret_hex"]))
    assert vectors["key_id"] == key.key_id
    assert set(vectors["schemas"]) == {"all_steps", "field_level"}
    for name, entry in vectors["schemas"].items():
        s = linkage.load_schema(entry["document"])
        assert s.hardening.keystream == ("chacha20" if version == 1 else "aes-256-ctr")
        assert s.fingerprint == entry["schema_fingerprint"], name
        assert s.output_length == entry["output_length"]
        rows = [{k: (tuple(v) if isinstance(v, list) else v) for k, v in c["record"].items()} for c in entry["cases"]]
        enc = linkage.encode_records(_frame(rows), s, key)
        for case, words, presence in zip(entry["cases"], enc.filters, enc.presence, strict=True):
            assert [f"{int(w):016x}" for w in words] == case["filter_hex"], (name, case["record"])
            assert int(presence) == case["presence"]


@pytest.mark.parametrize(("version", "kind"), [(1, "chacha20"), (2, "aes-256-ctr")])
def test_all_steps_follow_the_documentation(version: int, kind: str) -> None:
    """Re-derive one hardened filter from docs/encoding.md with hmac and cryptography only."""
    from linkage.hazmat import tokeniser

    s = linkage.load_schema(json.loads(VECTORS[version].read_text())["schemas"]["all_steps"]["document"])
    assert s.hardening.keystream == kind
    key = LinkageKey(TEST_SECRET)
    length, k_bits = 1024, {f.name: f.bits_per_token for f in s.fields}
    tokens = {f.name: tokeniser(f)(AP[f.name]) for f in s.fields}
    # salt tag: "=" + floor(1994 / 5)
    tag = b"=398"
    plain = np.zeros(length, bool)
    for field, toks in tokens.items():
        sub = _hkdf(b"linkage/v1/field/" + field.encode())
        for t in toks:
            out: list[int] = []
            block = 0
            while len(out) < k_bits[field]:
                d = hmac.new(sub, block.to_bytes(4, "big") + len(tag).to_bytes(2, "big") + tag + t.encode(),
                             hashlib.sha256).digest()
                out += [int.from_bytes(d[i:i + 4], "big") % length for i in range(0, 32, 4)]
                block += 1
            plain[out[: k_bits[field]]] = True
    # BLIP: record key from the plain filter's little-endian words, uint32 draws from the keystream
    words = np.packbits(plain, bitorder="little").view("<u8")
    rkey = hmac.new(_hkdf(b"linkage/v1/purpose/blip"),
                    b"linkage/v1/blip\x00" + (0).to_bytes(4, "big") + words.tobytes(), hashlib.sha256).digest()
    p = 1 / (1 + math.exp(60 / 24))
    draws = np.frombuffer(_stream(rkey, 4 * length, kind), "<u4")
    noisy = plain ^ (draws < round(p * 2**32))
    balanced = np.concatenate([noisy, ~noisy])[_perm("balance", 2 * length, kind)]
    folded = balanced[:length] ^ balanced[length:]
    final = folded[_perm("permutation", length, kind)]
    enc = linkage.encode_records(_frame([AP]), s, key)
    assert np.array_equal(unpack_bits(enc.filters)[0], final)


# ---------------------------------------------------------------------------
# output length through submissions, the store and the dedup pipeline


def test_hardened_filters_travel_at_their_output_length(tmp_path: Path, police_df: pd.DataFrame,
                                                        fairwork_df: pd.DataFrame, key: LinkageKey,
                                                        signing_keys: dict[str, Any]) -> None:
    s = _schema({"balance": True, "permute": True})
    paths = []
    for rep, df in (("police", police_df), ("fairwork", fairwork_df)):
        p = tmp_path / f"{rep}.lnk"
        linkage.encode_table(df, s, key, signing_keys[rep], reporter_id=rep, out_path=p)
        paths.append(p)
    trusted = linkage.load_trusted_keys(signing_keys["trusted_dir"])
    sub = linkage.read_submission(paths[0], trusted, schema=s, key_id=key.key_id)
    assert sub.header.filter_words == s.words == 32 and sub.filters.shape == (4, 32)
    assert linkage.describe_submission(sub)["filter_bits"] == 2048
    assert (unpack_bits(sub.filters).sum(axis=1) == 1024).all()
    with pytest.raises(linkage.MismatchError):
        linkage.read_submission(paths[0], trusted, schema=linkage.default_schema(hardened=False))
    res = linkage.run_dedup(paths, trusted, s, tmp_path / "out")
    assert res.summary.reports == 7
    with linkage.SQLiteStore(tmp_path / "out" / "registry.sqlite") as store:
        assert store.load_records().filters.shape == (7, 32)
    with pytest.raises(linkage.MismatchError):
        linkage.dedup_records(linkage.records_from_submissions([sub]), linkage.default_schema(hardened=False))
