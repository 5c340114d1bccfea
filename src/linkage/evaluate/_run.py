"""Run the encoded pipeline end to end on labelled data and score it.

The evaluation plays every party at once (it holds the truth), but the registry
step is the same :func:`linkage.pipeline.dedup_records` the registry runs: it sees
filters, presence masks, reporter and submission ids, nothing else.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from linkage.encode import LinkageKey, encode_records
from linkage.estimate import CountModel
from linkage.evaluate._febrl import load_febrl, reduce_febrl
from linkage.evaluate._metrics import all_metrics
from linkage.normalise import normalise_records
from linkage.pipeline import dedup_records
from linkage.schema import Schema, default_schema, load_schema
from linkage.store import RegistryRecords

# A fixed evaluation key: evaluation results must not depend on a random key
# (bit collisions differ slightly between keys); it is test-only, never a real key.
EVAL_KEY = LinkageKey(bytes.fromhex("6c696e6b6167652d6576616c756174696f6e2d6b65792d6e6f742d7265616c21"))


def profile(name: str) -> Schema:
    """A bundled evaluation schema: ``febrl-full`` or ``febrl-reduced``."""
    text = resources.files("linkage.evaluate").joinpath("profiles", f"{name}.json").read_text("utf-8")
    return load_schema(json.loads(text))


def _records(filters: np.ndarray, presence: np.ndarray, reporter: list[str], submission: list[str]) -> RegistryRecords:
    n = len(filters)
    return RegistryRecords(
        reporter=np.array(reporter, dtype=str),
        record_id=np.array([f"{i:032x}" for i in range(n)]),
        submission_id=np.array(submission, dtype=str),
        presence=presence.astype(np.uint16),
        filters=np.ascontiguousarray(filters),
    )


def _score(records: RegistryRecords, schema: Schema, truth: list[str]) -> tuple[dict[str, Any], pd.DataFrame]:
    t0 = time.perf_counter()
    res = dedup_records(records, schema)
    seconds = time.perf_counter() - t0
    found = res.persons.set_index("record_id").loc[records.record_id.tolist(), "person_id"].tolist()
    metrics: dict[str, Any] = dict(all_metrics(found, truth))
    metrics["seconds"] = round(seconds, 3)
    metrics["thresholds"] = res.summary.to_json()["thresholds"]
    metrics["score_curves"] = score_curves(res.pairs, np.asarray(truth))
    frame = pd.DataFrame({"found": found, "truth": truth})
    return metrics, frame


def score_curves(pairs: pd.DataFrame, truth: np.ndarray, step: float = 0.025) -> dict[str, Any]:
    """Histograms of true and false candidate pairs, and pairwise precision/recall per threshold.

    On the pairs' ``probability`` (posterior method) when they have one, else on
    their Dice ``score``. Recall is over all true pairs (including those below the
    candidate floor).
    """
    same = truth[pairs["left"].to_numpy()] == truth[pairs["right"].to_numpy()]
    on = "probability" if "probability" in pairs.columns else "score"
    sc = pairs[on].to_numpy()
    _, counts = np.unique(truth, return_counts=True)
    total_true = int((counts * (counts - 1) // 2).sum())
    edges = np.round(np.arange(0.0, 1.0 + step / 2, step), 6)
    hist_true = np.histogram(sc[same], bins=np.append(edges[:-1], 1.0 + 1e-9))[0]
    hist_false = np.histogram(sc[~same], bins=np.append(edges[:-1], 1.0 + 1e-9))[0]
    thresholds, precision, recall = [], [], []
    for t in edges[:-1]:
        m = sc >= t
        if not m.any():
            continue
        tp = int((m & same).sum())
        thresholds.append(float(t))
        precision.append(tp / int(m.sum()))
        recall.append(tp / total_true if total_true else 1.0)
    return {"on": on, "bin_starts": edges[:-1].tolist(), "true": hist_true.tolist(), "false": hist_false.tolist(),
            "thresholds": thresholds, "precision": precision, "recall": recall}


def febrl_table(number: int, view: str, *, seed: int = 0) -> pd.DataFrame:
    """FEBRL ``number`` in the given view (``full`` or ``reduced``, the nationality drawn with ``seed``)."""
    df = load_febrl(number)
    return reduce_febrl(df, seed=seed) if view == "reduced" else df


def evaluate_febrl(
    number: int, view: str, schema: Schema | None = None, *, seed: int = 0, table: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Encoded linkage quality on FEBRL ``number`` (``view``: ``full`` or ``reduced``).

    ``table`` is :func:`febrl_table`'s result when the caller already has it.
    """
    df = febrl_table(number, view, seed=seed) if table is None else table
    schema = schema or profile(f"febrl-{view}")
    enc = encode_records(normalise_records(df, schema), schema, EVAL_KEY)
    n = len(df)
    # one record per "submission": FEBRL has no reporters, so no same-submission rule applies
    recs = _records(enc.filters, enc.presence, ["febrl"] * n, [f"{i:032x}" for i in range(n)])
    metrics, _ = _score(recs, schema, df["person_id"].astype(str).tolist())
    metrics.update({"dataset": f"FEBRL{number}", "view": view, "records": n, "schema": schema.name})
    return metrics


def synthetic_records(data: Any, schema: Schema) -> tuple[RegistryRecords, list[str], list[int]]:
    """A :mod:`linkage.synth` data set as the registry would hold it (one submission per reporter
    and year, encoded under the evaluation key), with each record's true person and year."""
    from linkage.synth import reporter_tables

    reports = data.reports
    filters, presence, reporter, submission, truth, years = [], [], [], [], [], []
    for rep, table in sorted(reporter_tables(data).items()):
        rows = reports[reports["reporter"] == rep].reset_index(drop=True)
        enc = encode_records(normalise_records(table, schema), schema, EVAL_KEY)
        filters.append(enc.filters)
        presence.append(enc.presence)
        reporter += [rep] * len(rows)
        submission += [f"{rep}-{y}" for y in rows["year"].tolist()]
        truth += rows["person_id"].astype(str).tolist()
        years += rows["year"].astype(int).tolist()
    recs = _records(np.concatenate(filters), np.concatenate(presence), reporter, submission)
    return recs, truth, years


def _subset(recs: RegistryRecords, idx: np.ndarray) -> RegistryRecords:
    return RegistryRecords(reporter=recs.reporter[idx], record_id=recs.record_id[idx],
                           submission_id=recs.submission_id[idx], presence=recs.presence[idx],
                           filters=np.ascontiguousarray(recs.filters[idx]))


def evaluate_synthetic(
    data: Any, schema: Schema | None = None, *, count_models: Mapping[int, CountModel] | None = None
) -> dict[str, Any]:
    """Encoded linkage quality on a :mod:`linkage.synth` data set, overall and per year.

    Each reporter sends one submission per year and each year is deduplicated on
    its own, as the registry's annual count is. Pairwise and B-cubed metrics are
    over the pairs within each year; count error per year compares the persons
    found with the true ones. ``count_models`` (year -> model) gives each year its
    own count model (else a ``posterior`` schema uses the bundled one); whenever a
    model is used, the year also gets the estimated true count with its interval.
    """
    schema = schema or default_schema()
    recs, truth_list, years_list = synthetic_records(data, schema)
    truth = np.asarray(truth_list)
    years = np.asarray(years_list)
    found_all: list[str] = []
    truth_all: list[str] = []
    pair_frames = []
    per_year = []
    seconds = 0.0
    thresholds: dict[int, Any] = {}
    offset = 0
    for y in sorted(set(years_list)):
        idx = np.flatnonzero(years == y)
        sub = _subset(recs, idx)
        t0 = time.perf_counter()
        res = dedup_records(sub, schema, count_model=(count_models or {}).get(int(y)))
        seconds += time.perf_counter() - t0
        found = res.persons.set_index("record_id").loc[sub.record_id.tolist(), "person_id"].tolist()
        found_all += [f"{y}/{f}" for f in found]
        truth_all += [f"{y}/{t}" for t in truth[idx].tolist()]
        pairs = res.pairs.copy()
        pairs[["left", "right"]] += offset
        pair_frames.append(pairs)
        offset += len(idx)
        thresholds[int(y)] = res.summary.to_json()["thresholds"]
        t, f = len(set(truth[idx].tolist())), len(set(found))
        row: dict[str, Any] = {"year": int(y), "reports": len(idx), "true_unique": t, "found_unique": f,
                               "count_error_pct": 100.0 * (f - t) / t if t else 0.0}
        est = res.summary.estimate
        if est is not None:
            lo, hi = est.interval
            row["estimate"] = est.to_json()
            row["estimate_error_pct"] = 100.0 * (est.estimate - t) / t if t else 0.0
            row["interval_covers"] = bool(lo <= t <= hi)
        per_year.append(row)
    metrics: dict[str, Any] = dict(all_metrics(found_all, truth_all))
    metrics["seconds"] = round(seconds, 3)
    last = thresholds[max(thresholds)] if thresholds else {"method": schema.threshold_method}
    metrics["thresholds"] = {**last, "per_year": {str(k): v for k, v in thresholds.items()}}
    metrics["score_curves"] = score_curves(pd.concat(pair_frames, ignore_index=True), np.asarray(truth_all))
    metrics.update({"dataset": "synthetic", "seed": int(data.seed), "years": [int(y) for y in data.years],
                    "records": len(truth_all), "schema": schema.name, "per_year": per_year,
                    "dedup": "each year on its own"})
    return metrics
