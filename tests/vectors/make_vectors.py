"""Known-answer vectors: ``python tests/vectors/make_vectors.py``.

Writes ``encoding_v2.json`` and ``encoding_hardened_v2.json`` (schema version 2,
keystream AES-256-CTR: what the built-in profile and the reporter page use) and
checks that ``encoding_v1.json`` and ``encoding_hardened_v1.json`` (version 1
documents, keystream ChaCha20) still come out byte for byte; ``--v1`` rewrites
those too. Run only when the encoding changes on purpose (and then bump the
format or schema version): the vectors pin the bits.
"""

from __future__ import annotations

import copy
import json
import sys
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


def v1_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` as a version 1 document (keystream ChaCha20, not named; BLIP noise per filter, as then)."""
    out = copy.deepcopy(doc)
    out["version"] = 1
    if isinstance(out.get("hardening"), dict):
        out["hardening"].pop("keystream", None)
        out["hardening"].pop("blip_noise", None)  # the built-in profile draws row noise since issue 17
    return out


def hardened_documents(version: int = 2) -> dict[str, dict[str, Any]]:
    """The hardened schemas the second vector file pins: every step at record level, and field level."""
    base = json.loads(schema_to_json(linkage.default_schema()))
    base.pop("description", None)
    if version == 1:
        base = v1_document(base)
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
    if version != 1:
        for doc in (all_steps, field_level):
            doc["hardening"]["keystream"] = "aes-256-ctr"
    return {"all_steps": all_steps, "field_level": field_level}


def _frame() -> pd.DataFrame:
    rows = [{k: (tuple(v) if isinstance(v, list) else v) for k, v in c.items()} for c in CASES]
    return pd.DataFrame(rows, columns=["initials", "birth_year", "nationality", "sex"]).astype(object)


def hardened_vectors(version: int = 2) -> dict[str, Any]:
    key = LinkageKey(SECRET)
    if version == 1:
        what = "hardened schemas (test-only secret bytes 00..1f, default seed)."
    else:
        what = ("hardened schemas, schema version 2, keystream AES-256-CTR (test-only secret bytes 00..1f, "
                "default seed).")
    out: dict[str, Any] = {
        "description": f"Known-answer vectors for {what} Each entry embeds its schema document.",
        "secret_hex": SECRET.hex(),
        "key_id": key.key_id,
        "schemas": {},
    }
    for name, doc in hardened_documents(version).items():
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


def default_vectors(version: int = 2) -> dict[str, Any]:
    doc = json.loads(schema_to_json(linkage.default_schema()))
    schema = linkage.load_schema(v1_document(doc) if version == 1 else doc)
    key = LinkageKey(SECRET)
    enc = linkage.encode_records(_frame(), schema, key)
    if version == 1:
        what = "the default schema (test-only secret bytes 00..1f)."
    else:
        what = ("the built-in profile, schema version 2, keystream AES-256-CTR (test-only secret bytes "
                "00..1f). The document is the built-in default.json.")
    out: dict[str, Any] = {
        "description": "Known-answer vectors for " + what,
        "schema_fingerprint": schema.fingerprint,
        "secret_hex": SECRET.hex(),
        "key_id": key.key_id,
        "cases": [
            {"record": c, "presence": int(p), "filter_hex": [f"{int(w):016x}" for w in words]}
            for c, words, p in zip(CASES, enc.filters, enc.presence, strict=True)
        ],
    }
    return out


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1) + "\n"


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    files = {
        "encoding_v2.json": _text(default_vectors(2)),
        "encoding_hardened_v2.json": _text(hardened_vectors(2)),
    }
    frozen = {
        "encoding_v1.json": _text(default_vectors(1)),
        "encoding_hardened_v1.json": _text(hardened_vectors(1)),
    }
    for name, text in files.items():
        (here / name).write_text(text)
    status = 0
    for name, text in frozen.items():
        if "--v1" in argv:
            (here / name).write_text(text)
        elif (here / name).read_text() != text:
            print(f"{name}: the version 1 encoding changed (it must not)", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
