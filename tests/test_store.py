from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import linkage
from linkage.encode import LinkageKey
from linkage.errors import MismatchError


@pytest.fixture()
def subs(tmp_path: Path, police_df: pd.DataFrame, fairwork_df: pd.DataFrame, schema: linkage.Schema,
         key: LinkageKey, signing_keys: dict[str, Any]) -> list[linkage.Submission]:
    out = []
    trusted = linkage.load_trusted_keys(signing_keys["trusted_dir"])
    for rep, df in (("police", police_df), ("fairwork", fairwork_df)):
        p = tmp_path / f"{rep}.lnk"
        linkage.write_submission(p, linkage.encode_dataframe(df, schema, key), schema, reporter_id=rep,
                                 signing_key=signing_keys[rep])
        out.append(linkage.read_submission(p, trusted))
    return out


def test_ingest_is_idempotent(tmp_path: Path, subs: list[linkage.Submission]) -> None:
    with linkage.SQLiteStore(tmp_path / "r.sqlite") as store:
        assert store.ingest_many(subs) == (2, 0)
        assert store.ingest_many(subs) == (0, 2)
        recs = store.load_records()
    assert len(recs) == 7
    with linkage.SQLiteStore(tmp_path / "r.sqlite") as store:  # persists across opens
        assert store.ingest(subs[0]) is False
        assert len(store.load_records()) == 7
        assert [s["reporter_id"] for s in store.submissions()] == ["fairwork", "police"]


def test_loaded_records_equal_stacked_submissions(tmp_path: Path, subs: list[linkage.Submission]) -> None:
    with linkage.SQLiteStore(tmp_path / "r.sqlite") as store:
        store.ingest_many(subs)
        recs = store.load_records()
    direct = linkage.records_from_submissions(subs)
    assert recs.keys() == direct.keys()
    assert np.array_equal(recs.filters, direct.filters)
    assert np.array_equal(recs.presence, direct.presence)


def test_other_key_epoch_is_refused(tmp_path: Path, subs: list[linkage.Submission], police_df: pd.DataFrame,
                                    schema: linkage.Schema, signing_keys: dict[str, Any]) -> None:
    other = LinkageKey(bytes(32))
    p = tmp_path / "other.lnk"
    linkage.write_submission(p, linkage.encode_dataframe(police_df, schema, other), schema, reporter_id="police",
                             signing_key=signing_keys["police"])
    sub = linkage.read_submission(p, linkage.load_trusted_keys(signing_keys["trusted_dir"]))
    with linkage.SQLiteStore(tmp_path / "r.sqlite") as store:
        store.ingest_many(subs)
        with pytest.raises(MismatchError):
            store.ingest(sub)
        assert len(store.load_records()) == 7  # nothing half-written
