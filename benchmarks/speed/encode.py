"""Encoding throughput from a DataFrame (normalise + encode), with clkhash beside it when installed.

``linkage.encode_dataframe`` on the synthetic reporters' tables, for the default (hardened) profile and
the unhardened one, split into normalisation and encoding; clkhash 0.18 (five raw fields into a
1,024-bit record-level filter, as the field does it today) in the same run when it can be imported,
else skipped with the reason in the JSON (clkhash pins ``cryptography<41``, which cannot share an
environment with linkage's ``>=42``: run it from a separate virtual environment that has both).

    python benchmarks/speed/encode.py                 # 200,000 reports
    python benchmarks/speed/encode.py --quick         # what CI runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import pandas as pd

import linkage
from linkage.normalise import normalise_records

ROOT = Path(__file__).resolve().parents[2]


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _clkhash(df: pd.DataFrame) -> tuple[Any, str]:
    try:
        from clkhash import clk, randomnames  # noqa: F401
        from clkhash.schema import from_json_dict
    except ImportError as exc:
        return None, (f"clkhash is not installed ({exc}); it pins cryptography<41 and cannot share linkage's "
                      "environment: run this script in a separate venv with clkhash to compare")
    fields = [{"identifier": name, "format": {"type": "string", "encoding": "utf-8"},
               "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}}}
              for name in ("given_names", "surname", "date_of_birth", "nationality", "sex")]
    schema = from_json_dict({"version": 3, "clkConfig": {"l": 1024, "kdf": {"type": "HKDF"}}, "features": fields})
    rows = df[["given_names", "surname", "date_of_birth", "nationality", "sex"]].fillna("").astype(str)

    def run() -> int:
        return len(clk.generate_clks(rows.values.tolist(), schema, "secret"))

    return run, "clkhash"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--quick", action="store_true", help="2,000 reports, for CI")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "encode.json")
    args = ap.parse_args(argv)
    from linkage.synth import generate, reporter_tables

    n_req = 2_000 if args.quick else args.records
    df = pd.concat(list(reporter_tables(generate(seed=args.seed, n_reports=n_req)).values()), ignore_index=True)
    n = len(df)
    key = linkage.generate_linkage_key()
    results: list[dict[str, Any]] = []
    for profile, schema in (("default (hardened)", linkage.default_schema()),
                            ("unhardened", linkage.default_schema(hardened=False))):
        linkage.encode_dataframe(df.head(50), schema, key)  # warm-up
        load0 = _load()
        t0 = time.perf_counter()
        norm = normalise_records(df, schema)
        t1 = time.perf_counter()
        linkage.encode_records(norm, schema, key)
        t2 = time.perf_counter()
        results.append({"encoder": "linkage", "profile": profile, "records": n,
                        "records_per_s": round(n / (t2 - t0)), "normalise_records_per_s": round(n / (t1 - t0)),
                        "encode_records_per_s": round(n / (t2 - t1)), "seconds": round(t2 - t0, 3),
                        "load_before": load0, "load_after": _load()})
    run, note = _clkhash(df)
    if run is not None:
        load0 = _load()
        t0 = time.perf_counter()
        run()
        dt = time.perf_counter() - t0
        results.append({"encoder": "clkhash", "profile": "5 raw fields, 1,024 bits", "records": n,
                        "records_per_s": round(n / dt), "seconds": round(dt, 3), "load_before": load0,
                        "load_after": _load()})
    doc = {"benchmark": "encode", "quick": bool(args.quick), "results": results,
           "clkhash": note if run is None else "ran",
           "target": {"name": "encoding records/s end to end from a DataFrame", "value": 1_000_000,
                      "met": any(r["records_per_s"] >= 1_000_000 for r in results if r["encoder"] == "linkage")},
           "machine": {"python": platform.python_version(), "cpu": platform.machine(), "cores": os.cpu_count()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))
    return doc


if __name__ == "__main__":
    main()
