"""Today's count method on the frozen held-out scenarios: writes benchmarks/results/heldout.json.

    python benchmarks/quality/heldout.py                      # every held-out data set (no 1M run)
    python benchmarks/quality/heldout.py --include-1m         # ... and the 1,000,000-report run
    python benchmarks/quality/heldout.py --quick              # what CI runs (a few data sets)
    python benchmarks/quality/heldout.py --families siblings,febrl --limit 10

For each family (benchmarks/quality/heldout/scenarios.json) and each held-out
data set: regenerate it and check its SHA-256 against the frozen one (a
mismatch stops the run), encode every reporter table under a fresh key with
the built-in profile, deduplicate each year on its own with the bundled count
model, and compare with the truth: found-count error, estimate error, whether
the 95% interval covers the true count, interval width, pairwise
precision/recall/F1, and the plaintext exact-key baseline's F1 on the same
records. The decade and the large runs are also deduplicated in one run
(total unique persons, persons new per year). Only the public API is used.

``--dev`` runs the development seeds instead (the ones tuning may use).
Keys: a fresh random key per data set, or with ``--key-seed N`` one derived
from (N, family, data set) for a reproducible rerun.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import linkage
from linkage.evaluate import heldout

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "heldout" / "scenarios.json"
DEFAULT_OUT = HERE.parent / "results" / "heldout.json"
QUICK = {"base": 1, "missing_fields": 1, "febrl": ("1/19001",), "decade": 1}


def _key(key_seed: int | None, family: str, dataset: str) -> linkage.LinkageKey:
    if key_seed is None:
        return linkage.generate_linkage_key()
    return linkage.LinkageKey(hashlib.sha256(f"heldout-key/{key_seed}/{family}/{dataset}".encode()).digest())


def _fmt(v: Any, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def _answer_cols(s: dict[str, Any], size: str = "150") -> dict[str, Any]:
    a = (s.get("answers") or {}).get(size)
    if not a:
        return {"answers_coverage_pct": None, "answers_mae_pct": None, "answers_worst_pct": None}
    return {"answers_coverage_pct": 100.0 * a["coverage"], "answers_mae_pct": a["estimate_error_pct"]["mean_abs"],
            "answers_worst_pct": a["estimate_error_pct"]["worst_abs"]}


def table_rows(families: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, fam in families.items():
        s = fam["summary"]
        rows.append({
            "family": name, "datasets": s["datasets"], "years": s["years"],
            "coverage_pct": None if s["coverage"] is None else 100.0 * s["coverage"],
            "estimate_mae_pct": s["estimate_error_pct"]["mean_abs"],
            "estimate_worst_pct": s["estimate_error_pct"]["worst_abs"],
            "estimate_mean_pct": s["estimate_error_pct"]["mean"],
            "found_mean_pct": s["found_error_pct"]["mean"],
            "width_mean_pct": s["width_pct_mean"],
            "f1_encoded": s["f1_mean"], "f1_plaintext": s["plain_f1_mean"],
            "f1_at_least_plain_pct": None if s["f1_at_least_plain"] is None else 100.0 * s["f1_at_least_plain"],
            **_answer_cols(s),
        })
    return rows


def print_table(rows: list[dict[str, Any]], families: dict[str, Any]) -> None:
    head = (f"{'family':22} {'sets':>5} {'years':>5} {'cover':>6} {'MAE':>6} {'worst':>7} {'mean':>7} "
            f"{'found':>7} {'width':>6} {'F1 enc':>7} {'F1 pl':>6} {'enc>=pl':>7} "
            f"{'cov150':>6} {'MAE150':>6} {'wst150':>6}")
    print(head)
    for r in rows:
        print(f"{r['family']:22} {r['datasets']:>5} {r['years']:>5} {_fmt(r['coverage_pct'], '.0f'):>5}% "
              f"{_fmt(r['estimate_mae_pct'], '.2f'):>5}% {_fmt(r['estimate_worst_pct'], '.2f'):>6}% "
              f"{_fmt(r['estimate_mean_pct'], '+.2f'):>6}% {_fmt(r['found_mean_pct'], '+.2f'):>6}% "
              f"{_fmt(r['width_mean_pct'], '.1f'):>5}% {_fmt(r['f1_encoded'], '.3f'):>7} "
              f"{_fmt(r['f1_plaintext'], '.3f'):>6} {_fmt(r['f1_at_least_plain_pct'], '.0f'):>6}% "
              f"{_fmt(r['answers_coverage_pct'], '.0f'):>5}% {_fmt(r['answers_mae_pct'], '.2f'):>5}% "
              f"{_fmt(r['answers_worst_pct'], '.2f'):>5}%")
    for name, fam in families.items():
        one = fam["summary"].get("one_run")
        if one:
            print(f"{name} in one run ({one['runs']} run(s)): estimate error mean "
                  f"{_fmt(one['estimate_error_pct']['mean'], '+.2f')}% "
                  f"(worst {_fmt(one['estimate_error_pct']['worst_abs'], '.2f')}%), "
                  f"coverage {_fmt(None if one['coverage'] is None else 100 * one['coverage'], '.0f')}%, "
                  f"found error mean {_fmt(one['found_error_pct']['mean'], '+.2f')}%, "
                  f"new persons per year: worst found error "
                  f"{_fmt(one['found_new_per_year_error_pct']['worst_abs'], '.2f')}%, estimated: mean abs "
                  f"{_fmt(one.get('estimated_new_per_year_error_pct', {}).get('mean_abs'), '.2f')}% worst "
                  f"{_fmt(one.get('estimated_new_per_year_error_pct', {}).get('worst_abs'), '.2f')}%, "
                  f"F1 {_fmt(one['f1_mean'], '.3f')} (plaintext {_fmt(one['plain_f1_mean'], '.3f')})")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a few data sets (what CI runs)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--scenarios", type=Path, default=SCENARIOS)
    ap.add_argument("--families", default=None, help="comma-separated family names (default: all)")
    ap.add_argument("--limit", type=int, default=None, help="at most this many data sets per family")
    ap.add_argument("--dev", action="store_true", help="the development seeds instead of the held-out ones")
    ap.add_argument("--include-1m", action="store_true", help="also the 1,000,000-report run (hours on 2 cores)")
    ap.add_argument("--key-seed", type=int, default=None, help="derive each data set's key from this seed")
    args = ap.parse_args(argv)

    scen = heldout.load_scenarios(args.scenarios)
    wanted = None if args.families is None else [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = sorted(set(wanted or []) - set(scen.families))
    if unknown:
        raise SystemExit(f"unknown famil{'y' if len(unknown) == 1 else 'ies'}: {', '.join(unknown)}")
    schema = linkage.default_schema()
    t_start = time.perf_counter()
    try:
        families, skipped = heldout.run_heldout(
            scen, families=wanted, limit=args.limit, dev=args.dev, include_1m=args.include_1m,
            key_for=lambda name, ds: _key(args.key_seed, name, ds), schema=schema,
            quick=QUICK if args.quick else None, progress=lambda m: print(m, file=sys.stderr, flush=True),
            after_family=lambda fams, skip: _write(args, scen, schema, fams, skip, t_start, argv, done=False),
        )
    except linkage.LinkageError as exc:
        raise SystemExit(str(exc)) from None
    out = _write(args, scen, schema, families, skipped, t_start, argv, done=True)
    print_table(out["table"], families)
    return out


def _write(args: argparse.Namespace, scen: heldout.Scenarios, schema: linkage.Schema, families: dict[str, Any],
           skipped: list[dict[str, str]], t_start: float, argv: list[str] | None, *, done: bool) -> dict[str, Any]:
    """Write the results so far (after every family, so a long run loses nothing)."""
    rows = table_rows(families)
    out: dict[str, Any] = {
        "suite": "heldout",
        "quick": args.quick,
        "seeds": "dev" if args.dev else "heldout",
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "command": "python benchmarks/quality/heldout.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "scenarios": {"version": scen.version,
                      "sha256": hashlib.sha256(args.scenarios.read_bytes()).hexdigest()},
        "schema": {"name": schema.name, "fingerprint": schema.fingerprint},
        "keys": "derived from --key-seed" if args.key_seed is not None else "a fresh random key per data set",
        "linkage_version": linkage.__version__,
        "python": platform.python_version(),
        "seconds": round(time.perf_counter() - t_start, 1),
        "complete": done,
        "table": rows,
        "skipped": skipped,
        "families": families,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(out, indent=1) + "\n")
    tmp.replace(args.out)
    return out


if __name__ == "__main__":
    main()
