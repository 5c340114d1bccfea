"""The linkage schema: the contract shared by reporters and the registry.

A schema is a JSON document (validated against ``linkage-schema.json``). Loading
it fills in defaults, checks it as a whole and returns a frozen :class:`Schema`
whose ``fingerprint`` identifies it: every submission carries the fingerprint,
and the registry refuses to compare encodings made under different schemas.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from linkage.errors import SchemaError

SCHEMA_VERSION = 1

# Defaults per field type, filled in before validation so that the fingerprint
# of a document that spells a default out equals that of one that leaves it out.
_NORMALISATION_DEFAULTS: dict[str, dict[str, Any]] = {
    "initials": {"letters": 2, "transliteration": "anyascii", "surname_prefixes": "dutch"},
    "year": {"min_year": 1900, "max_age": 110, "age_uncertainty": 1, "radius": 1},
    "country": {"codes": "iso3166-alpha3", "historic": "keep"},
    "sex": {"values": ["M", "F", "X"]},
    "text": {"transliteration": "anyascii", "case": "lower", "strip": "spaces"},
}


@dataclass(frozen=True)
class FieldSpec:
    """One quasi-identifier: its name, type, normalisation and tokens."""

    name: str
    type: str
    tokens: tuple[str, ...]
    bits_per_token: int
    normalisation: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Schema:
    """A validated linkage schema. Build it with :func:`load_schema`."""

    name: str
    filter_length: int
    fields: tuple[FieldSpec, ...]
    match_threshold: float
    review_threshold: float
    require_common: tuple[str, ...]
    same_submission: str
    threshold_method: str
    floor: float
    clustering: str
    hardening: Mapping[str, Any]
    document: Mapping[str, Any]
    fingerprint: str

    @property
    def words(self) -> int:
        """Number of 64-bit words in one filter."""
        return self.filter_length // 64

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise SchemaError([f"no field named {name!r}"])

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def presence_mask(self, names: tuple[str, ...] | list[str]) -> int:
        """Bit mask of the named fields, as in a record's presence mask."""
        mask = 0
        for n in names:
            mask |= 1 << self.field_names.index(n)
        return mask


@lru_cache(maxsize=1)
def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every linkage schema document must satisfy."""
    text = resources.files("linkage.schema").joinpath("linkage-schema.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _with_defaults(doc: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(doc))
    out.setdefault("hardening", {})
    th = out.get("thresholds")
    if isinstance(th, dict):
        th.setdefault("require_common", [])
        th.setdefault("same_submission", "review")
        th.setdefault("method", "fixed")
        if th.get("method") == "valley":
            th.setdefault("floor", 0.5)
    cl = out.setdefault("clustering", {})
    if isinstance(cl, dict):
        cl.setdefault("method", "components")
    flt = out.get("filter")
    if isinstance(flt, dict):
        flt.setdefault("level", "record")
    fields = out.get("fields")
    if isinstance(fields, list):
        for f in fields:
            if isinstance(f, dict) and isinstance(f.get("type"), str):
                defaults = _NORMALISATION_DEFAULTS.get(f["type"])
                if defaults is not None:
                    norm = f.setdefault("normalisation", {})
                    if isinstance(norm, dict):
                        for k, v in defaults.items():
                            norm.setdefault(k, copy.deepcopy(v))
    return out


def _path(err: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in err.absolute_path]
    return "/" + "/".join(parts) if parts else "(document)"


def _problems(doc: Mapping[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(json_schema())
    problems = sorted(
        {f"{_path(e)}: {e.message}" for e in validator.iter_errors(doc)}
    )
    # Semantic checks that JSON Schema cannot express.
    fields = doc.get("fields")
    if isinstance(fields, list):
        names = [f.get("name") for f in fields if isinstance(f, dict)]
        dupes = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
        for n in dupes:
            problems.append(f"/fields: field name {n!r} is used more than once")
    th = doc.get("thresholds")
    if isinstance(th, dict):
        m, r = th.get("match"), th.get("review")
        if isinstance(m, (int, float)) and isinstance(r, (int, float)) and r > m:
            problems.append("/thresholds: review threshold must not exceed the match threshold")
        names = {f.get("name") for f in fields if isinstance(f, dict)} if isinstance(fields, list) else set()
        req = th.get("require_common")
        if isinstance(req, list):
            for r in req:
                if r not in names:
                    problems.append(f"/thresholds/require_common: {r!r} is not a field of this schema")
    return problems


def canonical_json(doc: Mapping[str, Any]) -> bytes:
    """Canonical UTF-8 JSON: sorted keys, no insignificant whitespace."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint_of(doc: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` over the canonical JSON of a defaults-filled document.

    The free-text ``description`` is left out: rewording it changes nothing.
    """
    body = {k: v for k, v in doc.items() if k != "description"}
    return "sha256:" + hashlib.sha256(canonical_json(body)).hexdigest()


def load_schema(source: str | Path | Mapping[str, Any] | None = None) -> Schema:
    """Load and validate a linkage schema.

    ``source`` is a path to a JSON file, an already-parsed document, or ``None``
    for the built-in default profile. An invalid schema raises one
    :class:`~linkage.errors.SchemaError` listing every problem found.
    """
    if source is None:
        text = resources.files("linkage.schema").joinpath("default.json").read_text("utf-8")
        raw: Any = json.loads(text)
    elif isinstance(source, Mapping):
        raw = source
    else:
        try:
            raw = json.loads(Path(source).read_text("utf-8"))
        except OSError as exc:
            raise SchemaError([f"cannot read schema file: {exc.strerror}"]) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SchemaError([f"schema file is not valid JSON ({type(exc).__name__})"]) from None
    if not isinstance(raw, Mapping):
        raise SchemaError(["(document): a linkage schema must be a JSON object"])
    doc = _with_defaults(raw)
    problems = _problems(doc)
    if problems:
        raise SchemaError(problems)
    fields = tuple(
        FieldSpec(
            name=f["name"],
            type=f["type"],
            tokens=tuple(f["tokens"]),
            bits_per_token=int(f["bits_per_token"]),
            normalisation=dict(f.get("normalisation", {})),
        )
        for f in doc["fields"]
    )
    return Schema(
        name=doc["name"],
        filter_length=int(doc["filter"]["length"]),
        fields=fields,
        match_threshold=float(doc["thresholds"]["match"]),
        review_threshold=float(doc["thresholds"]["review"]),
        require_common=tuple(doc["thresholds"]["require_common"]),
        same_submission=str(doc["thresholds"]["same_submission"]),
        threshold_method=str(doc["thresholds"]["method"]),
        floor=float(doc["thresholds"].get("floor", doc["thresholds"]["review"])),
        clustering=str(doc["clustering"]["method"]),
        hardening=dict(doc.get("hardening", {})),
        document=doc,
        fingerprint=fingerprint_of(doc),
    )


def default_schema() -> Schema:
    """The built-in profile: two initials, birth year, nationality, sex."""
    return load_schema(None)


def schema_to_json(schema: Schema) -> str:
    """The schema's defaults-filled document as indented JSON."""
    return json.dumps(schema.document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
