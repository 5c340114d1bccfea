"""Linkage quality cost of the default hardening over many synthetic years: writes benchmarks/results/f1_gap.json.

    python benchmarks/privacy/f1_gap.py            # 20 synthetic years (seeds 1-20), about 20 s
    python benchmarks/privacy/f1_gap.py --quick    # what CI runs (2 years)

Both the default profile and its unhardened comparison profile deduplicate every
year with their bundled count models; the gap is unhardened F1 minus default F1.
The privacy sweep measures one data set; this shows how much the gap moves.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import linkage
from linkage.evaluate import evaluate_synthetic
from linkage.synth import generate


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--datasets", type=int, default=20)
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results")
    args = ap.parse_args(argv)
    seeds = list(range(1, (2 if args.quick else args.datasets) + 1))
    f1: dict[str, list[float]] = {"unhardened": [], "default": []}
    for seed in seeds:
        data = generate(seed=seed, years=(args.year,))
        for name, hardened in (("unhardened", False), ("default", True)):
            f1[name].append(float(evaluate_synthetic(data, linkage.default_schema(hardened=hardened))["f1"]))
    gap = np.array(f1["unhardened"]) - np.array(f1["default"])
    results = {
        "quick": args.quick, "year": args.year, "seeds": seeds, "f1": f1,
        "mean_f1": {k: float(np.mean(v)) for k, v in f1.items()},
        "gap_mean": float(gap.mean()),
        "gap_se": float(gap.std(ddof=1) / np.sqrt(len(gap))) if len(gap) > 1 else None,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "f1_gap.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"F1 unhardened {results['mean_f1']['unhardened']:.3f}, default {results['mean_f1']['default']:.3f}, "
          f"gap {results['gap_mean']:.4f} over {len(seeds)} synthetic years")
    return results


if __name__ == "__main__":
    main()
