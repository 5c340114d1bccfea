"""Reporters' answers: the validation sample, reading answers, the corrected estimate, fixed decisions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import linkage
from linkage.errors import LinkageError
from linkage.estimate import (
    CountEstimate,
    calibrate_with_answers,
    default_count_model,
    validation_sample,
)
from linkage.evaluate._run import synthetic_records
from linkage.pipeline import dedup_records, read_answers
from linkage.synth import generate


def _frame(n: int = 600, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    left = np.arange(n, dtype=np.int64)
    right = left + n
    prob = np.concatenate([rng.uniform(0, 0.05, n // 2), rng.uniform(0.05, 1.0, n - n // 2)])
    return left, right, prob


def test_validation_sample_is_stratified_seeded_and_sized() -> None:
    left, right, prob = _frame()
    s = validation_sample(left, right, prob, 150, seed=4)
    assert len(s) == 150 and sum(s.band_sizes) == len(prob)
    assert s.frame_prob_sum == pytest.approx(prob.sum())
    # every band with pairs is sampled, and no pair twice
    assert set(np.flatnonzero(np.asarray(s.band_sizes)).tolist()) == set(s.band.tolist())
    assert len(set(zip(s.left.tolist(), s.right.tolist(), strict=True))) == 150
    again = validation_sample(left, right, prob, 150, seed=4)
    assert again.left.tolist() == s.left.tolist()
    assert validation_sample(left, right, prob, 150, seed=5).left.tolist() != s.left.tolist()
    assert len(validation_sample(left, right, prob, 10_000)) == len(prob)  # at most the frame
    assert len(validation_sample(left, right, prob, 0)) == 0
    with pytest.raises(LinkageError):
        validation_sample(left, right, prob, -1)


def _estimate(reports: int, pairs: float, interval: float = 20.0) -> CountEstimate:
    persons = reports - pairs
    return CountEstimate(estimate=persons, interval=(persons - interval, persons + interval), level=0.95,
                         found=None, reports=reports, true_pairs_identified=pairs, true_pairs_modelled=0.0,
                         chance_pairs_expected=0.0, pairs_unmodelled=0, rho=1.0, method="test",
                         bounds=(1.0, float(reports)))


def test_answers_replace_the_models_frame_pairs() -> None:
    left, right, prob = _frame()
    rng = np.random.default_rng(2)
    truth = rng.random(len(prob)) < np.clip(prob * 0.6, 0, 1)  # the model overstates true pairs by 1/0.6
    model_pairs = float(prob.sum()) + 40.0  # 40 true pairs below the frame, by the model
    est = _estimate(2000, model_pairs)
    # a census of the frame: the corrected true pairs are exact
    full = validation_sample(left, right, prob, len(prob))
    answers = {(a, b): ("same" if truth[a] else "different") for a, b in zip(full.left.tolist(),
                                                                              full.right.tolist(), strict=True)}
    out = calibrate_with_answers(est, full, answers)
    assert out.answers["applied"] and out.answers["answered"] == len(prob)
    assert out.estimate == pytest.approx(2000 - (truth.sum() + 40.0), abs=0.1)
    assert out.interval[0] <= out.estimate <= out.interval[1]
    # a sample: close, with an honest interval, narrower than the model's own when the frame holds most pairs
    s = validation_sample(left, right, prob, 200, seed=1)
    part = {(a, b): ("same" if truth[a] else "different") for a, b in zip(s.left.tolist(), s.right.tolist(),
                                                                           strict=True)}
    got = calibrate_with_answers(est, s, part)
    assert got.interval[0] <= 2000 - (truth.sum() + 40.0) <= got.interval[1]
    # unknown answers are left out; no usable answer leaves the estimate as it was
    none = calibrate_with_answers(est, s, {k: "unknown" for k in part})
    assert none.estimate == est.estimate and none.answers["applied"] is False
    with pytest.raises(LinkageError):
        calibrate_with_answers(est, s, {next(iter(part)): "maybe"})
    assert CountEstimate.from_json(got.to_json()) == got


def test_read_answers_names_file_row_and_column(tmp_path: Path) -> None:
    good = tmp_path / "police.csv"
    good.write_text("record_id,other_reporter,other_record_id,reason,answer\n"
                    "r1,fairwork,f9,validation,same\nr2,fairwork,f8,ambiguous,different\n")
    other = tmp_path / "fairwork.csv"
    other.write_text("record_id,other_reporter,other_record_id,answer\nf9,police,r1,different\n")
    got = read_answers([good])
    assert got[(("fairwork", "f9"), ("police", "r1"))] == "same"
    assert got[(("fairwork", "f8"), ("police", "r2"))] == "different"
    both = read_answers([good, other])  # two reporters disagree: unknown
    assert both[(("fairwork", "f9"), ("police", "r1"))] == "unknown"
    bad = tmp_path / "kmar.csv"
    bad.write_text("record_id,other_reporter,other_record_id,answer\nk1,police,r1,Jan Jansen\n")
    with pytest.raises(LinkageError, match="row 2, column 'answer'") as exc:
        read_answers([bad])
    assert "Jansen" not in str(exc.value)
    lacking = tmp_path / "nla.csv"
    lacking.write_text("record_id,answer\nn1,same\n")
    with pytest.raises(LinkageError, match="other_reporter"):
        read_answers([lacking])


def test_dedup_samples_pairs_and_answers_fix_decisions() -> None:
    schema = linkage.default_schema()
    recs, truth, _ = synthetic_records(generate(seed=11, years=(2022,)), schema)
    truth = np.asarray(truth)
    model = default_count_model(schema)
    res = dedup_records(recs, schema, count_model=model, validation_size=60, validation_seed=3)
    qb = {r: df for r, df in res.queryback.items()}
    validation = sum(int((df["reason"] == "validation").sum()) for df in qb.values())
    assert 0 < validation <= 2 * 60
    assert res.summary.estimate is not None and res.summary.estimate.answers["sample"] == 60
    # answer every sampled pair from the truth: answered pairs leave the query-back lists
    rows = [(str(recs.reporter[a]), str(recs.record_id[a]), str(recs.reporter[b]), str(recs.record_id[b]))
            for a, b in _sampled(res, recs)]
    idx = {(str(r), str(i)): k for k, (r, i) in enumerate(zip(recs.reporter.tolist(), recs.record_id.tolist(),
                                                              strict=True))}
    answers = {}
    for ra, ia, rb, ib in rows:
        ka, kb = (ra, ia), (rb, ib)
        same = truth[idx[ka]] == truth[idx[kb]]
        answers[(min(ka, kb), max(ka, kb))] = "same" if same else "different"
    again = dedup_records(recs, schema, count_model=model, validation_size=60, validation_seed=3, answers=answers)
    est = again.summary.estimate
    assert est is not None and est.answers["applied"] and est.answers["answered"] == len(answers)
    assert not any((df["reason"] == "validation").any() for df in again.queryback.values())
    persons = again.persons.set_index(["reporter", "record_id"])["person_id"]
    for (ka, kb), v in answers.items():
        if v == "same":
            assert persons[ka] == persons[kb]
    # a pair answered 'different' is never a direct link: its decision is non-match
    decided = again.pairs.set_index(["left", "right"])["decision"]
    for (ka, kb), v in answers.items():
        a, b = sorted((idx[ka], idx[kb]))
        if v == "different" and (a, b) in decided.index:
            assert decided[(a, b)] == 0


def _sampled(res: object, recs: object) -> list[tuple[int, int]]:
    out = set()
    where = {(str(r), str(i)): k for k, (r, i) in enumerate(zip(recs.reporter.tolist(),  # type: ignore[attr-defined]
                                                                recs.record_id.tolist(), strict=True))}  # type: ignore[attr-defined]
    for rep, df in res.queryback.items():  # type: ignore[attr-defined]
        for row in df[df["reason"] == "validation"].itertuples():
            a, b = where[(rep, row.record_id)], where[(row.other_reporter, row.other_record_id)]
            out.add((min(a, b), max(a, b)))
    return sorted(out)


def test_the_frame_gathered_in_chunks_gives_the_same_sample() -> None:
    from linkage.estimate import ValidationFrame

    left, right, prob = _frame(900, seed=3)
    whole = validation_sample(left, right, prob, 120, seed=9)
    frame = ValidationFrame(120, seed=9)
    order = np.random.default_rng(0).permutation(len(prob))
    for chunk in np.array_split(order, 7):
        frame.add(left[chunk], right[chunk], prob[chunk])
    parts = frame.sample(120)
    assert parts.left.tolist() == whole.left.tolist() and parts.right.tolist() == whole.right.tolist()
    assert parts.band_sizes == whole.band_sizes
