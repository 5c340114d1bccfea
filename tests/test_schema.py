from __future__ import annotations

import json
from pathlib import Path

import pytest

import linkage
from linkage.errors import SchemaError
from linkage.schema import fingerprint_of, schema_to_json


def test_default_profile_fields(schema: linkage.Schema) -> None:
    assert schema.field_names == ("initials", "birth_year", "nationality", "sex")
    assert schema.filter_length == 1024 and schema.words == 8  # XOR-folded to 512 bits
    assert schema.hardening.active and schema.threshold_method == "posterior"
    assert 0 < schema.review_threshold <= schema.match_threshold <= 1
    assert schema.fingerprint.startswith("sha256:") and len(schema.fingerprint) == 71


def test_fingerprint_is_stable_under_key_order_whitespace_and_description(schema: linkage.Schema) -> None:
    doc = json.loads(schema_to_json(schema))
    shuffled = {k: doc[k] for k in reversed(list(doc))}
    shuffled["description"] = "reworded"
    assert linkage.load_schema(shuffled).fingerprint == schema.fingerprint


def test_fingerprint_changes_with_content(schema: linkage.Schema) -> None:
    doc = json.loads(schema_to_json(schema))
    doc["fields"][0]["bits_per_token"] += 1
    assert linkage.load_schema(doc).fingerprint != schema.fingerprint


def test_defaults_are_filled_before_fingerprinting(schema: linkage.Schema) -> None:
    doc = json.loads(schema_to_json(schema))
    for f in doc["fields"]:
        del f["normalisation"]
    del doc["clustering"]
    assert linkage.load_schema(doc).fingerprint == schema.fingerprint
    plain = linkage.default_schema(hardened=False)
    doc = json.loads(schema_to_json(plain))
    del doc["hardening"]
    assert linkage.load_schema(doc).fingerprint == plain.fingerprint


def test_schema_file_roundtrip(tmp_path: Path, schema: linkage.Schema) -> None:
    p = tmp_path / "s.json"
    p.write_text(schema_to_json(schema))
    assert linkage.load_schema(p).fingerprint == schema.fingerprint
    assert fingerprint_of(linkage.load_schema(p).document) == schema.fingerprint


def test_invalid_schema_lists_every_problem() -> None:
    bad = {
        "version": 99,
        "name": "Bad Name",
        "filter": {"length": 1000},
        "fields": [
            {"name": "initials", "type": "initials", "tokens": ["position", "bogus"], "bits_per_token": 0},
            {"name": "initials", "type": "sex", "tokens": ["value"], "bits_per_token": 4},
            {"name": "x", "type": "colour", "tokens": ["value"], "bits_per_token": 4},
        ],
        "thresholds": {"match": 0.5, "review": 0.9},
        "surprise": True,
    }
    with pytest.raises(SchemaError) as ei:
        linkage.load_schema(bad)
    problems = ei.value.problems
    joined = "\n".join(problems)
    for fragment in ("/version", "/name", "/filter/length", "/fields/0/tokens/1", "/fields/0/bits_per_token",
                     "/fields/2/type", "used more than once", "review threshold", "surprise"):
        assert fragment in joined, fragment
    assert len(problems) >= 9
    assert str(len(problems)) in str(ei.value)


@pytest.mark.parametrize("content", ["{not json", "[]", ""])
def test_unparseable_schema_file(tmp_path: Path, content: str) -> None:
    p = tmp_path / "s.json"
    p.write_text(content)
    with pytest.raises(SchemaError):
        linkage.load_schema(p)


def test_missing_schema_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaError):
        linkage.load_schema(tmp_path / "nope.json")


def test_json_schema_is_itself_valid() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(linkage.json_schema())
