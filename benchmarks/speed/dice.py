"""Dice comparisons per second: the compiled kernels, the numpy reference, and anonlink in the same run.

Filters are the project's own synthetic reports encoded with the default
schema (512-bit filters: record-level, hardened and XOR-folded) and with its
unhardened variant (1024 bits). Every timing is the median of ``--repeats``
runs after a warm-up run (which also compiles the kernels). The load average
of the machine is written next to every number: others may share it.

"Comparisons" are pairs in scope (``n (n - 1) / 2`` for the triangle, ``|A| |B|``
for a rectangle) divided by the time; ``compared_per_s`` counts only the pairs
whose Dice was computed (popcount pruning skips pairs whose popcounts alone
rule out the threshold; the JSON says how many). ``comparisons_per_cpu_s``
divides by the CPU time of this process over all its threads: on a shared
machine it shows what the kernels do with the CPU they got, while the
wall-clock rate is what a user waits for.

anonlink (``pip install '.[bench]'``) compares ``A x B`` on one thread, so it is
set beside our rectangle kernel on the same two halves of the data, and its
candidate pairs are checked against ours.

    python benchmarks/speed/dice.py                 # 40,000 records, both lengths
    python benchmarks/speed/dice.py --quick         # a few seconds, for CI
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import linkage
from linkage.compare import DiceStats, dice_cross, dice_upper_triangle, kernel_info
from linkage.normalise import normalise_records
from linkage.synth import generate, reporter_tables

U64 = npt.NDArray[np.uint64]


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _filters(n: int, seed: int) -> dict[int, U64]:
    """``n`` synthetic reports encoded as 512-bit (default schema) and 1024-bit (unhardened) filters."""
    data = generate(seed=seed, n_reports=int(n * 1.05) + 10)
    tables = list(reporter_tables(data).values())
    key = linkage.generate_linkage_key()
    out: dict[int, U64] = {}
    for schema in (linkage.default_schema(), linkage.default_schema(hardened=False)):
        enc = [linkage.encode_records(normalise_records(t, schema), schema, key) for t in tables]
        f = np.concatenate([e.filters for e in enc])[:n]
        out[64 * f.shape[1]] = np.ascontiguousarray(f)
    return out


@dataclass
class Timing:
    """Median wall-clock seconds of the timed runs, all of them, and the median CPU seconds of this process."""

    wall: float
    walls: list[float]
    cpu: float
    load: list[float]


def _time(fn: Callable[[], Any], repeats: int) -> tuple[Timing, Any]:
    """Warm up once (this also compiles), then ``repeats`` timed runs."""
    result = fn()
    walls, cpus = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return Timing(statistics.median(walls), [round(t, 4) for t in walls], statistics.median(cpus), _load()), result


def _anonlink() -> tuple[Any, str]:
    try:
        with warnings.catch_warnings():  # anonlink 0.15 imports mypy_extensions.TypedDict, deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            import anonlink
            from bitarray import bitarray
    except ImportError as exc:
        return None, f"anonlink is not installed ({exc}); for the side-by-side run: pip install '.[bench]'"

    def run(a: U64, b: U64, t: float) -> tuple[Any, ...]:
        return tuple(anonlink.similarities.dice_coefficient_accelerated((a, b), t))

    def to_bitarrays(f: U64) -> list[Any]:
        out = []
        for row in f.astype("<u8").view(np.uint8).reshape(len(f), -1):
            ba = bitarray(endian="little")
            ba.frombytes(row.tobytes())
            out.append(ba)
        return out

    version = getattr(anonlink, "__version__", "installed")
    return (run, to_bitarrays, version), ""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes for CI (a few seconds)")
    ap.add_argument("--records", type=int, default=None, help="filters per length (default 40,000; quick 1,500)")
    ap.add_argument("--threshold", type=float, default=0.6, help="candidate threshold (default 0.6)")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per measurement (default 5; quick 1)")
    ap.add_argument("--threads", type=int, nargs="+", default=None, help="thread counts (default 1 and all cores)")
    ap.add_argument("--bits", type=int, nargs="+", choices=(512, 1024), default=[512, 1024],
                    help="filter lengths to measure (default both)")
    ap.add_argument("--no-anonlink", action="store_true", help="skip anonlink even when it is installed")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results" / "dice.json")
    args = ap.parse_args(argv)

    n = args.records or (1_500 if args.quick else 40_000)
    repeats = args.repeats or (1 if args.quick else 5)
    t = args.threshold
    info = kernel_info()
    threads = args.threads or sorted({1, info.threads})
    numpy_n = min(n, 600 if args.quick else 4_000)
    anon, anon_skip = (None, "skipped (--no-anonlink)") if args.no_anonlink else _anonlink()

    load_start = _load()
    filters = _filters(n, args.seed)
    rows: list[dict[str, Any]] = []

    def record(bits: int, kernel: str, shape: str, nthreads: int, prune: bool, stats: DiceStats | None,
               pairs: int, tm: Timing, kept: int, **extra: Any) -> None:
        compared = stats.compared if stats is not None else pairs
        row = {
            "bits": bits, "kernel": kernel, "shape": shape, "threads": nthreads, "prune": prune,
            "records": n if shape != "triangle" or kernel != "numpy" else numpy_n,
            "pairs": pairs, "compared": compared, "pruned": pairs - compared, "kept": kept,
            "seconds_median": round(tm.wall, 4), "seconds": tm.walls, "cpu_seconds_median": round(tm.cpu, 4),
            "comparisons_per_s": round(pairs / tm.wall), "compared_per_s": round(compared / tm.wall),
            "comparisons_per_cpu_s": round(pairs / tm.cpu) if tm.cpu > 0 else None,
            "load_after": tm.load, **extra,
        }
        rows.append(row)
        print(f"{bits:5d} bits  {kernel:15s} {shape:9s} threads={nthreads} prune={prune!s:5s} "
              f"{row['comparisons_per_s'] / 1e6:8.1f}M comparisons/s ({compared / tm.wall / 1e6:.1f}M compared/s; "
              f"{pairs / max(tm.cpu, 1e-9) / 1e6:.1f}M per CPU-s), {kept} kept, load {tm.load[0]}", flush=True)

    for bits, f in filters.items():
        if bits not in args.bits:
            continue
        half = len(f) // 2
        a, b = f[:half], f[half:]
        pairs_tri = len(f) * (len(f) - 1) // 2
        for nthreads in threads:
            for prune in (True, False) if nthreads == max(threads) else (True,):
                st = DiceStats()
                tm, res = _time(partial(dice_upper_triangle, f, t, threads=nthreads, prune=prune, stats=st), repeats)
                record(bits, info.kernel, "triangle", nthreads, prune, st, pairs_tri, tm, len(res[0]))
        ours: Any = None
        for nthreads in threads:
            st = DiceStats()
            tm, ours = _time(partial(dice_cross, a, b, t, threads=nthreads, stats=st), repeats)
            record(bits, info.kernel, "rectangle", nthreads, True, st, len(a) * len(b), tm, len(ours[0]))
        sub = f[:numpy_n]
        tm, res = _time(partial(dice_upper_triangle, sub, t, kernel="numpy"), repeats)
        record(bits, "numpy", "triangle", 1, False, None, numpy_n * (numpy_n - 1) // 2, tm, len(res[0]))
        if anon is not None:
            run, to_bitarrays, version = anon
            tm, res = _time(partial(run, to_bitarrays(a), to_bitarrays(b), t), repeats)
            sims, (ia, ib) = res
            theirs = sorted(zip(np.asarray(ia).tolist(), np.asarray(ib).tolist(), np.asarray(sims).tolist(),
                                strict=True))
            mine = list(zip(ours[0].tolist(), ours[1].tolist(), ours[2].tolist(), strict=True))
            record(bits, f"anonlink {version}", "rectangle", 1, True, None, len(a) * len(b), tm, len(theirs),
                   same_pairs_as_ours=theirs == mine)

    def best(bits: int, kernel: str, shape: str) -> float:
        vals = [r["comparisons_per_s"] for r in rows if r["bits"] == bits and r["kernel"].startswith(kernel)
                and r["shape"] == shape and (kernel != info.kernel or r["threads"] == max(threads))]
        return float(max(vals)) if vals else float("nan")

    targets = []
    for bits, goal in ((512, 1_000e6), (1024, 600e6)):
        if bits not in args.bits:
            continue
        got = best(bits, info.kernel, "triangle")
        targets.append({"name": f"{bits}-bit Dice, {max(threads)} threads", "target_per_s": goal,
                        "measured_per_s": got, "met": bool(got >= goal)})
    if anon is not None and 512 in args.bits:
        ratio = best(512, info.kernel, "rectangle") / best(512, "anonlink", "rectangle")
        targets.append({"name": f"512-bit Dice vs anonlink (ours {max(threads)} threads, anonlink 1)",
                        "target_ratio": 4.0, "measured_ratio": round(ratio, 2), "met": bool(ratio >= 4.0)})

    results: dict[str, Any] = {
        "benchmark": "dice",
        "quick": args.quick,
        "records": n,
        "threshold": t,
        "repeats": repeats,
        "kernel": info.message,
        "anonlink": anon[2] if anon is not None else anon_skip,
        "machine": {
            "cpu": _cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": info.numba_version, "popcount": info.popcount,
        },
        "load_at_start": load_start,
        "load_at_end": _load(),
        "results": rows,
        "targets": targets,
    }
    if anon is None:
        print(f"anonlink: {anon_skip}")
    for tg in targets:
        print(f"target {tg['name']}: {'met' if tg['met'] else 'NOT met'} "
              f"({tg.get('measured_per_s', tg.get('measured_ratio'))})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
