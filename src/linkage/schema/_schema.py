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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema

from linkage.errors import SchemaError
from linkage.fieldtypes import field_type, field_type_names

#: The schema document version this release writes and reads (older ones are migrated).
#: Version 2 added ``hardening.keystream`` (default ``aes-256-ctr``); version 1 documents mean ``chacha20``.
SCHEMA_VERSION = 2

ThresholdMethod = Literal["fixed", "valley", "posterior"]
SameSubmission = Literal["review", "match"]
Clustering = Literal["components", "one_per_submission"]
FilterLevel = Literal["record", "field"]
#: Stream ciphers the hardening steps draw their keyed randomness from (``docs/encoding.md``).
KeystreamKind = Literal["aes-256-ctr", "chacha20"]
KEYSTREAM_KINDS: tuple[KeystreamKind, ...] = ("aes-256-ctr", "chacha20")
#: Where BLIP's per-record noise comes from: the plain filter (equal records, equal noise) or the
#: record's row in the reporter's file as well (equal records in different rows, independent noise).
BlipNoise = Literal["filter", "row"]
#: The keystream of a document that does not name one (version 2 and later).
DEFAULT_KEYSTREAM: KeystreamKind = "aes-256-ctr"

#: Upgrades of older schema documents: ``MIGRATIONS[v]`` turns a version ``v``
#: document into a version ``v + 1`` one (a new dict; the input is not changed).
#: :func:`load_schema` applies them in turn before defaults and validation.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 1 drew the hardening randomness from ChaCha20: say so, since version 2 defaults to AES-256-CTR."""
    doc["version"] = 2
    hard = doc.get("hardening")
    if hard is None:
        doc["hardening"] = {"keystream": "chacha20"}
    elif isinstance(hard, dict):
        hard.setdefault("keystream", "chacha20")
    return doc


MIGRATIONS[1] = _v1_to_v2


_HARDENING_DEFAULTS: dict[str, Any] = {
    "balance": False, "fold": False, "permute": False, "keystream": DEFAULT_KEYSTREAM,
}

#: Top-level keys that only concern the reporter's own machine (its column names): they are
#: left out of the fingerprint and of the schema a submission carries.
LOCAL_ONLY_KEYS: tuple[str, ...] = ("columns",)
#: Source columns every schema knows besides its fields' (the reporter's case reference).
EXTRA_SOURCES: tuple[str, ...] = ("case_ref",)

# Longest filter a submission may carry (its header allows at most 1,024 words).
MAX_OUTPUT_BITS = 65_536


@dataclass(frozen=True)
class FieldSpec:
    """One quasi-identifier: its name, type, normalisation and tokens.

    ``segment`` is ``(offset, length)`` of the field's segment of the Bloom
    filter at filter level ``"field"``, and ``None`` at level ``"record"``.
    """

    name: str
    type: str
    tokens: tuple[str, ...]
    bits_per_token: int
    normalisation: Mapping[str, Any] = field(default_factory=dict)
    segment: tuple[int, int] | None = None


@dataclass(frozen=True)
class Hardening:
    """The hardening steps of a schema, in the order the encoder applies them.

    ``salt_field``/``salt_band``: per-record salt mixed into every token's PRF
    input (``salt_band`` only for year fields); ``blip_epsilon``: random bit
    flipping; ``balance``, ``fold``, ``permute``: see ``docs/encoding.md``.
    ``keystream``: the stream cipher BLIP, balance and permute draw their keyed
    randomness from (AES-256-CTR, which browsers' Web Crypto has, or ChaCha20,
    what version 1 schemas used). ``blip_noise``: ``"filter"`` (equal plain
    filters get equal noise) or ``"row"`` (the record's row in the reporter's
    file is part of its noise key; see ``docs/encoding.md``).
    """

    salt_field: str | None = None
    salt_band: int | None = None
    blip_epsilon: float | None = None
    balance: bool = False
    fold: bool = False
    permute: bool = False
    keystream: KeystreamKind = DEFAULT_KEYSTREAM
    blip_noise: BlipNoise = "filter"

    @property
    def uses_keystream(self) -> bool:
        """True when a step draws from the keystream (BLIP, balance or permute)."""
        return self.blip_epsilon is not None or self.balance or self.permute

    @property
    def active(self) -> bool:
        """True when any hardening step is on."""
        return (
            self.salt_field is not None
            or self.blip_epsilon is not None
            or self.balance
            or self.fold
            or self.permute
        )


def output_length_of(length: int, hardening: Mapping[str, Any]) -> int:
    """Length in bits of the stored filter: ``length`` doubled by balance, halved by fold."""
    out = length
    if hardening.get("balance") is True:
        out *= 2
    if hardening.get("fold") is True:
        out //= 2
    return out


@dataclass(frozen=True)
class Schema:
    """A validated linkage schema. Build it with :func:`load_schema`."""

    name: str
    filter_length: int
    fields: tuple[FieldSpec, ...]
    match_threshold: float
    review_threshold: float
    require_common: tuple[str, ...]
    same_submission: SameSubmission
    threshold_method: ThresholdMethod
    floor: float
    clustering: Clustering
    hardening: Hardening
    document: Mapping[str, Any]
    fingerprint: str
    filter_level: FilterLevel = "record"
    columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def output_length(self) -> int:
        """Bits of the *output* filter: what submissions carry, the store keeps and Dice compares.

        ``filter_length`` is the Bloom filter tokens hash into; balancing doubles
        it and folding halves it. Without hardening the two are equal.
        """
        h = self.hardening
        return output_length_of(self.filter_length, {"balance": h.balance, "fold": h.fold})

    @property
    def words(self) -> int:
        """Number of 64-bit words in one output filter (as stored and compared)."""
        return self.output_length // 64

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise SchemaError([f"no field named {name!r}"])

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def sources(self) -> tuple[str, ...]:
        """Every input column this schema reads, in field order (then ``case_ref``).

        Per field its type's ``source_columns`` and the column named like the
        field; the reporter's header for each may be given in ``columns``.
        """
        return sources_of([(f.name, f.type) for f in self.fields])

    def presence_mask(self, names: tuple[str, ...] | list[str]) -> int:
        """Bit mask of the named fields, as in a record's presence mask."""
        mask = 0
        for n in names:
            mask |= 1 << self.field_names.index(n)
        return mask


def sources_of(fields: list[tuple[str, str]]) -> tuple[str, ...]:
    """Input columns of fields given as ``(name, type)``: each type's ``source_columns`` and the field's name."""
    out: dict[str, None] = {}
    for name, type_name in fields:
        ft = field_type(type_name)
        for s in ft.source_columns:
            out.setdefault(s, None)
        out.setdefault(name, None)
    for s in EXTRA_SOURCES:
        out.setdefault(s, None)
    return tuple(out)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every linkage schema document must satisfy.

    The fixed part is ``linkage-schema.json``; what a field of each type may say
    (its token kinds and normalisation options) comes from the registered field
    types (:mod:`linkage.fieldtypes`).
    """
    return copy.deepcopy(_json_schema(field_type_names()))


@lru_cache(maxsize=8)
def _json_schema(type_names: tuple[str, ...]) -> dict[str, Any]:
    text = resources.files("linkage.schema").joinpath("linkage-schema.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    field_def = doc["$defs"]["field"]
    field_def["properties"]["type"] = {"enum": list(type_names)}
    field_def["allOf"] = [_type_rule(name) for name in type_names]
    return doc


def _type_rule(name: str) -> dict[str, Any]:
    ft = field_type(name)
    return {
        "if": {"properties": {"type": {"const": name}}},
        "then": {
            "additionalProperties": False,
            "properties": {
                "name": True,
                "type": True,
                "bits_per_token": True,
                "tokens": {"items": {"enum": list(ft.token_types)}},
                "segment_bits": True,
                "normalisation": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": copy.deepcopy(dict(ft.normalisation_schema)),
                },
            },
        },
    }


def migrate(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` brought to :data:`SCHEMA_VERSION` through :data:`MIGRATIONS` (unchanged if current).

    A document from a newer release, or one whose version has no migration, is
    refused with a :class:`~linkage.errors.SchemaError`.
    """
    out = dict(doc)
    version = out.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        return out  # the JSON Schema reports it
    if version > SCHEMA_VERSION:
        return out  # validation says so, with every other problem
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise SchemaError([f"/version: no migration from schema version {version}"])
        out = step(copy.deepcopy(out))
        version += 1
        if out.get("version") != version:
            raise SchemaError([f"/version: the migration from version {version - 1} did not set version {version}"])
    return out


def _with_defaults(doc: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(doc))
    hard = out.setdefault("hardening", {})
    if isinstance(hard, dict):
        for k, v in _HARDENING_DEFAULTS.items():
            hard.setdefault(k, v)
        if hard.get("blip_noise") == "filter":
            del hard["blip_noise"]  # the default, left out so that older documents keep their fingerprints
        salt = hard.get("salt")
        fields_ = out.get("fields")
        if isinstance(salt, dict) and isinstance(fields_, list):
            types = {f.get("name"): f.get("type") for f in fields_ if isinstance(f, dict)
                     and isinstance(f.get("name"), str)}
            salt_field = salt.get("field")
            if isinstance(salt_field, str) and types.get(salt_field) == "year":
                salt.setdefault("band", 1)
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
            if isinstance(f, dict) and f.get("type") in field_type_names():
                defaults = field_type(f["type"]).normalisation_defaults
                if defaults:
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
        field_names = (
            {f.get("name") for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
            if isinstance(fields, list) else set()
        )
        req = th.get("require_common")
        if isinstance(req, list):
            for r in req:
                if isinstance(r, str) and r not in field_names:
                    problems.append(f"/thresholds/require_common: {r!r} is not a field of this schema")
    version = doc.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        problems.append(f"/version: schema version {version} is newer than this linkage reads "
                        f"({SCHEMA_VERSION}); upgrade linkage")
    problems.extend(_hardening_problems(doc))
    problems.extend(_column_problems(doc))
    return problems


def _column_problems(doc: Mapping[str, Any]) -> list[str]:
    """``columns`` may only name input columns the schema's fields read."""
    columns = doc.get("columns")
    raw_fields = doc.get("fields")
    if not isinstance(columns, dict) or not isinstance(raw_fields, list):
        return []
    pairs = [
        (f["name"], f["type"]) for f in raw_fields
        if isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("type"), str)
        and f["type"] in field_type_names()
    ]
    known = sources_of(pairs)
    problems = [
        f"/columns/{name}: not an input column of this schema (known: {', '.join(known)})"
        for name in columns if isinstance(name, str) and name not in known
    ]
    headers = [h for h in columns.values() if isinstance(h, str)]
    for h in sorted({h for h in headers if headers.count(h) > 1}):
        problems.append(f"/columns: the header {h!r} is given for more than one input column")
    return problems


def _hardening_problems(doc: Mapping[str, Any]) -> list[str]:
    """Combinations of filter length, filter level and hardening that cannot work."""
    problems: list[str] = []
    flt = doc.get("filter")
    length = flt.get("length") if isinstance(flt, dict) else None
    if not (isinstance(length, int) and not isinstance(length, bool) and length >= 64 and length % 64 == 0):
        length = None  # already reported by the JSON Schema
    level = flt.get("level") if isinstance(flt, dict) else None
    raw_fields = doc.get("fields")
    fields: list[dict[str, Any]] = (
        [f for f in raw_fields if isinstance(f, dict)] if isinstance(raw_fields, list) else []
    )
    types = {f.get("name"): f.get("type") for f in fields if isinstance(f.get("name"), str)}
    hard = doc.get("hardening")
    hard = hard if isinstance(hard, dict) else {}

    if hard.get("blip_noise") == "row" and hard.get("blip_epsilon") is None:
        problems.append("/hardening/blip_noise: row noise is BLIP's; it needs blip_epsilon")

    salt = hard.get("salt")
    if isinstance(salt, dict) and isinstance(salt.get("field"), str):
        name = salt["field"]
        if name not in types:
            problems.append(f"/hardening/salt/field: {name!r} is not a field of this schema")
        elif "band" in salt and types[name] != "year":
            problems.append(f"/hardening/salt/band: a band needs a year field, and {name!r} is not one")

    if length is not None:
        current = length * 2 if hard.get("balance") is True else length
        if hard.get("fold") is True and current % 128 != 0:
            what = f"twice the filter length (balanced, {current} bits)" if hard.get("balance") is True \
                else f"the filter length ({current} bits)"
            problems.append(
                f"/hardening/fold: folding halves the filter to whole 64-bit words, so {what} "
                "must be a multiple of 128"
            )
        out = output_length_of(length, hard)
        if out > MAX_OUTPUT_BITS:
            problems.append(
                f"/hardening: the output filter would be {out} bits; at most {MAX_OUTPUT_BITS} "
                "(balance doubles the filter length)"
            )

    with_segment = [i for i, f in enumerate(fields) if "segment_bits" in f]
    if level != "field":
        for i in with_segment:
            problems.append(f"/fields/{i}/segment_bits: segments are only used at filter level 'field'")
    elif length is not None:
        given = [f["segment_bits"] for f in fields if isinstance(f.get("segment_bits"), int)]
        rest = length - sum(given)
        free = len(fields) - len(with_segment)
        if rest < 0:
            problems.append(
                f"/fields: segment_bits add up to {sum(given)} bits, more than the filter length {length}"
            )
        elif free == 0 and rest != 0:
            problems.append(
                f"/fields: segment_bits add up to {sum(given)} bits, not the filter length {length}"
            )
        elif free > 0 and rest < 64 * free:
            problems.append(
                f"/fields: {free} field(s) without segment_bits share {rest} bits; each needs at least 64"
            )
    return problems


def _segments(length: int, fields: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """``(offset, length)`` of each field's segment, in schema order.

    Fields with ``segment_bits`` get that many bits; the others share the rest
    in whole 64-bit words, as evenly as possible, earlier fields taking the
    spare words.
    """
    free = [i for i, f in enumerate(fields) if "segment_bits" not in f]
    rest_words = (length - sum(int(f.get("segment_bits", 0)) for f in fields)) // 64
    sizes = [int(f.get("segment_bits", 0)) for f in fields]
    for j, i in enumerate(free):
        sizes[i] = 64 * (rest_words // len(free) + (1 if j < rest_words % len(free) else 0))
    out: list[tuple[int, int]] = []
    offset = 0
    for size in sizes:
        out.append((offset, size))
        offset += size
    return out


def _hardening_spec(hard: Mapping[str, Any]) -> Hardening:
    salt = hard.get("salt")
    eps = hard.get("blip_epsilon")
    return Hardening(
        salt_field=str(salt["field"]) if isinstance(salt, Mapping) else None,
        salt_band=int(salt["band"]) if isinstance(salt, Mapping) and "band" in salt else None,
        blip_epsilon=float(eps) if eps is not None else None,
        balance=bool(hard.get("balance", False)),
        fold=bool(hard.get("fold", False)),
        permute=bool(hard.get("permute", False)),
        keystream=hard.get("keystream", DEFAULT_KEYSTREAM),
        blip_noise="row" if hard.get("blip_noise") == "row" else "filter",
    )


def canonical_json(doc: Mapping[str, Any]) -> bytes:
    """Canonical UTF-8 JSON: sorted keys, no insignificant whitespace."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint_of(doc: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` over the canonical JSON of a defaults-filled document.

    The free-text ``description`` is left out: rewording it changes nothing; so
    are the reporter-local ``columns`` (:data:`LOCAL_ONLY_KEYS`): a reporter's
    own column names change nothing in the encoding.

    A version 2 document that encodes exactly as a version 1 document does
    (its keystream is ``chacha20``, or no step draws from the keystream) is
    fingerprinted in its version 1 form, so schemas, submissions and models
    made before version 2 keep their fingerprints.
    """
    return "sha256:" + hashlib.sha256(canonical_json(fingerprint_body(doc))).hexdigest()


def fingerprint_body(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`fingerprint_of` hashes (as :func:`canonical_json`): the document without its
    description and reporter-local keys, in its version 1 form when it encodes as version 1 did."""
    body = {k: v for k, v in doc.items() if k != "description" and k not in LOCAL_ONLY_KEYS}
    return _v1_form(body)


def _v1_form(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as version 1 wrote it when it encodes as version 1 did; otherwise ``body`` itself."""
    if body.get("version") != 2 or not isinstance(body.get("hardening"), dict):
        return body
    hard = dict(body["hardening"])
    kind = hard.pop("keystream", DEFAULT_KEYSTREAM)
    uses = hard.get("blip_epsilon") is not None or hard.get("balance") is True or hard.get("permute") is True
    if kind != "chacha20" and uses:
        return body
    return {**body, "version": 1, "hardening": hard}


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
        name = Path(source).name
        try:
            raw = json.loads(Path(source).read_text("utf-8"))
        except OSError as exc:
            raise SchemaError([f"cannot read schema file: {exc.strerror}"], name) from None
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
            raise SchemaError([f"schema file is not valid JSON ({type(exc).__name__})"], name) from None
    where = None if source is None or isinstance(source, Mapping) else Path(source).name
    if not isinstance(raw, Mapping):
        raise SchemaError(["(document): a linkage schema must be a JSON object"], where)
    try:
        doc = _with_defaults(migrate(raw))
        problems = _problems(doc)
    except SchemaError as exc:
        raise SchemaError(exc.problems, where) from None
    except RecursionError:
        raise SchemaError(["(document): nested too deeply"], where) from None
    if problems:
        raise SchemaError(problems, where)
    length = int(doc["filter"]["length"])
    level = str(doc["filter"]["level"])
    segments: list[tuple[int, int] | None] = (
        list(_segments(length, doc["fields"])) if level == "field" else [None] * len(doc["fields"])
    )
    fields = tuple(
        FieldSpec(
            name=f["name"],
            type=f["type"],
            tokens=tuple(f["tokens"]),
            bits_per_token=int(f["bits_per_token"]),
            normalisation=dict(f.get("normalisation", {})),
            segment=seg,
        )
        for f, seg in zip(doc["fields"], segments, strict=True)
    )
    return Schema(
        name=doc["name"],
        filter_length=length,
        fields=fields,
        match_threshold=float(doc["thresholds"]["match"]),
        review_threshold=float(doc["thresholds"]["review"]),
        require_common=tuple(doc["thresholds"]["require_common"]),
        same_submission=doc["thresholds"]["same_submission"],
        threshold_method=doc["thresholds"]["method"],
        floor=float(doc["thresholds"].get("floor", doc["thresholds"]["review"])),
        clustering=doc["clustering"]["method"],
        hardening=_hardening_spec(doc["hardening"]),
        document=doc,
        fingerprint=fingerprint_of(doc),
        filter_level=level,  # type: ignore[arg-type]  # validated by the JSON Schema
        columns=dict(doc.get("columns", {})),
    )


def default_schema(*, hardened: bool = True) -> Schema:
    """The built-in profile: two initials, birth year, nationality, sex.

    ``hardened=False`` gives the same profile without its hardening steps: the
    unhardened encoding the privacy sweep compares against. It is for attacks,
    benchmarks and tests; do not link real data with it.
    """
    if hardened:
        return load_schema(None)
    text = resources.files("linkage.schema").joinpath("default.json").read_text("utf-8")
    doc = json.loads(text)
    doc["hardening"] = {}
    doc["name"] = doc["name"] + "-unhardened"
    return load_schema(doc)


def schema_to_json(schema: Schema) -> str:
    """The schema's defaults-filled document as indented JSON."""
    return json.dumps(schema.document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
