"""Regenerate encoding_v1.json. Run only when the encoding changes on purpose
(and then bump the format or schema version): the vectors pin the bits."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import linkage
from linkage.encode import LinkageKey

SECRET = bytes(range(32))
CASES = [
    {"initials": "AP", "birth_year": [1994, 1994], "nationality": "ROU", "sex": "F"},
    {"initials": "OS", "birth_year": [1998, 1999], "nationality": "UKR", "sex": "F"},
    {"initials": "A", "birth_year": None, "nationality": "XXA", "sex": None},
    {"initials": None, "birth_year": [1971, 1971], "nationality": "YUG", "sex": "M"},
    {"initials": "JB", "birth_year": [2005, 2005], "nationality": "NLD", "sex": "X"},
    {"initials": None, "birth_year": None, "nationality": None, "sex": None},
]


def main() -> None:
    schema = linkage.default_schema()
    key = LinkageKey(SECRET)
    rows = [{k: (tuple(v) if isinstance(v, list) else v) for k, v in c.items()} for c in CASES]
    df = pd.DataFrame(rows, columns=["initials", "birth_year", "nationality", "sex"]).astype(object)
    enc = linkage.encode_records(df, schema, key)
    out = {
        "description": "Known-answer vectors for the default schema (test-only secret bytes 00..1f).",
        "schema_fingerprint": schema.fingerprint,
        "secret_hex": SECRET.hex(),
        "key_id": key.key_id,
        "cases": [
            {"record": c, "presence": int(p), "filter_hex": [f"{int(w):016x}" for w in words]}
            for c, words, p in zip(CASES, enc.filters, enc.presence, strict=True)
        ],
    }
    Path(__file__).with_name("encoding_v1.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
