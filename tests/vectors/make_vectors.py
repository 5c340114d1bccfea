"""Regenerate encoding_v1.json and encoding_hardened_v1.json. Run only when the
encoding changes on purpose (and then bump the format or schema version): the
vectors pin the bits."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd

import linkage
from linkage.encode import LinkageKey
from linkage.schema import schema_to_json

SECRET = bytes(range(32))
CASES = [
    {"initials": "AP", "birth_year": [1994, 1994], "nationality": "ROU", "sex": "F"},
    {"initials": "OS", "birth_year": [1998, 1999], "nationality": "UKR", "sex": "F"},
    {"initials": "A", "birth_year": None, "nationality": "XXA", "sex": None},
    {"initials": None, "birth_year": [1971, 1971], "nationality": "YUG", "sex": "M"},
    {"initials": "JB", "birth_year": [2005, 2005], "nationality": "NLD", "sex": "X"},
    {"initials": None, "birth_year": None, "nationality": None, "sex": None},
]


def hardened_documents() -> dict[str, dict[str, Any]]:
    """The hardened schemas the second vector file pins: every step at record level, and field level."""
    base = json.loads(schema_to_json(linkage.default_schema()))
    base.pop("description", None)
    all_steps = copy.deepcopy(base)
    all_steps["name"] = "vectors-all-steps"
    all_steps["hardening"] = {
        "salt": {"field": "birth_year", "band": 5},
        "blip_epsilon": 60,
        "balance": True,
        "fold": True,
        "permute": True,
    }
    field_level = copy.deepcopy(base)
    field_level["name"] = "vectors-field-level"
    field_level["filter"] = {"length": 1024, "level": "field"}
    field_level["fields"][0]["segment_bits"] = 384
    field_level["hardening"] = {"salt": {"field": "sex"}, "permute": True}
    return {"all_steps": all_steps, "field_level": field_level}


def _frame() -> pd.DataFrame:
    rows = [{k: (tuple(v) if isinstance(v, list) else v) for k, v in c.items()} for c in CASES]
    return pd.DataFrame(rows, columns=["initials", "birth_year", "nationality", "sex"]).astype(object)


def hardened_vectors() -> dict[str, Any]:
    key = LinkageKey(SECRET)
    out: dict[str, Any] = {
        "description": "Known-answer vectors for hardened schemas (test-only secret bytes 00..1f, "
                       "default seed). Each entry embeds its schema document.",
        "secret_hex": SECRET.hex(),
        "key_id": key.key_id,
        "schemas": {},
    }
    for name, doc in hardened_documents().items():
        schema = linkage.load_schema(doc)
        enc = linkage.encode_records(_frame(), schema, key)
        out["schemas"][name] = {
            "document": doc,
            "schema_fingerprint": schema.fingerprint,
            "output_length": schema.output_length,
            "cases": [
                {"record": c, "presence": int(p), "filter_hex": [f"{int(w):016x}" for w in words]}
                for c, words, p in zip(CASES, enc.filters, enc.presence, strict=True)
            ],
        }
    return out


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
    Path(__file__).with_name("encoding_hardened_v1.json").write_text(json.dumps(hardened_vectors(), indent=1) + "\n")


if __name__ == "__main__":
    main()
