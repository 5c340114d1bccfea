from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given

import linkage
from linkage.encode import LinkageKey
from linkage.hazmat import initials_tokens, letter_classes, token_positions, unpack_bits, year_tokens
from linkage.schema import schema_to_json

from .conftest import TEST_SECRET, canonical_records

VECTORS = {v: Path(__file__).parent / "vectors" / f"encoding_v{v}.json" for v in (1, 2)}


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["initials", "birth_year", "nationality", "sex"]).astype(object)


def _v1_default() -> linkage.Schema:
    """The built-in profile as a version 1 document: keystream ChaCha20, BLIP noise per filter (as then)."""
    doc = json.loads(schema_to_json(linkage.default_schema()))
    doc["version"] = 1
    del doc["hardening"]["keystream"]
    doc["hardening"].pop("blip_noise", None)
    return linkage.load_schema(doc)


@pytest.mark.parametrize("version", [1, 2])
def test_known_answer_vectors(schema: linkage.Schema, version: int) -> None:
    """Same schema + key + record gives the same bits, in every run and every version.

    Version 2 is the built-in profile (AES-256-CTR); version 1 the same profile
    as a version 1 document, which still means ChaCha20 and keeps its fingerprint.
    """
    vectors = json.loads(VECTORS[version].read_text())
    if version == 1:
        schema = _v1_default()
        assert schema.hardening.keystream == "chacha20"
    assert vectors["schema_fingerprint"] == schema.fingerprint
    key = LinkageKey(bytes.fromhex(vectors["secret_hex"]))
    assert vectors["key_id"] == key.key_id
    rows = [
        {k: (tuple(v) if isinstance(v, list) else v) for k, v in case["record"].items()}
        for case in vectors["cases"]
    ]
    enc = linkage.encode_records(_frame(rows), schema, key)
    for case, words, presence in zip(vectors["cases"], enc.filters, enc.presence, strict=True):
        assert [f"{int(w):016x}" for w in words] == case["filter_hex"], case["record"]
        assert int(presence) == case["presence"]


def test_bit_positions_follow_the_documented_prf() -> None:
    """An independent re-derivation: HKDF-SHA256 subkey, HMAC-SHA256(counter || token), u32 mod L."""
    sub = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"linkage/v1/field/initials").derive(TEST_SECRET)
    assert LinkageKey(TEST_SECRET).field_subkey("initials") == sub
    expected = []
    for block in range(2):
        d = hmac.new(sub, block.to_bytes(4, "big") + b"p1:A", hashlib.sha256).digest()
        expected += [int.from_bytes(d[i:i + 4], "big") % 1024 for i in range(0, 32, 4)]
    assert token_positions(sub, "p1:A", 12, 1024) == expected[:12]


def test_tokens_of_initials() -> None:
    types = ("position", "pair", "unordered", "letter_class")
    assert initials_tokens("AP", types) == ["p1:A", "p2:P", "pair:AP", "set:AP"]
    assert set(initials_tokens("PA", types)) & set(initials_tokens("AP", types)) == {"set:AP"}
    assert initials_tokens("A", types) == ["p1:A"]
    # Yulia / Julia: different letters, a shared transliteration class
    assert "c1:EIJY" in initials_tokens("YS", types) and "c1:EIJY" in initials_tokens("JS", types)
    assert letter_classes("H") == ("GH",) and "CKQ" in letter_classes("C") and "CT" in letter_classes("C")


def test_tokens_of_years() -> None:
    assert year_tokens((1990, 1990), ("neighbourhood", "exact"), 1) == ["n:1989", "n:1990", "n:1991", "x:1990"]
    assert year_tokens((1990, 1991), ("neighbourhood", "exact"), 1) == ["n:1989", "n:1990", "n:1991", "n:1992"]


def test_missing_fields_set_no_bits_and_clear_presence(schema: linkage.Schema, key: LinkageKey) -> None:
    enc = linkage.encode_records(_frame([
        {"initials": None, "birth_year": None, "nationality": None, "sex": None},
        {"initials": "AP", "birth_year": None, "nationality": None, "sex": None},
        {"initials": None, "birth_year": None, "nationality": None, "sex": None},
    ]), schema, key)
    assert enc.filters[0].sum() == 0 and enc.presence.tolist() == [0, 1, 0]
    # two unknowns never agree: empty filters score 0, not 1
    from linkage.compare import dice_pairs

    assert dice_pairs(enc.filters, np.array([0]), np.array([2]))[0] == 0.0


@pytest.mark.parametrize("hardened", [False, True])
def test_similar_records_score_higher(hardened: bool, key: LinkageKey) -> None:
    schema = linkage.default_schema(hardened=hardened)
    base = {"initials": "AP", "birth_year": (1994, 1994), "nationality": "ROU", "sex": "F"}
    variants = [
        base,
        {**base, "birth_year": (1995, 1995)},  # off by one
        {**base, "birth_year": (1993, 1994)},  # from an age
        {**base, "initials": "AB"},  # one wrong initial
        {**base, "initials": "PA"},  # swapped order
        {"initials": "MT", "birth_year": (1971, 1971), "nationality": "NLD", "sex": "M"},  # someone else
    ]
    enc = linkage.encode_records(_frame(variants), schema, key)
    from linkage.compare import dice_pairs

    s = dice_pairs(enc.filters, np.zeros(len(variants), np.int64), np.arange(len(variants)))
    assert s[0] == 1.0
    if not hardened:
        assert s[1] > 0.75 and s[2] > 0.75 and s[3] > 0.6 and s[4] > 0.6
        assert s[5] < 0.35
    else:  # salting, folding and BLIP cost similarity; the ranking must survive
        assert min(s[1:5]) > s[5] + 0.15


def test_different_key_gives_unrelated_filters(schema: linkage.Schema, key: LinkageKey) -> None:
    rec = _frame([{"initials": "AP", "birth_year": (1994, 1994), "nationality": "ROU", "sex": "F"}])
    a = linkage.encode_records(rec, schema, key).filters
    b = linkage.encode_records(rec, schema, LinkageKey(bytes(32))).filters
    from linkage.compare import dice_reference

    assert dice_reference(a[0].tolist(), b[0].tolist()) < 0.5


@given(canonical_records)
def test_encoding_is_deterministic_and_row_independent(rows: list[dict[str, object]]) -> None:
    schema = linkage.default_schema()
    key = LinkageKey(TEST_SECRET)
    # the built-in profile draws BLIP noise per row (issue 17): a record keeps its row when the order changes
    frame = _frame(rows).assign(_row=np.arange(1, len(rows) + 1))
    a = linkage.encode_records(frame, schema, key)
    b = linkage.encode_records(frame.iloc[::-1], schema, key)
    assert np.array_equal(a.filters, b.filters[::-1])
    assert np.array_equal(a.presence, b.presence[::-1])
    bits = unpack_bits(a.filters)
    assert bits.shape == (len(rows), schema.output_length)
    for r, row in enumerate(rows):
        assert (bits[r].sum() == 0) == all(v is None for v in row.values())


def test_encode_requires_a_key_object(schema: linkage.Schema) -> None:
    with pytest.raises(linkage.LinkageError):
        linkage.encode_records(_frame([{"initials": "AP", "birth_year": None, "nationality": None, "sex": None}]),
                               schema, TEST_SECRET)  # type: ignore[arg-type]


def test_encode_dataframe_from_raw(police_df: pd.DataFrame, fairwork_df: pd.DataFrame,
                                   schema: linkage.Schema, key: LinkageKey) -> None:
    p = linkage.encode_dataframe(police_df, schema, key)
    f = linkage.encode_dataframe(fairwork_df, schema, key)
    assert len(p) == 4 and len(f) == 3
    assert p.presence.tolist() == [15, 15, 15, 15]
    assert f.presence.tolist()[0] == 0b0111  # no sex
    assert "hidden" not in repr(p) and str(TEST_SECRET.hex()) not in repr(p)
