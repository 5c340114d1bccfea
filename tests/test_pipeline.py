from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linkage
from linkage.classify import MATCH, NON_MATCH, REVIEW, classify_scores
from linkage.cluster import connected_components, person_ids
from linkage.encode import LinkageKey
from linkage.execution import LocalExecutor, ProcessExecutor
from linkage.store import RegistryRecords


def _submissions(tmp_path: Path, frames: dict[str, pd.DataFrame], schema: linkage.Schema, key: LinkageKey,
                 signing_keys: dict[str, Any]) -> list[Path]:
    paths = []
    for rep, df in frames.items():
        p = tmp_path / f"{rep}.lnk"
        linkage.encode_table(df, schema, key, signing_keys[rep], reporter_id=rep, out_path=p)
        paths.append(p)
    return paths


def test_classify_bands() -> None:
    out = classify_scores(np.array([0.1, 0.65, 0.7, 0.8, 1.0]), 0.8, 0.65)
    assert out.tolist() == [NON_MATCH, REVIEW, REVIEW, MATCH, MATCH]
    with pytest.raises(linkage.LinkageError):
        classify_scores(np.array([0.5]), 0.5, 0.9)


def test_components_and_stable_person_ids() -> None:
    labels = connected_components(5, np.array([0, 3]), np.array([1, 4]))
    assert labels.tolist() == [0, 0, 2, 3, 3]
    keys = ["a/1", "a/2", "b/1", "b/2", "c/1"]
    ids = person_ids(labels, keys)
    assert ids[0] == ids[1] != ids[2] and ids[3] == ids[4]
    assert person_ids(labels, keys) == ids
    # a newcomer with a larger key joining keeps the person's id
    labels2 = connected_components(6, np.array([0, 3, 4]), np.array([1, 4, 5]))
    assert person_ids(labels2, keys + ["z/9"])[3] == ids[3]


def test_end_to_end(tmp_path: Path, police_df: pd.DataFrame, fairwork_df: pd.DataFrame, schema: linkage.Schema,
                    key: LinkageKey, signing_keys: dict[str, Any]) -> None:
    paths = _submissions(tmp_path, {"police": police_df, "fairwork": fairwork_df}, schema, key, signing_keys)
    trusted = linkage.load_trusted_keys(signing_keys["trusted_dir"])
    out = tmp_path / "out"
    res = linkage.run_dedup(paths, trusted, schema, out)
    assert res.summary.reports == 7
    assert 4 <= res.summary.unique_persons <= 7
    for rel in ("persons.csv", "persons.parquet", "summary.json", "manifest.json", "queryback/police.csv",
                "queryback/fairwork.csv"):
        assert (out / rel).exists(), rel
    persons = pd.read_csv(out / "persons.csv")
    assert list(persons.columns) == ["person_id", "reporter", "record_id"]
    assert len(persons) == 7 and persons.equals(persons.sort_values(["person_id", "reporter", "record_id"],
                                                                    ignore_index=True))
    qb = pd.read_csv(out / "queryback" / "police.csv")
    assert list(qb.columns) == ["record_id", "other_reporter", "other_record_id", "reason"]
    for p in out.rglob("*.csv"):
        assert "score" not in p.read_text().lower()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["schema_fingerprint"] == schema.fingerprint and manifest["key_id"] == key.key_id
    assert len(manifest["inputs"]) == 2 and all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reporter_overlap"]["police"]["police"] == summary["per_reporter"]["police"]["persons"]

    # Rerun with the same files: idempotent ingest, identical persons.
    res2 = linkage.run_dedup(list(reversed(paths)), trusted, schema, out)
    assert res2.summary.to_json()["submissions"] == {"new": 0, "already_stored": 2}
    assert res2.persons.equals(res.persons)


def test_refuses_mixed_key_epochs(tmp_path: Path, police_df: pd.DataFrame, fairwork_df: pd.DataFrame,
                                  schema: linkage.Schema, key: LinkageKey, signing_keys: dict[str, Any]) -> None:
    a = _submissions(tmp_path, {"police": police_df}, schema, key, signing_keys)
    b = _submissions(tmp_path, {"fairwork": fairwork_df}, schema, LinkageKey(bytes(32)), signing_keys)
    trusted = linkage.load_trusted_keys(signing_keys["trusted_dir"])
    with pytest.raises(linkage.MismatchError):
        linkage.run_dedup(a + b, trusted, schema, tmp_path / "out")
    assert not (tmp_path / "out" / "persons.csv").exists()


def _records_from_filters(filters: np.ndarray) -> RegistryRecords:
    """One record per submission, so the same-submission rule does not interfere."""
    n = len(filters)
    return RegistryRecords(
        reporter=np.array(["r"] * n), record_id=np.array([f"{i:032x}" for i in range(n)]),
        submission_id=np.array([f"{i:032x}" for i in range(n)]), presence=np.full(n, 15, np.uint16),
        filters=filters,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(list(range(12))))
def test_result_is_independent_of_input_order(schema: linkage.Schema, key: LinkageKey, perm: list[int]) -> None:
    rows = [
        {"initials": i, "birth_year": (y, y), "nationality": c, "sex": s}
        for i, y, c, s in [("AP", 1994, "ROU", "F"), ("AP", 1995, "ROU", "F"), ("AB", 1994, "ROU", "F"),
                           ("OS", 1999, "UKR", "F"), ("OS", 1999, "UKR", None), ("JB", 2005, "NLD", "M"),
                           ("JB", 2004, "NLD", "M"), ("CO", 1988, "NGA", "M"), ("KO", 1988, "NGA", "M"),
                           ("MT", 1970, "POL", "M"), ("TM", 1970, "POL", "M"), ("EE", 1960, "BGR", "F")]
    ]
    df = pd.DataFrame(rows).astype(object)
    filters = linkage.encode_records(df, schema, key).filters
    base = linkage.dedup_records(_records_from_filters(filters), schema).persons
    ids = [f"{i:032x}" for i in range(12)]
    permuted = RegistryRecords(
        reporter=np.array(["r"] * 12), record_id=np.array([ids[p] for p in perm]),
        submission_id=np.array([ids[p] for p in perm]), presence=np.full(12, 15, np.uint16), filters=filters[perm],
    )
    other = linkage.dedup_records(permuted, schema).persons
    assert base.equals(other)


def test_process_executor_gives_the_same_result() -> None:
    # random bit patterns are not what a count model describes: classify these on the score histogram
    doc = json.loads(json.dumps(linkage.default_schema(hardened=False).document))
    doc["thresholds"].update({"method": "valley", "floor": 0.5, "match": 0.9, "review": 0.7})
    schema = linkage.load_schema(doc)
    rng = np.random.default_rng(3)
    from linkage.hazmat import pack_bits

    base = rng.random((40, 1024)) < 0.2
    noisy = base ^ (rng.random((40, 1024)) < 0.02)
    filters = pack_bits(np.concatenate([base, noisy]))
    recs = _records_from_filters(filters)
    recs = RegistryRecords(reporter=np.array(["a"] * 40 + ["b"] * 40), record_id=recs.record_id,
                           submission_id=np.array(["1" * 32] * 40 + ["2" * 32] * 40), presence=recs.presence,
                           filters=filters)
    a = linkage.dedup_records(recs, schema, executor=LocalExecutor())
    b = linkage.dedup_records(recs, schema, executor=ProcessExecutor(2))
    assert a.persons.equals(b.persons)
    assert a.summary.unique_persons == 40
