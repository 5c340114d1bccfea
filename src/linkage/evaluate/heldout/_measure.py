"""Measure today's method on a held-out data set, as the registry would run it.

Every reporter table is normalised and encoded under the given key with the
given schema (the built-in profile by default); each reporter sends one
submission per year; the registry deduplicates each year on its own with
:func:`linkage.pipeline.dedup_records` (the built-in profile brings its bundled
count model, so every year gets an estimate with a 95% interval). Multi-year
and large data sets are also deduplicated in one run over everything.

Per year: the persons found and the estimate against the truth (errors in % of
the true number), whether the interval covers the truth and its width (% of
the truth), pairwise precision/recall/F1, and the same pairwise metrics for
the plaintext exact-key baseline (:func:`linkage.evaluate.exact_key_labels`)
on the same normalised records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.compare import dice_upper_triangle
from linkage.encode import LinkageKey, encode_records, generate_linkage_key
from linkage.estimate import (
    CountEstimate,
    calibrate_with_answers,
    default_count_model,
    evidence_floor,
    match_probabilities,
    validation_sample,
)
from linkage.evaluate._exact_key import exact_key_labels
from linkage.evaluate._metrics import pairwise_metrics
from linkage.evaluate.heldout._dataset import HeldoutData
from linkage.normalise import normalise_records
from linkage.pipeline import dedup_records
from linkage.records import ScoredPairs
from linkage.schema import Schema, default_schema
from linkage.store import RegistryRecords

_BASELINE_COLUMNS = ("initials", "birth_year", "nationality")


def _pct(value: float, truth: float) -> float:
    return 100.0 * (value - truth) / truth if truth else 0.0


def _subset(recs: RegistryRecords, idx: npt.NDArray[np.int64]) -> RegistryRecords:
    return RegistryRecords(reporter=recs.reporter[idx], record_id=recs.record_id[idx],
                           submission_id=recs.submission_id[idx], presence=recs.presence[idx],
                           filters=np.ascontiguousarray(recs.filters[idx]))


def _found_labels(persons: pd.DataFrame, record_ids: npt.NDArray[np.str_]) -> list[str]:
    found: list[str] = persons.set_index("record_id").loc[record_ids.tolist(), "person_id"].tolist()
    return found


ANSWER_SIZES = (0, 50, 100, 150, 200, 400)


def answers_curve(
    sub: RegistryRecords, truth: npt.NDArray[np.object_], est: CountEstimate, schema: Schema,
    sizes: Sequence[int] = ANSWER_SIZES, seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """The estimate corrected by answers simulated from the truth, for each validation sample size."""
    model = default_count_model(schema)
    f = np.ascontiguousarray(sub.filters, dtype=np.uint64)
    li, ri, sc = dice_upper_triangle(f, evidence_floor(model))
    frame = ScoredPairs(li, ri, sc)
    prob = match_probabilities(sub.presence, frame, model)
    true_n = int(pd.Series(truth).nunique())
    out: dict[str, dict[str, Any]] = {}
    for size in sizes:
        if size == 0:
            e = est
        else:
            sample = validation_sample(li, ri, prob, size, seed=seed)
            answers = {(a, b): ("same" if truth[a] == truth[b] else "different")
                       for a, b in zip(sample.left.tolist(), sample.right.tolist(), strict=True)}
            e = calibrate_with_answers(est, sample, answers)
        lo, hi = (float(v) for v in e.interval)
        out[str(size)] = {"estimate": float(e.estimate), "estimate_error_pct": _pct(float(e.estimate), true_n),
                          "covers": bool(lo <= true_n <= hi),
                          "width_pct": 100.0 * (hi - lo) / true_n if true_n else 0.0}
    return out


def _dedup_row(
    sub: RegistryRecords, truth: npt.NDArray[np.object_], plain: npt.NDArray[np.int64], schema: Schema,
    answer_sizes: Sequence[int] = (),
    periods: Sequence[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    t0 = time.perf_counter()
    res = dedup_records(sub, schema, periods=periods)
    seconds = time.perf_counter() - t0
    found = _found_labels(res.persons, sub.record_id)
    true_n = int(pd.Series(truth).nunique())
    found_n = int(res.summary.unique_persons)
    pm = pairwise_metrics(found, truth.tolist())
    bm = pairwise_metrics(plain.tolist(), truth.tolist())
    plain_n = len(np.unique(plain))
    row: dict[str, Any] = {
        "reports": len(sub), "true": true_n, "found": found_n, "found_error_pct": _pct(found_n, true_n),
        "precision": pm["precision"], "recall": pm["recall"], "f1": pm["f1"],
        "plain_precision": bm["precision"], "plain_recall": bm["recall"], "plain_f1": bm["f1"],
        "plain_found": plain_n, "plain_found_error_pct": _pct(plain_n, true_n),
        "pairs": {"match": res.summary.pairs.match, "review": res.summary.pairs.review}, "seconds": round(seconds, 3),
    }
    if res.summary.periods is not None:
        row["periods"] = [{"period": p.period, "persons": p.persons.estimate,
                           "persons_interval": list(p.persons.interval), "new": p.new,
                           "new_interval": list(p.new_interval), "known_earlier": p.known_earlier,
                           "known_earlier_interval": list(p.known_earlier_interval)}
                          for p in res.summary.periods.periods]
    est = res.summary.estimate
    if est is not None and answer_sizes:
        row["answers"] = answers_curve(sub, truth, est, schema, answer_sizes)
    if est is not None:
        lo, hi = (float(v) for v in est.interval)
        e = float(est.estimate)
        row.update({"estimate": e, "interval": [lo, hi], "estimate_error_pct": _pct(e, true_n),
                    "covers": bool(lo <= true_n <= hi), "width_pct": 100.0 * (hi - lo) / true_n if true_n else 0.0,
                    "pairs_unmodelled": int(est.pairs_unmodelled)})
    return row, found


def encode_dataset(
    data: HeldoutData, schema: Schema, key: LinkageKey
) -> tuple[RegistryRecords, npt.NDArray[np.object_], npt.NDArray[np.int64], pd.DataFrame]:
    """The registry's records (one submission per reporter and year), truth, years and normalised values."""
    filters, presence, reporter, submission, truth, years, norm = [], [], [], [], [], [], []
    for rep in sorted(data.tables):
        table = data.tables[rep]
        t = data.truth[data.truth["reporter"] == rep].sort_values("row")
        normalised = normalise_records(table, schema)
        enc = encode_records(normalised, schema, key)
        filters.append(enc.filters)
        presence.append(enc.presence)
        y = t["year"].to_numpy(dtype=np.int64)
        reporter += [rep] * len(table)
        submission += [f"{rep}-{v}" for v in y.tolist()]
        truth += t["person_id"].astype(str).tolist()
        years.append(y)
        norm.append(normalised[[c for c in _BASELINE_COLUMNS if c in normalised.columns]])
    n = len(reporter)
    recs = RegistryRecords(
        reporter=np.asarray(reporter, dtype=str), record_id=np.asarray([f"{i:032x}" for i in range(n)]),
        submission_id=np.asarray(submission, dtype=str),
        presence=np.concatenate(presence).astype(np.uint16) if presence else np.zeros(0, np.uint16),
        filters=np.ascontiguousarray(np.concatenate(filters)) if filters else np.zeros((0, schema.words), np.uint64),
    )
    normalised_all = pd.concat(norm, ignore_index=True)
    for c in _BASELINE_COLUMNS:
        if c not in normalised_all.columns:
            normalised_all[c] = None
    return recs, np.asarray(truth, dtype=object), np.concatenate(years), normalised_all


def measure_dataset(
    data: HeldoutData,
    *,
    schema: Schema | None = None,
    key: LinkageKey | None = None,
    one_run: bool = False,
    answer_sizes: Sequence[int] = ANSWER_SIZES,
) -> dict[str, Any]:
    """Per-year results (and, with ``one_run``, one dedup over all years) for one data set.

    ``key`` defaults to a fresh random key. Each year's estimate is also
    corrected by answers simulated from the truth to validation samples of
    ``answer_sizes`` pairs (:func:`answers_curve`).
    """
    schema = schema or default_schema()
    key = key or generate_linkage_key()
    t0 = time.perf_counter()
    recs, truth, years, normalised = encode_dataset(data, schema, key)
    encode_seconds = time.perf_counter() - t0
    plain_all = exact_key_labels(normalised)
    per_year: list[dict[str, Any]] = []
    for y in sorted(set(years.tolist())):
        idx = np.flatnonzero(years == y)
        row, _ = _dedup_row(_subset(recs, idx), truth[idx], _relabel(plain_all[idx]), schema, answer_sizes)
        per_year.append({"year": int(y), **row})
    out: dict[str, Any] = {"family": data.family, "dataset": data.info.get("id", str(data.seed)),
                           "reports": len(truth), "persons": int(pd.Series(truth).nunique()),
                           "encode_seconds": round(encode_seconds, 3), "per_year": per_year}
    if data.info.get("dominant"):
        out["dominant"] = data.info["dominant"]
    if one_run and len(set(years.tolist())) >= 1:
        row, found = _dedup_row(recs, truth, plain_all, schema, periods=[str(y) for y in years.tolist()])
        out["one_run"] = {**row, **_new_per_year(found, truth, years, row.get("periods"))}
    return out


def _relabel(labels: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out: npt.NDArray[np.int64] = np.unique(labels, return_inverse=True)[1].astype(np.int64)
    return out


def _new_per_year(found: Sequence[str], truth: npt.NDArray[np.object_], years: npt.NDArray[np.int64],
                  periods: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Persons new in each year (first reported then): found (from the one-run clusters) and estimated
    (the run's per-period counts) against the truth."""
    df = pd.DataFrame({"found": list(found), "truth": truth, "year": years})
    true_first = df.groupby("truth")["year"].min().value_counts().sort_index()
    found_first = df.groupby("found")["year"].min().value_counts().sort_index()
    rows = []
    for y in sorted(set(years.tolist())):
        t, f = int(true_first.get(y, 0)), int(found_first.get(y, 0))
        item: dict[str, Any] = {"year": int(y), "true_new": t, "found_new": f, "found_new_error_pct": _pct(f, t)}
        est = next((p for p in periods or [] if p["period"] == str(y)), None)
        if est is not None:
            lo, hi = est["new_interval"]
            item.update({"estimated_new": est["new"], "estimated_new_error_pct": _pct(est["new"], t),
                         "new_covers": bool(lo <= t <= hi)})
        rows.append(item)
    return {"new_per_year": rows}


def _stats(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "mean_abs": None, "worst_abs": None}
    a = np.asarray(values, dtype=np.float64)
    return {"mean": float(a.mean()), "mean_abs": float(np.abs(a).mean()), "worst_abs": float(np.abs(a).max())}


def summarise_family(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Coverage, mean absolute and worst estimate error, found-count error, F1 encoded vs plaintext."""
    rows = [r for res in results for r in res["per_year"]]
    with_est = [r for r in rows if "estimate" in r]
    out: dict[str, Any] = {
        "datasets": len(results),
        "years": len(rows),
        "coverage": (float(np.mean([r["covers"] for r in with_est])) if with_est else None),
        "estimate_error_pct": _stats([r["estimate_error_pct"] for r in with_est]),
        "found_error_pct": _stats([r["found_error_pct"] for r in rows]),
        "plain_found_error_pct": _stats([r["plain_found_error_pct"] for r in rows]),
        "width_pct_mean": (float(np.mean([r["width_pct"] for r in with_est])) if with_est else None),
        "f1_mean": float(np.mean([r["f1"] for r in rows])) if rows else None,
        "plain_f1_mean": float(np.mean([r["plain_f1"] for r in rows])) if rows else None,
        "f1_at_least_plain": (float(np.mean([r["f1"] >= r["plain_f1"] for r in rows])) if rows else None),
        "precision_mean": float(np.mean([r["precision"] for r in rows])) if rows else None,
        "recall_mean": float(np.mean([r["recall"] for r in rows])) if rows else None,
    }
    curve = [r["answers"] for r in with_est if "answers" in r]
    if curve:
        out["answers"] = {
            size: {"coverage": float(np.mean([c[size]["covers"] for c in curve])),
                   "estimate_error_pct": _stats([c[size]["estimate_error_pct"] for c in curve]),
                   "width_pct_mean": float(np.mean([c[size]["width_pct"] for c in curve]))}
            for size in curve[0]
        }
    one = [res["one_run"] for res in results if "one_run" in res]
    if one:
        with_est1 = [r for r in one if "estimate" in r]
        new = [n["found_new_error_pct"] for r in one for n in r["new_per_year"]]
        out["one_run"] = {
            "runs": len(one),
            "coverage": float(np.mean([r["covers"] for r in with_est1])) if with_est1 else None,
            "estimate_error_pct": _stats([r["estimate_error_pct"] for r in with_est1]),
            "found_error_pct": _stats([r["found_error_pct"] for r in one]),
            "found_new_per_year_error_pct": _stats(new),
            "estimated_new_per_year_error_pct": _stats([n["estimated_new_error_pct"] for r in one
                                                        for n in r["new_per_year"] if "estimated_new_error_pct" in n]),
            "estimated_new_coverage": (float(np.mean(cov_new)) if (cov_new := [
                n["new_covers"] for r in one for n in r["new_per_year"] if "new_covers" in n]) else None),
            "f1_mean": float(np.mean([r["f1"] for r in one])),
            "plain_f1_mean": float(np.mean([r["plain_f1"] for r in one])),
        }
    return out


def run_heldout(
    scenarios: Any,
    *,
    families: Sequence[str] | None = None,
    limit: int | None = None,
    dev: bool = False,
    include_1m: bool = False,
    key_for: Callable[[str, str], LinkageKey] | None = None,
    schema: Schema | None = None,
    quick: Mapping[str, int | tuple[str, ...]] | None = None,
    progress: Callable[[str], None] | None = None,
    after_family: Callable[[dict[str, Any], list[dict[str, str]]], None] | None = None,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Measure every (chosen) family of the frozen ``scenarios`` (:func:`linkage.evaluate.heldout.load_scenarios`).

    Each held-out data set is regenerated and its SHA-256 checked against the
    frozen one (a mismatch raises: the generator changed, results would not be
    comparable); ``dev`` takes the development seeds instead (no check).
    ``quick`` maps a family to how many data sets (or which ids) to take.
    Returns the families' results (summary and data sets) and what was skipped.
    """
    from linkage.errors import LinkageError
    from linkage.evaluate.heldout._dataset import dataset_sha256
    from linkage.evaluate.heldout._families import family_dataset

    schema = schema or default_schema()
    out: dict[str, Any] = {}
    skipped: list[dict[str, str]] = []
    for name, fam in scenarios.families.items():
        if families is not None and name not in families:
            continue
        if name == "large_1m" and not include_1m:
            skipped.append({"family": name, "reason": "not run without include_1m (all-pairs dedup of 1M "
                                                      "records takes hours on 2 cores)"})
            continue
        ids = list(fam.dev if dev else fam.heldout)
        if quick is not None:
            want = quick.get(name)
            if want is None:
                continue
            ids = [i for i in ids if i in want] if isinstance(want, tuple) else ids[:want]
            if dev and isinstance(want, tuple):
                ids = list(fam.dev[:1])
        if limit is not None:
            ids = ids[:limit]
        if not ids:
            continue
        results = []
        for ds in ids:
            t0 = time.perf_counter()
            data = family_dataset(fam, ds)
            if not dev:
                got, frozen = dataset_sha256(data), scenarios.sha256[(name, ds)]
                if got != frozen:
                    raise LinkageError(f"{name} {ds}: the data set differs from the frozen one (SHA-256 mismatch); "
                                       "the generator changed, so held-out results are not comparable")
            one_run = fam.kind in ("decade", "large")
            key = key_for(name, ds) if key_for is not None else generate_linkage_key()
            res = measure_dataset(data, schema=schema, key=key, one_run=one_run)
            res["seconds"] = round(time.perf_counter() - t0, 2)
            results.append(res)
            if progress is not None:
                last = res["per_year"][-1]
                progress(f"{name} {ds}: {res['reports']} reports, found {last['found_error_pct']:+.2f}%, estimate "
                         f"{last.get('estimate_error_pct', float('nan')):+.2f}% covers={last.get('covers')} "
                         f"F1 {last['f1']:.3f} (plaintext {last['plain_f1']:.3f}), {res['seconds']:.1f} s")
        out[name] = {"kind": fam.kind, "description": fam.description, "params": fam.params.to_dict(),
                     "summary": summarise_family(results), "datasets": results}
        if after_family is not None:
            after_family(out, skipped)
    return out, skipped
