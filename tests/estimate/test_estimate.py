"""The count estimate: model building and persistence, the estimator, and its use by the pipeline and CLI."""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import linkage
from linkage.cli import cli
from linkage.errors import LinkageError, MismatchError
from linkage.estimate import (
    FLOOR,
    STEP,
    CountModel,
    default_count_model,
    estimate_unique_persons,
    load_count_model,
)
from linkage.evaluate._run import evaluate_synthetic, synthetic_records
from linkage.records import ScoredPairs
from linkage.simulate import build_count_model
from linkage.store import RegistryRecords
from linkage.synth import generate, reporter_tables


@pytest.fixture(scope="module")
def model() -> CountModel:
    # few replicates keep the test fast; seeds 10,000+ never overlap the data seeds below
    return build_count_model(linkage.default_schema(), years=(2022,), replicates=8)


def _year(seed: int, year: int = 2022) -> tuple[np.ndarray, np.ndarray, int, RegistryRecords]:
    recs, truth, _ = synthetic_records(generate(seed=seed, years=(year,)), linkage.default_schema())
    return recs.filters, recs.presence, len(set(truth)), recs


def test_model_is_reproducible_and_round_trips(model: CountModel, tmp_path: Path) -> None:
    again = build_count_model(linkage.default_schema(), years=(2022,), replicates=8)
    assert again.to_dict() == model.to_dict()  # the throwaway key is derived, so rebuilds agree
    path = tmp_path / "model.json"
    model.save(path)
    loaded = load_count_model(path)
    assert loaded.to_dict() == model.to_dict()
    assert 0.5 < model.rho <= 1.0
    assert "strata" not in repr(model)
    assert model == model and model != again  # identity equality; arrays inside are not compared
    # the model holds score histograms, counts and its provenance: nothing else
    saved = json.loads(path.read_text())
    assert set(saved) == {"format", "schema_fingerprint", "years", "replicates", "seed", "floor", "step",
                          "reductions", "true_pairs", "reports", "pattern_records", "replicate_u",
                          "replicate_match", "interval_inflation", "strata"}
    assert model.interval_inflation >= 1.0


def test_estimate_corrects_the_found_count(model: CountModel) -> None:
    filters, presence, true, recs = _year(3)
    found = int(linkage.dedup_records(recs, linkage.default_schema()).persons["person_id"].nunique())
    res = linkage.dedup_records(recs, linkage.default_schema(), count_model=model,
                                estimate_options={"seed": 1, "draws": 50})
    # the clusters found set rho (reports saved per true pair) with the model's as a prior
    labels = res.persons.set_index(["reporter", "record_id"]).loc[
        list(zip(recs.reporter.tolist(), recs.record_id.tolist(), strict=True)), "person_id"].to_numpy()
    est = estimate_unique_persons(filters, presence, model, found=found, seed=1, labels=labels)
    # same point, pairs reused
    assert res.summary.estimate is not None and res.summary.estimate.estimate == est.estimate
    assert est.rho != model.rho and estimate_unique_persons(filters, presence, model, seed=1).rho == round(
        model.rho, 4)
    lo, hi = est.interval
    assert lo <= est.estimate <= hi
    # the found count overcounts by ~10% (missed links); the estimate is within 4%
    assert found > true * 1.05
    assert abs(est.estimate - true) / true < 0.04
    assert lo <= true <= hi
    assert est.found == found and est.reports == len(filters)
    assert est.true_pairs_identified > 0 and est.chance_pairs_expected > 0
    assert type(est).from_json(json.loads(json.dumps(est.to_json()))) == est  # JSON round trip


def test_estimate_is_deterministic_per_seed(model: CountModel) -> None:
    filters, presence, _, _ = _year(4)
    a = estimate_unique_persons(filters, presence, model, seed=7, draws=50)
    b = estimate_unique_persons(filters, presence, model, seed=7, draws=50)
    assert a == b


def test_no_duplicates_means_almost_no_correction(model: CountModel) -> None:
    # one report per true person: the estimate must stay close to the number of reports
    recs, truth, _ = synthetic_records(generate(seed=5, years=(2022,)), linkage.default_schema())
    first = np.unique(np.asarray(truth), return_index=True)[1]
    est = estimate_unique_persons(recs.filters[first], recs.presence[first], model, draws=100)
    n = len(first)
    assert est.interval[0] <= n <= est.interval[1] + 1e-9
    assert est.estimate >= 0.97 * n


def test_estimate_scales_with_the_data(model: CountModel) -> None:
    """Two years' worth of records (two independent data sets together): the estimate must follow."""
    schema = linkage.default_schema()
    parts = [synthetic_records(generate(seed=s, years=(2022,)), schema) for s in (12, 13)]
    filters = np.concatenate([p[0].filters for p in parts])
    presence = np.concatenate([p[0].presence for p in parts])
    true = sum(len(set(p[1])) for p in parts)
    est = estimate_unique_persons(filters, presence, model, draws=100)
    singles = sum(estimate_unique_persons(p[0].filters, p[0].presence, model, draws=20).estimate for p in parts)
    # pairs grow with the square of the records, true pairs with the records: the estimate must not care
    assert abs(est.estimate - singles) / singles < 0.02
    assert abs(est.estimate - true) / true < 0.05
    assert est.interval[0] <= true <= est.interval[1]


def test_match_probabilities_use_the_evidence_and_nothing_else(model: CountModel) -> None:
    from linkage.estimate import evidence_floor, match_probabilities
    from linkage.estimate._estimate import _regions

    filters, presence, _, _ = _year(14)
    regions = _regions(model)
    key = max(regions, key=lambda k: model.strata[k][3])  # the stratum with most true pairs
    a, b = divmod(key, 65536)
    # one pair per score bin in that stratum, plus the same scores in a stratum the model lacks
    pa = np.flatnonzero(presence == a)[:1]
    pb = np.flatnonzero(presence == b)[1:2] if a == b else np.flatnonzero(presence == b)[:1]
    scores = np.round(np.arange(FLOOR, 1.0 + 1e-9, STEP), 6)
    left = np.repeat(pa, len(scores))
    right = np.repeat(pb, len(scores))
    prob = match_probabilities(presence, ScoredPairs(left, right, scores), model)
    assert ((prob >= 0) & (prob <= 1)).all()
    assert prob[-1] > 0.5 > prob[0]  # identical filters in a full stratum: a match; 0.3: not
    u_c, m_c, _, _ = model.strata[key]
    both_empty = (u_c == 0) & (m_c == 0)
    # where the simulation saw nothing, the probability stays at the prior, far below the review band,
    # except above the highest bin with a simulated true pair: no worse evidence than that bin
    idx = np.arange(len(both_empty))
    top = int(np.flatnonzero(np.asarray(m_c) > 0)[-1])
    assert (prob[both_empty & (idx < top)] < 0.05).all()
    assert (prob[idx > top] >= prob[top] - 1e-12).all()
    absent = presence.copy()
    absent[pa] = 1 << 12  # a presence mask the model never saw
    assert (match_probabilities(absent, ScoredPairs(left, right, scores), model) == 0).all()
    # the evidence floor is the lowest region edge, just inside it
    edge = min(FLOOR + STEP * int(np.flatnonzero(h)[0]) for h in regions.values())
    assert evidence_floor(model) < edge and evidence_floor(model) > edge - 1e-6


def test_bad_arguments(model: CountModel, tmp_path: Path) -> None:
    filters, presence, _, _ = _year(6)
    with pytest.raises(LinkageError, match="level"):
        estimate_unique_persons(filters, presence, model, level=1.5)
    with pytest.raises(LinkageError, match="draws"):
        estimate_unique_persons(filters, presence, model, draws=5)
    with pytest.raises(LinkageError, match="same records"):
        estimate_unique_persons(filters, presence[:-1], model)
    empty = estimate_unique_persons(filters[:0], presence[:0], model, draws=20)
    assert empty.estimate == 0 and empty.reports == 0
    with pytest.raises(LinkageError, match="at least one replicate"):
        build_count_model(linkage.default_schema(), replicates=0)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(LinkageError, match="cannot read"):
        load_count_model(bad)
    d = model.to_dict()
    d["strata"][next(iter(d["strata"]))]["u"] = [1, 2]
    with pytest.raises(LinkageError, match="wrong length"):
        load_count_model(d)
    with pytest.raises(LinkageError, match="not a"):
        load_count_model({**model.to_dict(), "format": "other"})
    with pytest.raises(LinkageError, match="malformed"):
        load_count_model({**model.to_dict(), "strata": None})
    with pytest.raises(LinkageError, match="does not exist"):
        load_count_model(tmp_path / "missing.json")


def test_schema_mismatch_is_refused(model: CountModel) -> None:
    other = linkage.default_schema(hardened=False)
    with pytest.raises(MismatchError, match="another schema"):
        model.check(other)
    _, _, _, recs = _year(7)
    with pytest.raises(MismatchError):
        linkage.dedup_records(recs, other, count_model=model)


def test_registry_side_takes_no_key() -> None:
    from linkage.estimate import match_probabilities

    for fn in (estimate_unique_persons, build_count_model, match_probabilities, linkage.dedup_records,
               linkage.run_dedup, load_count_model):
        sig = inspect.signature(fn)
        assert not set(sig.parameters) & {"key", "secret", "linkage_key"}, fn.__name__
        for prm in sig.parameters.values():
            assert "LinkageKey" not in str(prm.annotation), (fn.__name__, prm.name)


def test_dedup_summary_and_evaluation_carry_the_estimate(model: CountModel) -> None:
    _, _, _, recs = _year(8)
    res = linkage.dedup_records(recs, linkage.default_schema(), count_model=model)
    est = res.summary.estimate
    assert est is not None and est.found == res.summary.unique_persons
    assert est.interval[0] <= est.estimate <= est.interval[1]
    ev = evaluate_synthetic(generate(seed=8, years=(2022,)), count_models={2022: model})
    row = ev["per_year"][0]
    assert row["estimate"]["found"] == row["found_unique"]
    assert isinstance(row["interval_covers"], bool)
    assert abs(row["estimate_error_pct"]) < abs(row["count_error_pct"])


def test_cli_count_model_and_dedup_with_it(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "model.json"
    r = runner.invoke(cli, ["count-model", "--out", str(out), "--replicates", "2", "--json"])
    assert r.exit_code == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["replicates"] == 2 and out.exists()
    # dedup with it, through signed submissions
    secret = tmp_path / "s.secret"
    assert runner.invoke(cli, ["keygen", "--out", str(secret)]).exit_code == 0
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    data = generate(seed=9, years=(2022,))
    subs = []
    for rep, table in sorted(reporter_tables(data).items()):
        table.to_csv(tmp_path / f"{rep}.csv", index=False)
        assert runner.invoke(cli, ["keygen", "--signing", "--out", str(tmp_path / f"{rep}.key"),
                                   "--public-out", str(trusted / f"{rep}.pub")]).exit_code == 0
        r = runner.invoke(cli, ["encode", str(tmp_path / f"{rep}.csv"), "--reporter", rep, "--signing-key",
                                str(tmp_path / f"{rep}.key"), "--key-file", str(secret),
                                "--out", str(tmp_path / f"{rep}.lnk")])
        assert r.exit_code == 0, r.stderr
        subs.append(str(tmp_path / f"{rep}.lnk"))
    r = runner.invoke(cli, ["dedup", *subs, "--trusted-keys", str(trusted), "--out", str(tmp_path / "o"),
                            "--count-model", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "estimated" in r.stdout
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["estimate"]["found"] == summary["unique_persons"]
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["parameters"]["count_model"]["replicates"] == 2
    # a model for another schema is refused with exit code 1
    bad = tmp_path / "other.json"
    r = runner.invoke(cli, ["count-model", "--out", str(bad), "--replicates", "1"])
    assert r.exit_code == 0
    d = json.loads(bad.read_text())
    d["schema_fingerprint"] = "0" * 64
    bad.write_text(json.dumps(d))
    r = runner.invoke(cli, ["dedup", *subs, "--trusted-keys", str(trusted), "--out", str(tmp_path / "o2"),
                            "--count-model", str(bad)])
    assert r.exit_code == 1 and "another schema" in r.stderr
    assert not (tmp_path / "o2" / "summary.json").exists()


def test_bundled_models_fit_their_profiles_and_rebuild_exactly() -> None:
    for hardened in (True, False):
        bundled = default_count_model(linkage.default_schema(hardened=hardened))
        assert bundled.years == (2022,) and bundled.replicates == 40 and bundled.seed == 10_000
        assert bundled.interval_inflation >= 1.0
    # one exact rebuild (the unhardened model is made by the same code)
    schema = linkage.default_schema()
    rebuilt = build_count_model(schema, years=(2022,), replicates=40, seed=10_000)
    assert rebuilt.to_dict() == default_count_model(schema).to_dict()


def test_a_model_without_evidence_is_refused() -> None:
    schema = linkage.default_schema()
    empty = build_count_model(schema, replicates=1, calibration=0)
    from linkage.estimate._estimate import _regions

    if _regions(empty):  # one replicate can already identify the big strata
        empty = dataclasses.replace(empty, strata={})
    recs = synthetic_records(generate(seed=2, years=(2022,)), schema)[0]
    with pytest.raises(LinkageError, match="identifies no presence stratum"):
        linkage.dedup_records(recs, schema, count_model=empty)


def test_no_bundled_model_for_other_posterior_schemas() -> None:
    doc = json.loads(json.dumps(linkage.default_schema().document))
    doc["thresholds"]["match"] = 0.6
    other = linkage.load_schema(doc)
    with pytest.raises(MismatchError, match="no bundled model"):
        default_count_model(other)
    recs = synthetic_records(generate(seed=2, years=(2022,)), other)[0]
    with pytest.raises(MismatchError):
        linkage.dedup_records(recs, other)


def test_posterior_classification_beats_the_score_histogram() -> None:
    """On a synthetic year the posterior default links more true pairs than the valley method, at a
    precision still above 0.75, and its found count is closer to the truth."""
    from linkage.evaluate import evaluate_synthetic

    data = generate(seed=11, years=(2022,))
    doc = json.loads(json.dumps(linkage.default_schema().document))
    doc["thresholds"].update({"method": "valley", "floor": 0.5, "match": 0.9, "review": 0.7})
    post = evaluate_synthetic(data)
    valley = evaluate_synthetic(data, linkage.load_schema(doc))
    assert post["thresholds"]["method"] == "posterior" and valley["thresholds"]["method"] == "valley"
    assert post["recall"] > valley["recall"] + 0.1
    assert post["precision"] > 0.75
    assert post["f1"] > valley["f1"]
    assert abs(post["count_error_pct"]) < abs(valley["count_error_pct"])
    assert "estimate" in post["per_year"][0] and "estimate" not in valley["per_year"][0]
