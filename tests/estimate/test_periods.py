"""Counts over several periods in one run (issue 13 item 4)."""

from __future__ import annotations

import numpy as np

import linkage
from linkage.estimate import PeriodCounts, default_count_model, estimate_periods
from linkage.evaluate._run import synthetic_records
from linkage.outputs import DedupSummary
from linkage.pipeline import dedup_records
from linkage.synth import generate


def test_periods_give_persons_new_and_known_with_intervals() -> None:
    schema = linkage.default_schema()
    model = default_count_model(schema)
    recs, truth, years = synthetic_records(generate(seed=21, years=(2021, 2022)), schema)
    res = dedup_records(recs, schema, count_model=model, periods=[str(y) for y in years],
                        estimate_options={"draws": 60})
    pc = res.summary.periods
    assert isinstance(pc, PeriodCounts) and [p.period for p in pc.periods] == ["2021", "2022"]
    first = pc.periods[0]
    assert first.known_earlier == 0 and first.new == first.persons.estimate
    for p in pc.periods:
        lo, hi = p.persons.interval
        assert lo <= p.persons.estimate <= hi
        assert p.new_interval[0] <= p.new <= p.new_interval[1]
        assert p.known_earlier_interval[0] <= p.known_earlier <= p.known_earlier_interval[1]
        assert abs(p.new + p.known_earlier - p.persons.estimate) < 0.2
        assert p.found is not None and p.found_new is not None and p.found_new <= p.found
    # per-period persons against the truth: within 6% each
    t = np.asarray(truth)
    y = np.asarray(years)
    for p in pc.periods:
        true_n = len(set(t[y == int(p.period)].tolist()))
        assert abs(p.persons.estimate - true_n) / true_n < 0.06
    assert pc.total == res.summary.estimate
    back = DedupSummary.from_json(res.summary.to_json())
    assert back.periods == pc
    # one period: no per-period block
    one = dedup_records(recs, schema, count_model=model, periods=["2022"] * len(recs),
                        estimate_options={"draws": 30})
    assert one.summary.periods is None


def test_estimate_periods_directly_matches_the_pipeline_total() -> None:
    schema = linkage.default_schema()
    model = default_count_model(schema)
    recs, _, years = synthetic_records(generate(seed=22, years=(2021, 2022)), schema)
    pc = estimate_periods(recs.filters, recs.presence, [str(v) for v in years], model, draws=40)
    assert pc.total.reports == len(recs) and sum(p.reports for p in pc.periods) == len(recs)
