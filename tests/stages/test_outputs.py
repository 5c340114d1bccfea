"""outputs: the run summary (typed, JSON round trip, fields kept) and the files written."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pandas as pd
import pytest

from linkage.estimate import CountEstimate
from linkage.outputs import (
    QUERYBACK_COLUMNS,
    DedupSummary,
    PairCounts,
    ReporterCounts,
    ThresholdsUsed,
    summary_table,
    write_outputs,
)

SUMMARY_FIELDS = {"reports", "unique_persons", "persons_multi_reporter", "per_reporter", "reporter_overlap",
                  "pairs", "thresholds", "estimate", "submissions"}


def _summary(with_estimate: bool = True) -> DedupSummary:
    est = CountEstimate(
        estimate=2.5, interval=(2.0, 3.0), level=0.95, found=3, reports=4, true_pairs_identified=1.0,
        true_pairs_modelled=0.5, chance_pairs_expected=0.1, pairs_unmodelled=0, rho=1.0, method="m",
        model={"years": [2022]},
    ) if with_estimate else None
    return DedupSummary(
        reports=4, unique_persons=3, persons_multi_reporter=1,
        per_reporter={"fairwork": ReporterCounts(1, 1, 1), "police": ReporterCounts(3, 3, 1)},
        reporter_overlap={"fairwork": {"fairwork": 1, "police": 1}, "police": {"fairwork": 1, "police": 3}},
        pairs=PairCounts(match=1, review=2), thresholds=ThresholdsUsed("fixed", 0.8, 0.6), estimate=est,
    ).with_submissions(2, 0)


@pytest.mark.parametrize("with_estimate", [True, False])
def test_summary_json_round_trip(with_estimate: bool) -> None:
    s = _summary(with_estimate)
    d = json.loads(json.dumps(s.to_json()))
    assert DedupSummary.from_json(d) == s
    assert set(d) == SUMMARY_FIELDS - (set() if with_estimate else {"estimate"})
    assert d["per_reporter"]["police"] == {"reports": 3, "persons": 3, "persons_shared": 1}
    assert d["submissions"] == {"new": 2, "already_stored": 0}


def test_summary_table_rows() -> None:
    rows = dict(summary_table(_summary()))
    assert rows["reports"] == "4" and rows["unique persons (found)"] == "3"
    assert rows["unique persons (estimated)"] == "2 (95% interval 2-3)"
    assert rows["  police"] == "3 reports, 3 persons, 1 shared"


def test_write_outputs_writes_every_file_atomically_and_privately(tmp_path: Path) -> None:
    persons = pd.DataFrame({"person_id": ["P1", "P1", "P2"], "reporter": ["fairwork", "police", "police"],
                            "record_id": ["a", "b", "c"]})
    qb = {"police": pd.DataFrame([["c", "fairwork", "a", "ambiguous"]], columns=QUERYBACK_COLUMNS)}
    paths = write_outputs(tmp_path, persons, qb, _summary(), {"schema_fingerprint": "x"})
    assert set(paths) == {"persons.csv", "persons.parquet", "queryback/police.csv", "summary.json", "manifest.json"}
    for p in paths.values():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert pd.read_parquet(paths["persons.parquet"]).equals(persons)
    assert DedupSummary.from_json(json.loads(paths["summary.json"].read_text())) == _summary()
    assert list(pd.read_csv(paths["queryback/police.csv"]).columns) == QUERYBACK_COLUMNS
    assert not list(tmp_path.rglob(".*.tmp"))
