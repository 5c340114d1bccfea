"""Coverage of the count estimate: writes benchmarks/results/count_coverage.json.

    python benchmarks/quality/count_coverage.py                 # 100 data sets x 3 error scales
    python benchmarks/quality/count_coverage.py --quick         # what CI runs

One count model (seeds from 10,000) is built for the year, then every data set
(seeds 1..N) is deduplicated and its true count compared with the estimate and
its 95% interval. Error scales multiply the reporters' error rates in the data
only: x1 is a correct model, x0.5 and x2 a wrong one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from linkage.evaluate import count_coverage


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--datasets", type=int, default=100)
    ap.add_argument("--replicates", type=int, default=40)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results")
    args = ap.parse_args(argv)
    n, reps, scales = (3, 4, (1.0, 2.0)) if args.quick else (args.datasets, args.replicates, (1.0, 0.5, 2.0))
    results = count_coverage(year=args.year, seeds=range(1, n + 1), replicates=reps, error_scales=scales)
    results["quick"] = args.quick
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "count_coverage.json").write_text(json.dumps(results, indent=2) + "\n")
    for s in results["scenarios"]:
        e = s["estimate_error_pct"]
        print(f"errors x{s['error_scale']:g}: coverage {100 * s['coverage']:.0f}% over {len(s['runs'])} data sets, "
              f"estimate error mean {e['mean']:+.2f}% sd {e['sd']:.2f}%, "
              f"found error mean {s['found_error_pct']['mean']:+.2f}%, "
              f"interval width {s['interval_width_pct']['mean']:.1f}%")
    return results


if __name__ == "__main__":
    main()
