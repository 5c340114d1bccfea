"""Coverage of the count estimate: many synthetic data sets, one count model, how often the interval holds.

The model is built once per year (seeds from 10,000 up); the data sets use seeds
1, 2, ..., so the model never sees the data it is scored on. ``error_scale``
multiplies every reporter's error rates in the *data* only, to measure what a
model built on the wrong error rates does (the interval does not cover that).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from linkage.errors import LinkageError
from linkage.estimate import CountModel
from linkage.evaluate._run import synthetic_records
from linkage.schema import Schema, default_schema


def _scaled_profiles(scale: float) -> dict[str, Any] | None:
    if scale == 1.0:
        return None
    from linkage.synth import default_profiles

    prof = default_profiles()
    for p in prof.values():
        p["errors"] = {k: min(1.0, v * scale) for k, v in p["errors"].items()}
    return prof


def count_coverage(
    *,
    year: int = 2022,
    seeds: Iterable[int] = range(1, 51),
    replicates: int = 40,
    error_scales: Iterable[float] = (1.0, 0.5, 2.0),
    schema: Schema | None = None,
    model: CountModel | None = None,
) -> dict[str, Any]:
    """Estimate, interval and truth for every seed and error scale; coverage and error summaries."""
    from linkage.pipeline import dedup_records
    from linkage.simulate import build_count_model  # loads the synthetic generator: only when needed
    from linkage.synth import generate

    schema = schema or default_schema()
    t0 = time.perf_counter()
    model = model or build_count_model(schema, years=(year,), replicates=replicates)
    seeds = list(seeds)
    out: dict[str, Any] = {"year": year, "seeds": seeds, "replicates": model.replicates,
                           "model_seed": model.seed, "level": 0.95, "scenarios": []}
    for scale in error_scales:
        prof = _scaled_profiles(scale)
        rows: list[dict[str, Any]] = []
        for seed in seeds:
            data = generate(seed=seed, years=(year,), profiles=prof)
            recs, truth, _ = synthetic_records(data, schema)
            res = dedup_records(recs, schema, count_model=model, estimate_options={"seed": seed})
            found = int(res.persons["person_id"].nunique())
            est = res.summary.estimate
            if est is None:  # pragma: no cover - a count model was given
                raise LinkageError("the dedup gave no estimate")
            true = len(set(truth))
            lo, hi = est.interval
            rows.append({"seed": seed, "true": true, "found": found, "estimate": est.estimate,
                         "interval": [lo, hi], "covers": bool(lo <= true <= hi)})
        err = np.array([100.0 * (r["estimate"] - r["true"]) / r["true"] for r in rows])
        ferr = np.array([100.0 * (r["found"] - r["true"]) / r["true"] for r in rows])
        width = np.array([100.0 * (r["interval"][1] - r["interval"][0]) / r["true"] for r in rows])
        out["scenarios"].append({
            "error_scale": scale,
            "coverage": float(np.mean([r["covers"] for r in rows])),
            "estimate_error_pct": _stats(err),
            "found_error_pct": _stats(ferr),
            "interval_width_pct": _stats(width),
            "runs": rows,
        })
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def _stats(x: np.ndarray) -> Mapping[str, float]:
    return {"mean": round(float(x.mean()), 3), "sd": round(float(x.std(ddof=1)) if len(x) > 1 else 0.0, 3),
            "min": round(float(x.min()), 3), "max": round(float(x.max()), 3),
            "mean_abs": round(float(np.abs(x).mean()), 3)}
