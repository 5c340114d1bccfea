"""Privacy benchmark: the hardening sweep with the attack suite; writes benchmarks/results/privacy.json and .html.

    python benchmarks/privacy/run_privacy.py            # 10,000 persons, every setting
    python benchmarks/privacy/run_privacy.py --quick    # what CI runs

Uses only the public API (the same code as ``linkage privacy-report``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from linkage.privacy import default_settings, privacy_html, privacy_sweep


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results")
    args = ap.parse_args(argv)
    n = args.population or (2000 if args.quick else 10_000)
    results = privacy_sweep(default_settings(quick=args.quick), population=n, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "privacy.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "privacy.html").write_text(privacy_html(results))
    for name, r in results["settings"].items():
        print(name, {k: round(v["full_tuple"], 4) for k, v in r["attacks"].items()}, round(r["quality"]["f1"], 3))
    return results


if __name__ == "__main__":
    main()
