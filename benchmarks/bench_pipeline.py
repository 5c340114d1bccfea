"""Throughput of the data path: normalise + encode, compare, and the whole dedup.

Writes a JSON result (default: benchmarks/results/pipeline.json). ``--quick``
runs a small size so CI can keep the script from rotting.

    python benchmarks/bench_pipeline.py            # full: 1 decade of reports
    python benchmarks/bench_pipeline.py --quick
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import numpy as np

import linkage
from linkage.compare import HAVE_NUMBA, dice_upper_triangle
from linkage.normalise import normalise_records
from linkage.store import RegistryRecords
from linkage.synth import generate, reporter_tables


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes for CI")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "pipeline.json")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    years = (2022,) if args.quick else tuple(range(2013, 2023))
    schema = linkage.default_schema()
    key = linkage.generate_linkage_key()
    data = generate(seed=args.seed, years=years)
    tables = reporter_tables(data)
    n = sum(len(t) for t in tables.values())

    t0 = time.perf_counter()
    normalised = [normalise_records(t, schema) for t in tables.values()]
    t_norm = time.perf_counter() - t0
    t0 = time.perf_counter()
    encoded = [linkage.encode_records(nr, schema, key) for nr in normalised]
    t_enc = time.perf_counter() - t0
    filters = np.concatenate([e.filters for e in encoded])

    results: dict[str, object] = {
        "benchmark": "pipeline",
        "quick": args.quick,
        "records": n,
        "normalise_records_per_s": round(n / t_norm),
        "encode_records_per_s": round(n / t_enc),
    }
    kernels = ["numpy"] + (["numba"] if HAVE_NUMBA else [])
    sample = filters[: min(len(filters), 3000 if args.quick else 6000)]
    m = len(sample)
    for k in kernels:
        dice_upper_triangle(sample[:50], schema.review_threshold, kernel=k)  # warm-up / JIT
        t0 = time.perf_counter()
        dice_upper_triangle(sample, schema.review_threshold, kernel=k)
        dt = time.perf_counter() - t0
        results[f"compare_pairs_per_s_{k}"] = round(m * (m - 1) / 2 / dt)
    recs = RegistryRecords(
        reporter=np.array(["r"] * n), record_id=np.array([f"{i:032x}" for i in range(n)]),
        submission_id=np.array(["s" * 32] * n), presence=np.concatenate([e.presence for e in encoded]),
        filters=filters,
    )
    t0 = time.perf_counter()
    res = linkage.dedup_records(recs, schema)
    results["dedup_seconds"] = round(time.perf_counter() - t0, 3)
    results["unique_persons_found"] = res.summary.unique_persons
    results["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["machine"] = {"python": platform.python_version(), "cpu": platform.machine()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
