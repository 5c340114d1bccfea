"""Freeze the held-out scenarios: write scenarios.json with every held-out data set's SHA-256.

    python benchmarks/quality/heldout/freeze.py            # refuses to overwrite an existing file
    python benchmarks/quality/heldout/freeze.py --check    # regenerate and compare, write nothing

Run once, before anyone tunes the count method. Never re-freeze to make a
failing hash test pass: a changed hash means the generator changed, and the
held-out results are no longer comparable. A deliberate new version of the
scenarios gets a new ``version`` and new held-out seeds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

from linkage.evaluate.heldout import FAMILIES, dataset_sha256, family_dataset

HERE = Path(__file__).resolve().parent
VERSION = 1


def build(families: list[str] | None = None) -> dict[str, object]:
    out = []
    for name, fam in FAMILIES.items():
        if families and name not in families:
            continue
        item = fam.to_dict()
        held = []
        for ds in fam.heldout:
            t0 = time.perf_counter()
            data = family_dataset(fam, ds)
            held.append({"id": ds, "sha256": dataset_sha256(data), "reports": int(data.info["reports"]),
                         "persons": int(data.info["persons"])})
            print(f"{name} {ds}: {held[-1]['reports']} reports, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        item["heldout"] = held
        out.append(item)
    return {
        "version": VERSION,
        "note": "Held-out scenarios for the count method (issue 13). Tune on the 'dev' seeds only; the 'heldout' "
                "data sets are frozen by the SHA-256 of their canonical CSV "
                "(linkage.evaluate.heldout.canonical_csv). See README.md beside this file.",
        "generator": "linkage.evaluate.heldout",
        "families": out,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "scenarios.json")
    ap.add_argument("--check", action="store_true", help="regenerate and compare with --out; write nothing")
    ap.add_argument("--force", action="store_true", help="overwrite an existing file (a new scenario version)")
    args = ap.parse_args(argv)
    if args.check:
        frozen = json.loads(args.out.read_text("utf-8"))
        names = [f["name"] for f in frozen["families"]]
        fresh = build(names)
        bad = [(f["name"], h["id"]) for f, g in zip(frozen["families"], fresh["families"], strict=True)  # type: ignore[call-overload]
               for h, k in zip(f["heldout"], g["heldout"], strict=True) if h["sha256"] != k["sha256"]]
        print(f"{len(bad)} data set(s) differ from the frozen hashes" + (f": {bad}" if bad else ""))
        return 1 if bad else 0
    if args.out.exists() and not args.force:
        print(f"{args.out} exists: the held-out scenarios are frozen (use --check)", file=sys.stderr)
        return 2
    text = json.dumps(build(), indent=1, ensure_ascii=False) + "\n"
    args.out.write_text(text, "utf-8")
    print(f"wrote {args.out} (sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}...)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
