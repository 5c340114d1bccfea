"""`linkage dedup` at scale: time, peak memory, pairs compared and blocking completeness, per size.

For each size N (default 10,000, 100,000 and 1,000,000 synthetic reports: the
2022 reporter mix of ``linkage.synth`` scaled) it

1. generates the reports and encodes each reporter's table from its DataFrame
   (``linkage.encode_dataframe``: normalise + encode; records/s reported) and
   writes signed submissions;
2. runs ``python -m linkage dedup`` on them in a child process, end to end
   (verify, store, block, compare, classify, cluster, estimate, outputs), and
   records its wall-clock time, CPU seconds and peak resident memory (``wait4``), the
   pairs it compared and its blocking;
3. measures the blocking in this process on the same records: the share of
   true duplicate pairs (the generator's truth) scoring at least the candidate
   floor that the LSH blocking compares, and, up to ``--all-pairs-up-to``
   records, the share of the all-pairs run's match (and match + review)
   decisions it compares, with both runs' times and estimates.

The load average is recorded beside every number: the machine is shared.

    python benchmarks/speed/dedup.py                       # 10k, 100k, 1M
    python benchmarks/speed/dedup.py --sizes 10000 100000  # without the million
    python benchmarks/speed/dedup.py --quick               # what CI runs (2,000 reports)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import linkage
from linkage.block import HammingLSH, pair_completeness
from linkage.compare import dice_pairs, kernel_info, mark_blocks
from linkage.records import RegistryRecords

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {"seconds": 60.0, "peak_rss_gib": 4.0, "completeness": 0.995}


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _prepare(n: int, seed: int, work: Path) -> dict[str, Any]:
    """Synthetic reports -> per-reporter DataFrames -> encoded filters and signed submissions."""
    from linkage.submission import generate_signing_key, write_signing_key
    from linkage.synth import generate, reporter_tables

    schema = linkage.default_schema()
    key = linkage.generate_linkage_key()
    data = generate(seed=seed, n_reports=n)
    tables = reporter_tables(data)
    trusted = work / "trusted"
    trusted.mkdir(parents=True, exist_ok=True)
    subs: list[Path] = []
    filters, presence, cases = [], [], []
    enc_s = 0.0
    for reporter, table in sorted(tables.items()):
        t0 = time.perf_counter()
        enc = linkage.encode_dataframe(table, schema, key)
        enc_s += time.perf_counter() - t0
        sk = generate_signing_key()
        write_signing_key(sk, work / f"{reporter}.key", trusted / f"{reporter}.pub")
        path = work / f"{reporter}.lnk"
        linkage.write_submission(path, enc, schema, reporter_id=reporter, signing_key=sk)
        subs.append(path)
        filters.append(enc.filters)
        presence.append(enc.presence)
        cases.append(table["case_ref"].to_numpy())
    person = data.reports.set_index("case_ref")["person_id"]
    case = np.concatenate(cases)
    return {
        "schema": schema, "subs": subs, "trusted": trusted,
        "filters": np.ascontiguousarray(np.concatenate(filters)), "presence": np.concatenate(presence),
        "person": person.reindex(case).to_numpy(), "encode_seconds": enc_s,
    }


def _run_child(subs: list[Path], trusted: Path, out: Path, extra: list[str]) -> dict[str, Any]:
    """``python -m linkage dedup`` in a child process: wall time, and its own peak RSS (``wait4``)."""
    cmd = [sys.executable, "-m", "linkage", "dedup", *map(str, subs), "--trusted-keys", str(trusted),
           "--out", str(out), "--json", *extra]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    load0 = _load()
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=so, stderr=se, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        stdout, stderr = so.read(), se.read()
    if proc.returncode != 0:
        raise RuntimeError(f"linkage dedup failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    summary = json.loads(stdout)
    return {"command": " ".join(["linkage", "dedup", "<submissions>", *extra]), "seconds": round(wall, 2),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1), "blocking": manifest["parameters"]["blocking"],
            "unique_persons": summary["unique_persons"],
            "estimate": (summary.get("estimate") or {}).get("estimate"), "load_before": load0, "load_after": _load()}


def _compared(marked: npt.NDArray[np.uint32], li: npt.NDArray[np.int64], ri: npt.NDArray[np.int64]) -> npt.NDArray[
    np.bool_
]:
    """Whether the blocking compares each pair: equal keys in some pass whose block was not skipped."""
    out = np.zeros(len(li), bool)
    for s in range(0, len(li), 200_000):
        a, b = marked[li[s:s + 200_000]], marked[ri[s:s + 200_000]]
        out[s:s + 200_000] = ((a == b) & ((a >> np.uint32(31)) == 0)).any(axis=1)
    return out


def _true_pairs(person: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    order = np.argsort(person, kind="stable")
    p = person[order]
    li: list[npt.NDArray[np.int64]] = []
    ri: list[npt.NDArray[np.int64]] = []
    d = 1
    while d < len(p):
        same = np.flatnonzero(p[:-d] == p[d:])
        if not len(same):
            break
        li.append(order[same])
        ri.append(order[same + d])
        d += 1
    if not li:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.concatenate(li), np.concatenate(ri)
    return np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)


def _quality(prep: dict[str, Any], n: int, all_pairs_up_to: int) -> dict[str, Any]:
    """The LSH blocking on these records against the truth and, when affordable, against all pairs."""
    f, presence = prep["filters"], prep["presence"]
    recs = RegistryRecords(reporter=np.array(["r"] * n), record_id=np.array([f"{i:032x}" for i in range(n)]),
                           submission_id=np.array(["s"] * n), presence=presence, filters=f)
    lsh = HammingLSH()
    plan = lsh.plan(recs, min_score=0.6)
    marked = mark_blocks(plan.band, plan.group, plan.keyset, plan.active, lsh.max_block)
    li, ri = _true_pairs(prep["person"])
    score = dice_pairs(f, li, ri)
    out: dict[str, Any] = {"blocking": lsh.to_json(), "true_pairs": int(len(li))}
    for floor in (0.6, 0.68):
        sel = score >= floor
        hit = _compared(marked, li[sel], ri[sel])
        out[f"true_pairs_at_least_{floor}"] = int(sel.sum())
        out[f"true_pair_completeness_at_least_{floor}"] = round(float(hit.mean()) if sel.any() else 1.0, 5)
    if n <= all_pairs_up_to:
        schema = prep["schema"]
        runs = {}
        for name in ("none", "lsh"):
            t0 = time.perf_counter()
            runs[name] = linkage.dedup_records(recs, schema, blocking=name)
            runs[name + "_seconds"] = round(time.perf_counter() - t0, 2)
        a = runs["none"].pairs
        for label, sel in (("match", a.decision == 2), ("match_or_review", a.decision >= 1)):
            la, ra = a.left.to_numpy()[sel], a.right.to_numpy()[sel]
            hit = _compared(marked, la, ra)
            out[f"all_pairs_{label}"] = int(sel.sum())
            out[f"completeness_{label}"] = round(float(hit.mean()) if sel.any() else 1.0, 5)
        b = runs["lsh"].pairs
        out["lsh_decisions_equal_pairs"] = round(pair_completeness(
            (b.left[b.decision == 2], b.right[b.decision == 2]),
            (a.left[a.decision == 2], a.right[a.decision == 2]), n), 5)
        for name in ("none", "lsh"):
            r = runs[name]
            est = r.summary.estimate
            out[f"in_process_{name}"] = {"seconds": runs[name + "_seconds"], "compared": r.blocking["compared"],
                                         "unique_persons": r.summary.unique_persons,
                                         "estimate": None if est is None else est.estimate, "load": _load()}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--quick", action="store_true", help="one small size, for CI")
    ap.add_argument("--all-pairs-up-to", type=int, default=100_000,
                    help="also run all pairs (for completeness against its decisions) up to this size")
    ap.add_argument("--workers", type=int, default=None, help="--workers for linkage dedup (default: all cores)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "dedup.json")
    args = ap.parse_args(argv)
    sizes = [2_000] if args.quick else args.sizes
    results: list[dict[str, Any]] = []
    extra = ["--workers", str(args.workers)] if args.workers else []
    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
        for n in sizes:
            work = Path(tmp) / str(n)
            work.mkdir()
            load0 = _load()
            prep = _prepare(n, args.seed, work)
            row: dict[str, Any] = {"records": n, "encode_records_per_s": round(n / prep["encode_seconds"]),
                                   "encode_load": load0, "runs": []}
            modes = [["--blocking", "auto"]]
            if args.quick:
                modes.append(["--blocking", "lsh"])
            for mode in modes:
                row["runs"].append(_run_child(prep["subs"], prep["trusted"], work / f"out-{mode[-1]}", mode + extra))
            row["quality"] = _quality(prep, n, 2_000 if args.quick else args.all_pairs_up_to)
            results.append(row)
            print(json.dumps(row), flush=True)
    big = [r for r in results if r["records"] >= 1_000_000]
    targets = []
    for r in big:
        run = r["runs"][0]
        q = r["quality"]
        targets += [
            {"name": "linkage dedup, 1M records, seconds", "target": TARGETS["seconds"], "value": run["seconds"],
             "met": run["seconds"] <= TARGETS["seconds"], "load": run["load_after"]},
            {"name": "linkage dedup, 1M records, peak RSS GiB", "target": TARGETS["peak_rss_gib"],
             "value": round(run["peak_rss_mib"] / 1024, 2),
             "met": run["peak_rss_mib"] / 1024 <= TARGETS["peak_rss_gib"]},
            {"name": "blocking completeness (true pairs >= 0.68), 1M", "target": TARGETS["completeness"],
             "value": q["true_pair_completeness_at_least_0.68"],
             "met": q["true_pair_completeness_at_least_0.68"] >= TARGETS["completeness"]},
        ]
    doc = {"benchmark": "dedup", "quick": bool(args.quick), "results": results, "targets": targets,
           "machine": {"python": platform.python_version(), "cpu": platform.machine(), "cores": os.cpu_count()},
           "kernel": kernel_info().message,
           "load_at_end": _load()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    return doc


if __name__ == "__main__":
    main()
