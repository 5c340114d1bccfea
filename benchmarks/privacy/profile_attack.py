"""The profile graph attack (issue 17) at register overlaps 100/50/20%: writes benchmarks/results/profile_attack.json.

    python benchmarks/privacy/profile_attack.py           # 3,000 persons per population, 16 attacker keys
    python benchmarks/privacy/profile_attack.py --quick   # what CI runs: 300 persons, 4 attacker keys

Two populations (``linkage.synth``, and the held-out generator's ``decade``
family: other name cultures and frequency laws), two victim keys, each
setting's worst case. The attacker encodes its own plaintext register with the
public encoder under keys of its own (see ``linkage.privacy._profile_graph``).
Settings: ``old-default`` (the default before issue 17) and ``default`` (today's
``linkage.default_schema()``), or any named with ``--settings``.
Uses only the public API.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import linkage
from linkage.encode import LinkageKey
from linkage.privacy import (
    OLD_DEFAULT_HARDENING,
    hardened,
    heldout_population,
    overlap_curve,
    synthetic_population,
    worst_curve,
)

VICTIM_KEYS = (
    LinkageKey(bytes.fromhex("707269766163792d73776565702d746573742d6b65792d6e6f742d7265616c21")),
    LinkageKey(bytes(range(32))),
)  # test-only keys, the privacy sweep's


def settings() -> dict[str, linkage.Schema]:
    base = linkage.default_schema()
    return {
        "old-default": hardened(base, OLD_DEFAULT_HARDENING, name="old-default"),
        "default": base,
    }


def populations(n: int | None, quick: bool) -> dict[str, tuple[Any, Any]]:
    size = n or (300 if quick else 3000)
    held = heldout_population(801)
    held_others = heldout_population(802)
    size_h = min(size, len(held), len(held_others))
    return {
        "synth": (synthetic_population(size, seed=1), synthetic_population(size, seed=1001)),
        "heldout": (held.head(size_h).reset_index(drop=True), held_others.head(size_h).reset_index(drop=True)),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--keys", type=int, default=None, help="attacker keys (default 16, quick 4)")
    ap.add_argument("--settings", default="old-default,default")
    ap.add_argument("--overlaps", default="1,0.5,0.2")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results")
    args = ap.parse_args(argv)
    keys = args.keys or (4 if args.quick else 16)
    overlaps = tuple(float(x) for x in args.overlaps.split(","))
    chosen = {k: v for k, v in settings().items() if k in args.settings.split(",")}
    pops = populations(args.population, args.quick)
    t0 = time.perf_counter()
    results: dict[str, Any] = {"quick": args.quick, "attacker_keys": keys, "overlaps": list(overlaps),
                               "victim_keys": [k.key_id for k in VICTIM_KEYS], "settings": {}}
    args.out.mkdir(parents=True, exist_ok=True)
    for name, schema in chosen.items():
        entry: dict[str, Any] = {"hardening": dict(schema.document.get("hardening", {})),
                                 "schema_fingerprint": schema.fingerprint, "populations": {}}
        for pop_name, (pop, others) in pops.items():
            entry["populations"][pop_name] = overlap_curve(pop, others, schema, VICTIM_KEYS, overlaps=overlaps,
                                                           keys=keys)
            print(name, pop_name, {s: {k: round(v, 4) for k, v in r["worst"].items() if k != "key_id"}
                                   for s, r in entry["populations"][pop_name]["overlaps"].items()}, flush=True)
        entry["worst"] = worst_curve(list(entry["populations"].values()))
        entry["spectral_bands_worst"] = max(p["spectral_bands"]["worst"] for p in entry["populations"].values())
        results["settings"][name] = entry
        results["seconds"] = round(time.perf_counter() - t0, 1)
        (args.out / "profile_attack.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
