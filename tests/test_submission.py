from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linkage
from linkage.encode import LinkageKey
from linkage.errors import MismatchError, SignatureError, SubmissionError
from linkage.submission._format import MAGIC

from .conftest import raw_values


@pytest.fixture()
def written(tmp_path: Path, police_df: pd.DataFrame, schema: linkage.Schema, key: LinkageKey,
            signing_keys: dict[str, Any]) -> dict[str, Any]:
    enc = linkage.encode_dataframe(police_df, schema, key)
    path = tmp_path / "police.lnk"
    idmap = linkage.write_submission(path, enc, schema, reporter_id="police", signing_key=signing_keys["police"],
                                     case_refs=police_df["case_ref"].tolist(), id_map_path=tmp_path / "idmap.csv")
    trusted = linkage.load_trusted_keys(signing_keys["trusted_dir"])
    return {"path": path, "enc": enc, "idmap": idmap, "trusted": trusted, "tmp": tmp_path}


def test_roundtrip(written: dict[str, Any], schema: linkage.Schema, key: LinkageKey) -> None:
    sub = linkage.read_submission(written["path"], written["trusted"], schema=schema, key_id=key.key_id)
    assert sub.reporter_id == "police" and len(sub) == 4
    assert np.array_equal(sub.filters, written["enc"].filters)
    assert np.array_equal(sub.presence, written["enc"].presence)
    assert sub.record_ids.tolist() == written["idmap"]["record_id"].tolist()
    assert written["idmap"]["row"].tolist() == [1, 2, 3, 4]
    assert written["idmap"]["case_ref"].tolist()[0] == "PL-2022-0017"
    assert pd.read_csv(written["tmp"] / "idmap.csv")["record_id"].tolist() == sub.record_ids.tolist()
    h = sub.header.to_json()
    assert type(sub.header).from_json(h) == sub.header
    for k in ("format_version", "schema_fingerprint", "key_id", "reporter_id", "submission_id", "created",
              "record_count", "payload_sha256"):
        assert k in h
    info = linkage.describe_submission(sub)
    assert info["record_count"] == 4 and info["fields_present"]["sex"] == 4
    assert 0 < info["fill_mean"] < 1 and sum(info["fill_histogram"].values()) == 4


def test_record_ids_are_random_per_write(written: dict[str, Any], schema: linkage.Schema,
                                         signing_keys: dict[str, Any]) -> None:
    idmap2 = linkage.write_submission(written["tmp"] / "again.lnk", written["enc"], schema, reporter_id="police",
                                      signing_key=signing_keys["police"])
    assert set(idmap2["record_id"]).isdisjoint(set(written["idmap"]["record_id"]))


def test_file_holds_no_raw_quasi_identifier(written: dict[str, Any]) -> None:
    data = written["path"].read_bytes()
    lowered = data.lower()
    for value in raw_values():
        for form in {value, value.lower(), value.upper()}:
            assert form.encode("utf-8") not in data and form.lower().encode("utf-8") not in lowered, value


def test_refuses_overwrite(written: dict[str, Any], schema: linkage.Schema, signing_keys: dict[str, Any]) -> None:
    with pytest.raises(SubmissionError):
        linkage.write_submission(written["path"], written["enc"], schema, reporter_id="police",
                                 signing_key=signing_keys["police"])


def test_untrusted_signer_is_refused(written: dict[str, Any]) -> None:
    other = linkage.generate_signing_key()
    with pytest.raises(SignatureError):
        linkage.read_submission(written["path"], {"police": other.public_key()})


def test_reporter_must_match_signing_key(written: dict[str, Any], signing_keys: dict[str, Any]) -> None:
    swapped = {"fairwork": signing_keys["police"].public_key()}
    with pytest.raises(SignatureError):
        linkage.read_submission(written["path"], swapped)


def test_schema_and_key_mismatch_are_refused(written: dict[str, Any], schema: linkage.Schema) -> None:
    doc = dict(schema.document)
    doc["thresholds"] = {"match": 0.9, "review": 0.7}
    with pytest.raises(MismatchError, match="different linkage schema"):
        linkage.read_submission(written["path"], written["trusted"], schema=linkage.load_schema(doc))
    with pytest.raises(MismatchError, match="key"):
        linkage.read_submission(written["path"], written["trusted"], key_id="kid-" + "0" * 32)


def test_schema_mismatch_on_write(written: dict[str, Any], schema: linkage.Schema,
                                  signing_keys: dict[str, Any]) -> None:
    doc = dict(schema.document)
    doc["thresholds"] = {"match": 0.9, "review": 0.7}
    with pytest.raises(MismatchError):
        linkage.write_submission(written["tmp"] / "x.lnk", written["enc"], linkage.load_schema(doc),
                                 reporter_id="police", signing_key=signing_keys["police"])


@pytest.mark.parametrize("where", ["magic", "header_len", "header", "signature", "body", "last"])
def test_tampered_file_is_refused(written: dict[str, Any], where: str) -> None:
    data = bytearray(written["path"].read_bytes())
    hlen = int.from_bytes(data[8:12], "big")
    pos = {"magic": 0, "header_len": 10, "header": 12 + hlen // 2, "signature": 12 + hlen + 5,
           "body": 12 + hlen + 64 + 40, "last": len(data) - 1}[where]
    data[pos] ^= 0x01
    written["path"].write_bytes(bytes(data))
    with pytest.raises(SubmissionError):
        linkage.read_submission(written["path"], written["trusted"])


@pytest.mark.parametrize("cut", [0, 5, 11, 30, -64 * 3, -1])
def test_truncated_file_is_refused(written: dict[str, Any], cut: int) -> None:
    data = written["path"].read_bytes()
    written["path"].write_bytes(data[:cut] if cut else b"")
    with pytest.raises(SubmissionError):
        linkage.read_submission(written["path"], written["trusted"])


def test_trailing_data_is_refused(written: dict[str, Any]) -> None:
    with open(written["path"], "ab") as fh:
        fh.write(b"\0" * 8)
    with pytest.raises(SubmissionError, match="trailing"):
        linkage.read_submission(written["path"], written["trusted"])


def test_not_a_submission(tmp_path: Path, written: dict[str, Any]) -> None:
    p = tmp_path / "x.csv"
    p.write_text("given_names,surname\nAna,Popescu\n")
    with pytest.raises(SubmissionError) as ei:
        linkage.read_submission(p, written["trusted"])
    assert "Popescu" not in str(ei.value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_reader_raises_only_library_errors(written: dict[str, Any], data: st.DataObject) -> None:
    """Random corruption: the reader returns a verified submission or raises SubmissionError, nothing else."""
    original = written["path"].read_bytes()
    buf = bytearray(original)
    ops = data.draw(st.lists(st.tuples(st.sampled_from(["flip", "cut", "insert", "zero", "magic"]),
                                       st.integers(0, len(buf) - 1), st.integers(1, 255)), min_size=1, max_size=4))
    for op, pos, val in ops:
        pos = min(pos, max(len(buf) - 1, 0))
        if op == "flip" and buf:
            buf[pos] ^= val
        elif op == "cut":
            buf = buf[:pos]
        elif op == "insert":
            buf[pos:pos] = bytes([val]) * (val % 7 + 1)
        elif op == "zero":
            buf[pos:pos + val] = b"\0" * len(buf[pos:pos + val])
        elif op == "magic":
            buf = bytearray(MAGIC) + bytearray(data.draw(st.binary(max_size=200)))
    target = written["tmp"] / "fuzz.lnk"
    target.write_bytes(bytes(buf))
    try:
        sub = linkage.read_submission(target, written["trusted"])
    except SubmissionError:
        return
    assert bytes(buf) == original and len(sub) == 4


def test_reporter_id_is_validated(written: dict[str, Any], schema: linkage.Schema,
                                  signing_keys: dict[str, Any]) -> None:
    with pytest.raises(SubmissionError):
        linkage.write_submission(written["tmp"] / "y.lnk", written["enc"], schema, reporter_id="Police Dept!",
                                 signing_key=signing_keys["police"])
