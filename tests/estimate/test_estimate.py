"""The count estimate: model building and persistence, the estimator, and its use by the pipeline and CLI."""

from __future__ import annotations

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
    CountModel,
    build_count_model,
    default_count_model,
    estimate_unique_persons,
    load_count_model,
)
from linkage.evaluate._run import EVAL_KEY, evaluate_synthetic, synthetic_records
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
    # the model holds score histograms and counts, nothing derived from a key
    text = path.read_text()
    assert EVAL_KEY.key_id not in text


def test_estimate_corrects_the_found_count(model: CountModel) -> None:
    filters, presence, true, recs = _year(3)
    found = int(linkage.dedup_records(recs, linkage.default_schema()).persons["person_id"].nunique())
    est = estimate_unique_persons(filters, presence, model, found=found, seed=1)
    lo, hi = est["interval"]
    assert lo <= est["estimate"] <= hi
    # the found count overcounts by ~10% (missed links); the estimate is within 4%
    assert found > true * 1.05
    assert abs(est["estimate"] - true) / true < 0.04
    assert lo <= true <= hi
    assert est["found"] == found and est["reports"] == len(filters)
    assert est["true_pairs_identified"] > 0 and est["chance_pairs_expected"] > 0
    json.dumps(est)  # JSON-ready


def test_estimate_is_deterministic_per_seed(model: CountModel) -> None:
    filters, presence, _, _ = _year(4)
    a = estimate_unique_persons(filters, presence, model, seed=7, draws=50)
    b = estimate_unique_persons(filters, presence, model, seed=7, draws=50)
    assert a == b


def test_no_duplicates_means_no_correction(model: CountModel) -> None:
    # one report per person: the estimate must stay near the number of reports
    filters, presence, true, _ = _year(5)
    keep = np.unique(filters, axis=0, return_index=True)[1]
    f, p = filters[np.sort(keep)], presence[np.sort(keep)]
    est = estimate_unique_persons(f[:300], p[:300], model, draws=50)
    assert est["estimate"] <= 300
    assert est["interval"][1] >= 290


def test_bad_arguments(model: CountModel, tmp_path: Path) -> None:
    filters, presence, _, _ = _year(6)
    with pytest.raises(LinkageError, match="level"):
        estimate_unique_persons(filters, presence, model, level=1.5)
    with pytest.raises(LinkageError, match="draws"):
        estimate_unique_persons(filters, presence, model, draws=5)
    with pytest.raises(LinkageError, match="same records"):
        estimate_unique_persons(filters, presence[:-1], model)
    empty = estimate_unique_persons(filters[:0], presence[:0], model, draws=20)
    assert empty["estimate"] == 0 and empty["reports"] == 0
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
    for fn in (estimate_unique_persons, build_count_model):
        names = set(inspect.signature(fn).parameters)
        assert not names & {"key", "secret", "linkage_key"}, fn.__name__


def test_dedup_summary_and_evaluation_carry_the_estimate(model: CountModel) -> None:
    _, _, _, recs = _year(8)
    res = linkage.dedup_records(recs, linkage.default_schema(), count_model=model)
    est = res.summary["estimate"]
    assert est["found"] == res.summary["unique_persons"]
    assert est["interval"][0] <= est["estimate"] <= est["interval"][1]
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


@pytest.mark.parametrize("hardened", [True, False])
def test_bundled_models_rebuild_exactly(hardened: bool) -> None:
    schema = linkage.default_schema(hardened=hardened)
    bundled = default_count_model(schema)
    assert bundled.years == (2022,) and bundled.replicates == 40 and bundled.seed == 10_000
    rebuilt = build_count_model(schema, years=(2022,), replicates=40, seed=10_000)
    assert rebuilt.to_dict() == bundled.to_dict()


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
