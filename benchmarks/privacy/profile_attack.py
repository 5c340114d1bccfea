"""The profile graph attack (issue 17) at register overlaps 100/50/20%: writes benchmarks/results/profile_attack.json.

    python benchmarks/privacy/profile_attack.py           # 3,000 persons per population, 16 attacker keys (~50 min)
    python benchmarks/privacy/profile_attack.py --quick   # what CI runs: 300 persons, 4 attacker keys

Two populations (``linkage.synth``, and the held-out generator's ``decade``
family: other name cultures and frequency laws), two victim keys, each
setting's worst case. The attacker encodes its own plaintext register with the
public encoder under keys of its own (see ``linkage.privacy._profile_graph``).
Settings: ``old-default`` (the default before issue 17) and ``default`` (today's
``linkage.default_schema()``). ``linkage privacy-report --profile-results`` embeds
the JSON in the DPIA page. Uses only the public API.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from linkage.privacy import profile_attack_report


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--keys", type=int, default=None, help="attacker keys (default 16, quick 4)")
    ap.add_argument("--settings", default="old-default,default")
    ap.add_argument("--overlaps", default="1,0.5,0.2")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    results = profile_attack_report(
        population=args.population or (300 if args.quick else 3000),
        attacker_keys=args.keys or (4 if args.quick else 16),
        overlaps=tuple(float(x) for x in args.overlaps.split(",")),
        settings=tuple(args.settings.split(",")),
    )
    results["quick"] = args.quick
    results["seconds"] = round(time.perf_counter() - t0, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "profile_attack.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, entry in results["settings"].items():
        print(name, {s: (round(100 * w["full_tuple"], 1), round(100 * w["nationality"], 1))
                     for s, w in entry["worst"].items()})
    return results


if __name__ == "__main__":
    main()
