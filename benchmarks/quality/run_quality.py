"""Linkage quality benchmark: writes benchmarks/results/quality.json and quality.html.

    python benchmarks/quality/run_quality.py            # full: FEBRL1-4, a synthetic decade
    python benchmarks/quality/run_quality.py --quick    # what CI runs

Uses only the public API (the same code as ``linkage evaluate``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from linkage.evaluate import quality_html, run_quality


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results")
    args = ap.parse_args(argv)
    results = run_quality(quick=args.quick, seed=args.seed, baseline=not args.no_baseline)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quality.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "quality.html").write_text(quality_html(results))
    for r in results["runs"]:
        print(r["dataset"], r.get("view", ""), f"F1={r['f1']:.3f}", f"found={r['found_unique']}/{r['true_unique']}")
    return results


if __name__ == "__main__":
    main()
