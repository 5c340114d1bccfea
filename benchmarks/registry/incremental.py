"""A simulated decade arriving month by month: incremental links against one full re-run.

Every month each reporter sends one signed submission with that month's reports
(``linkage.synth``, all six reporter types); the registry ingests the month's files in one
run and links. At the end a fresh registry ingests every file at once and links in full.
The two must put the records into the same persons. Writes JSON with the sizes, the time
of each link and the result of the comparison.

    python benchmarks/registry/incremental.py --scale 1.0 --out benchmarks/results/registry-incremental.json
    python benchmarks/registry/incremental.py --quick
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--first-year", type=int, default=2013)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="Scale 0.05 over two years.")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.quick:
        args.scale, args.years = 0.05, 2

    import linkage
    from linkage.encode import generate_linkage_key
    from linkage.registry import ingest, init_registry, link, persons_table
    from linkage.submission import parse_period
    from linkage.synth import generate

    schema = linkage.default_schema()
    key = generate_linkage_key()
    t0 = time.perf_counter()
    data = generate(seed=args.seed, years=tuple(range(args.first_year, args.first_year + args.years)),
                    scale=args.scale).reports
    data["month"] = data["report_date"].str[:7]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "trusted").mkdir()
        sks = {}
        for r in sorted(set(data["reporter"])):
            sk = linkage.generate_signing_key()
            linkage.write_signing_key(sk, work / f"{r}.key", work / "trusted" / f"{r}.pub")
            sks[r] = sk
        months: list[list[Path]] = []
        for month, df in sorted(data.groupby("month")):
            files = []
            for r, part in sorted(df.groupby("reporter")):
                out = work / "subs" / f"{r}-{month}.lnk"
                out.parent.mkdir(exist_ok=True)
                enc = linkage.encode_dataframe(part.reset_index(drop=True), schema, key)
                linkage.write_submission(out, enc, schema, reporter_id=str(r), signing_key=sks[r],
                                         period=parse_period(str(month)))
                files.append(out)
            months.append(files)
        encode_s = time.perf_counter() - t0

        def fresh(name: str) -> Any:
            reg = init_registry(work / name, schema)
            for r in sks:
                reg.add_reporter(r, work / "trusted" / f"{r}.pub", r if r != "care_coordinator" else r)
            return reg

        inc = fresh("incremental.sqlite")
        link_s: list[float] = []
        ingest_s: list[float] = []
        events: dict[str, int] = {}
        for files in months:
            t = time.perf_counter()
            ingest(inc, files)
            ingest_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            res = link(inc)
            link_s.append(time.perf_counter() - t)
            for k, v in res.events.items():
                events[k] = events.get(k, 0) + v
        a = persons_table(inc)
        full = fresh("full.sqlite")
        t = time.perf_counter()
        ingest(full, [f for files in months for f in files])
        link(full, full=True)
        full_s = time.perf_counter() - t
        b = persons_table(full)

        def part(df: Any) -> set[frozenset[str]]:
            return {frozenset(f"{x}/{y}" for x, y in zip(g["reporter"], g["record_id"], strict=True))
                    for _, g in df.groupby("person_id")}

        pa, pb = part(a), part(b)
        rerun = link(inc, full=True)
        res_json = {
            "scale": args.scale, "years": args.years, "months": len(months),
            "submissions": sum(len(f) for f in months), "records": int(len(a)),
            "persons_incremental": len(pa), "persons_full": len(pb), "equal": pa == pb,
            "persons_differing": len(pa ^ pb),
            "full_rerun_in_place_events": dict(rerun.events),
            "person_events_incremental": events,
            "encode_seconds": round(encode_s, 1),
            "ingest_seconds_total": round(sum(ingest_s), 1),
            "link_seconds_total": round(sum(link_s), 1),
            "link_seconds_last_month": round(link_s[-1], 3),
            "full_ingest_and_link_seconds": round(full_s, 1),
            "command": "python benchmarks/registry/incremental.py "
                       + " ".join(argv if argv is not None else sys.argv[1:]),
        }
        inc.close()
        full.close()
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(res_json, indent=2) + "\n")
    print(json.dumps(res_json, indent=2))
    return res_json


if __name__ == "__main__":
    main()
