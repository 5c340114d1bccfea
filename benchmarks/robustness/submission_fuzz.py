"""Fuzzing the submission reader: any byte string gives a verified submission or the library's own error.

Cases start from a real submission and change it the ways a broken or hostile
reporter could: the header's JSON is mutated as data (wrong types, huge and
negative integers, 5,000-digit integers, 1,000-deep nesting, long strings,
missing and extra keys, a malformed embedded schema, bad dropped-cell counts)
or as text (truncated, repeated keys, NaN, invalid UTF-8, deep brackets), then
**re-signed with a trusted reporter's key** -- so the signature check does not
stop it and the reader's own header checks must -- or with an untrusted key,
or not at all; the body and the framing are cut, extended and flipped too.

Exit 3 never: :func:`run_cases` counts every case whose exception is not a
:class:`~linkage.errors.LinkageError`; the test asserts there are none.

``python benchmarks/robustness/submission_fuzz.py`` runs 100,000 cases (the
issue's target) and writes ``submission_fuzz.json`` to ``--out``; ``--quick``
(500 cases) is what CI runs (tests/test_examples_and_benchmarks.py);
tests/test_submission_fuzz.py uses the same cases. Only the public API and the
documented file format (docs/submission-format.md) are used.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import linkage
from linkage.encode import LinkageKey
from linkage.errors import LinkageError

MAGIC = b"LNKSUB\x00\x01"
DOMAIN = b"linkage/submission/v1\x00"  # the signature's domain (docs/submission-format.md)

ROWS = [
    {"initials": "AP", "birth_year": "1994", "nationality": "ROU", "sex": "F"},
    {"initials": "OS", "birth_year": "1999", "nationality": "UKR", "sex": "F"},
    {"initials": "CO", "birth_year": "1988", "nationality": "NGA", "sex": "M"},
]


class Fixture:
    """A valid submission, its parts, a trusted reporter key and an untrusted one."""

    def __init__(self, workdir: Path, *, dropped: bool = True) -> None:
        self.workdir = workdir
        self.trusted_key = Ed25519PrivateKey.generate()
        self.other_trusted = Ed25519PrivateKey.generate()
        self.untrusted = Ed25519PrivateKey.generate()
        self.trusted: dict[str, Ed25519PublicKey] = {
            "police": self.trusted_key.public_key(), "fairwork": self.other_trusted.public_key(),
        }
        schema = linkage.default_schema()
        enc = linkage.encode_dataframe(pd.DataFrame(ROWS), schema, LinkageKey(bytes(range(32))))
        path = workdir / "base.lnk"
        extra: dict[str, Any] = (
            {"dropped_cells": {"initials": 0, "birth_year": 1, "nationality": 0, "sex": 0}} if dropped else {}
        )
        linkage.write_submission(path, enc, schema, reporter_id="police", signing_key=self.trusted_key, **extra)
        data = path.read_bytes()
        hlen = int.from_bytes(data[8:12], "big")
        self.header: dict[str, Any] = json.loads(data[12 : 12 + hlen])
        self.body = data[12 + hlen + 64 :]
        self.original = data
        self.target = workdir / "case.lnk"


def _deep(depth: int, leaf: Any = 0) -> Any:
    v: Any = leaf
    for i in range(depth):
        v = [v] if i % 2 else {"a": v}
    return v


def _random_value(rng: random.Random) -> Any:
    kind = rng.randrange(16)
    if kind == 0:  # replaced by that many digits in the JSON text (Python cannot hold it as an int)
        return f"BIGINT:{rng.choice([20, 21, 300, 4299, 4301, 5000])}"
    if kind == 1:
        return -rng.randrange(1, 10**12)
    if kind == 2:
        return rng.choice([0.5, 1e308, -0.0, 3.0])
    if kind == 3:
        return "x" * rng.choice([0, 1, 41, 1000, 100_000])
    if kind == 4:
        return None
    if kind == 5:
        return rng.choice([True, False])
    if kind == 6:
        return []
    if kind == 7:
        return {}
    if kind == 8:
        return _deep(rng.choice([5, 30, 200, 900]))
    if kind == 9:
        return [rng.randrange(100) for _ in range(rng.randrange(5))]
    if kind == 10:
        return {"name": rng.choice(["initials", "x", 1, None]), "type": rng.choice(["initials", "year", "zzz", 3])}
    if kind == 11:
        return "\u0000\ud7ff\U0001f600é"
    if kind == 12:
        return rng.randrange(0, 2**64)
    if kind == 13:
        return "sha256:" + "0" * 64
    if kind == 14:
        return {"initials": rng.choice([0, -1, 10**9, "3", None]), "nope": 1}
    return rng.randrange(-5, 5)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if len(prefix) >= 8:
        return out
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    parent[path[-1]] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return doc
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif isinstance(parent, list) and parent:
        parent.pop(path[-1])
    return doc


def _mutate_header(rng: random.Random, header: dict[str, Any]) -> bytes:
    doc: Any = copy.deepcopy(header)
    for _ in range(rng.randrange(1, 4)):
        paths = _paths(doc)
        op = rng.randrange(5)
        path = rng.choice(paths)
        if op <= 1:
            doc = _set(doc, path, _random_value(rng))
        elif op == 2:
            doc = _delete(doc, path)
        elif op == 3 and isinstance(doc, dict):
            doc[rng.choice(["extra", "dropped_cells", "schema", "record_count"])] = _random_value(rng)
        else:
            sub = doc.get("schema") if isinstance(doc, dict) else None
            if isinstance(sub, dict):
                key = rng.choice(["fields", "thresholds", "hardening", "filter", "version", "columns", "name"])
                sub[key] = _random_value(rng)
    try:
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        text = json.dumps(header, sort_keys=True, separators=(",", ":"))
    for digits in (20, 21, 300, 4299, 4301, 5000):
        text = text.replace(f'"BIGINT:{digits}"', "9" * digits)
    return _mutate_text(rng, text) if rng.random() < 0.3 else text.encode("utf-8", "surrogatepass")


def _mutate_text(rng: random.Random, text: str) -> bytes:
    op = rng.randrange(9)
    if op == 0:
        return text[: rng.randrange(len(text))].encode()
    if op == 1:  # a repeated key
        return text.replace('{"created"', '{"created":"x","created"', 1).encode()
    if op == 2:
        return text.replace('"record_count":3', '"record_count":NaN', 1).encode()
    if op == 3:
        return text.replace('"record_count":3', '"record_count":1e999', 1).encode()
    if op == 4:
        return text.replace('"record_count":3', '"record_count":' + "1" * 5000, 1).encode()
    if op == 5:
        depth = rng.choice([25, 1000, 100_000])
        return text.replace('"schema":{', '"schema":{"x":' + "[" * depth + "]" * depth + ",", 1).encode()
    if op == 6:
        raw = bytearray(text.encode())
        raw[rng.randrange(len(raw))] = rng.choice([0x80, 0xFF, 0xC0, 0x00])
        return bytes(raw)
    if op == 7:
        return ("[" + text + "]").encode()
    return text.replace('"format_version":1', '"format_version":' + rng.choice(['"1"', "2", "1.0", "true"]),
                        1).encode()


def make_case(rng: random.Random, fx: Fixture) -> bytes:
    """One fuzzed submission file."""
    mode = rng.random()
    header = _mutate_header(rng, fx.header) if mode < 0.85 else json.dumps(
        fx.header, sort_keys=True, separators=(",", ":")).encode()
    if len(header) > (1 << 20):
        header = header[: 1 << 20]
    prefix = MAGIC + len(header).to_bytes(4, "big") + header
    signer = rng.random()
    if signer < 0.75:
        sig = fx.trusted_key.sign(DOMAIN + prefix)
    elif signer < 0.85:
        sig = fx.other_trusted.sign(DOMAIN + prefix)  # trusted, but not the reporter the header names
    elif signer < 0.95:
        sig = fx.untrusted.sign(DOMAIN + prefix)
    else:
        sig = bytes(rng.randrange(256) for _ in range(64))
    body = fx.body
    b = rng.random()
    if b < 0.1:
        body = body[: rng.randrange(len(body) + 1)]
    elif b < 0.15:
        body = body + bytes(rng.randrange(1, 100))
    elif b < 0.2 and body:
        arr = bytearray(body)
        arr[rng.randrange(len(arr))] ^= 0xFF
        body = bytes(arr)
    data = prefix + sig + body
    f = rng.random()
    if f < 0.03:
        data = data[: rng.randrange(len(data))]
    elif f < 0.05:
        data = MAGIC + (0xFFFFFFFF).to_bytes(4, "big") + data[12:]
    elif f < 0.06:
        data = MAGIC + (0).to_bytes(4, "big") + data[12:]
    return data


def run_cases(n: int, seed: int = 0, workdir: Path | None = None, *, dropped: bool = True) -> dict[str, Any]:
    """Run ``n`` cases; counts by outcome, and any case that raised something else (with its seed)."""
    own = workdir is None
    tmp = tempfile.TemporaryDirectory() if own else None
    root = Path(tmp.name) if tmp is not None else Path(workdir)  # type: ignore[arg-type]
    try:
        fx = Fixture(root, dropped=dropped)
        outcomes: Counter[str] = Counter()
        failures: list[dict[str, Any]] = []
        accepted_changed = 0
        t0 = time.perf_counter()
        for i in range(n):
            rng = random.Random(seed * 1_000_003 + i)
            data = make_case(rng, fx)
            fx.target.write_bytes(data)
            try:
                sub = linkage.read_submission(fx.target, fx.trusted)
            except LinkageError as exc:
                outcomes[type(exc).__name__] += 1
                continue
            except BaseException as exc:  # noqa: BLE001 - exactly what the fuzzer looks for
                outcomes["NOT A LIBRARY ERROR: " + type(exc).__name__] += 1
                if len(failures) < 20:
                    failures.append({"case": i, "seed": seed, "error": type(exc).__name__,
                                     "where": traceback.format_exc(limit=-3)})
                continue
            outcomes["accepted"] += 1
            if len(sub) != sub.header.record_count or sub.filters.shape[1] != sub.header.filter_words:
                accepted_changed += 1
        return {
            "cases": n,
            "seed": seed,
            "outcomes": dict(sorted(outcomes.items())),
            "not_library_errors": sum(v for k, v in outcomes.items() if k.startswith("NOT A LIBRARY ERROR")),
            "accepted_with_wrong_records": accepted_changed,
            "failures": failures,
            "seconds": round(time.perf_counter() - t0, 1),
        }
    finally:
        if tmp is not None:
            tmp.cleanup()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Fuzz the submission reader.")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="500 cases, as in CI")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"), help="directory for the JSON")
    parser.add_argument("--no-dropped-cells", action="store_true",
                        help="base file without dropped-cell counts (to run against a release without them)")
    args = parser.parse_args(argv)
    cases = 500 if args.quick else args.cases
    result = run_cases(cases, seed=args.seed, dropped=not args.no_dropped_cells)
    result["quick"] = bool(args.quick)
    result["command"] = (f"python benchmarks/robustness/submission_fuzz.py {'--quick ' if args.quick else ''}"
                         f"--cases {cases} --seed {args.seed}")
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2)
    (args.out / "submission_fuzz.json").write_text(text + "\n")
    print(text)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0 if main()["not_library_errors"] == 0 else 1)
