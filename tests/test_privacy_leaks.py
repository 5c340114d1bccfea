"""Privacy is the product: no key bytes and no input value registry-side or in errors."""

from __future__ import annotations

import base64
import inspect
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import linkage
from linkage import block, classify, cluster, compare, outputs, pipeline, store, submission
from linkage.encode import LinkageKey

from .conftest import TEST_SECRET, raw_values

REGISTRY_FUNCTIONS = [
    pipeline.run_dedup, pipeline.dedup_records, pipeline.summarise, submission.read_submission,
    submission.load_trusted_keys, submission.describe_submission, store.SQLiteStore.__init__,
    store.SQLiteStore.ingest, store.SQLiteStore.load_records, store.records_from_submissions,
    block.all_pairs_ranges, compare.dice_upper_triangle, compare.dice_pairs, classify.classify_scores,
    cluster.connected_components, cluster.person_ids, outputs.write_outputs,
]


def _forms(secret: bytes) -> list[bytes]:
    return [secret, secret.hex().encode(), base64.b64encode(secret), secret.hex().upper().encode()]


@pytest.mark.parametrize("fn", REGISTRY_FUNCTIONS, ids=lambda f: f.__qualname__)
def test_registry_code_takes_no_key(fn: Any) -> None:
    sig = inspect.signature(fn)
    for name, param in sig.parameters.items():
        assert name not in {"key", "secret", "linkage_key"}, name
        assert "LinkageKey" not in str(param.annotation), name


def test_no_key_bytes_or_raw_values_in_registry_outputs_and_logs(
    tmp_path: Path, police_df: pd.DataFrame, fairwork_df: pd.DataFrame, schema: linkage.Schema,
    key: LinkageKey, signing_keys: dict[str, Any], caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    paths = []
    for rep, df in (("police", police_df), ("fairwork", fairwork_df)):
        p = tmp_path / "sub" / f"{rep}.lnk"
        p.parent.mkdir(exist_ok=True)
        linkage.encode_table(df, schema, key, signing_keys[rep], reporter_id=rep, out_path=p)
        paths.append(p)
    out = tmp_path / "registry"
    res = linkage.run_dedup(paths, linkage.load_trusted_keys(signing_keys["trusted_dir"]), schema, out)
    blobs = {str(f): f.read_bytes() for f in [*out.rglob("*"), *paths] if f.is_file()}
    blobs["log"] = caplog.text.encode()
    blobs["repr"] = (repr(res) + repr(res.summary)).encode()
    assert any(name.endswith("registry.sqlite") for name in blobs)
    for name, data in blobs.items():
        for form in _forms(TEST_SECRET):
            assert form not in data, name
        low = data.lower()
        for value in raw_values():
            assert value.lower().encode() not in low, (name, value)


def test_error_messages_never_hold_values_or_keys(tmp_path: Path, schema: linkage.Schema, key: LinkageKey) -> None:
    secret_value = "Zygmunt-Ü Przybyszewski"
    bad = pd.DataFrame([{"full_name": secret_value, "date_of_birth": "2099-99-99", "nationality": "Narnia-Secret",
                         "sex": "banana-secret"}])
    with pytest.raises(linkage.InputError) as ei:
        linkage.encode_dataframe(bad, schema, key)
    msg = str(ei.value)
    for v in ("Narnia", "banana", "2099", "Przybyszewski"):
        assert v not in msg
    for form in _forms(TEST_SECRET):
        assert form.decode("latin-1") not in msg
    assert "row 1" in msg and "nationality" in msg and "sex" in msg


def test_store_holds_only_opaque_columns(tmp_path: Path) -> None:
    import sqlite3

    with linkage.SQLiteStore(tmp_path / "s.sqlite"):
        pass
    con = sqlite3.connect(tmp_path / "s.sqlite")
    cols = {row[1] for t in ("submissions", "records") for row in con.execute(f"PRAGMA table_info({t})")}
    con.close()
    assert cols <= {"submission_id", "reporter_id", "payload_sha256", "record_count", "created", "ingested_at",
                    "header_json", "record_id", "presence", "filter"}
