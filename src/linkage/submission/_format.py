"""The signed submission file: the only thing that crosses from reporter to registry.

Layout (all integers big-endian)::

    magic        8 bytes   b"LNKSUB\\x00\\x01"
    header_len   4 bytes   length of the header, at most 1 MiB
    header       JSON      UTF-8, canonical (sorted keys, no spaces)
    signature   64 bytes   Ed25519 over  DOMAIN || magic || header_len || header
    body                   record_count fixed-size records

Each body record is ``record_id`` (16 random bytes), ``presence`` (uint16,
little-endian) and the filter (``filter_words`` uint64, little-endian). The
header carries the body's length and SHA-256, so the signature covers the body.

Reading is strict and in this order: magic, header length, signature against
the trusted reporter keys (before anything is parsed), header syntax (bounded:
nesting depth, integer digits, number sizes, no duplicate keys), header
structure (:data:`HEADER_SCHEMA`), the embedded linkage schema (validated as a
schema), reporter, format version, schema fingerprint, key id, dropped-cell
counts, body length and hash, then the body. Any failure raises
:class:`~linkage.errors.SubmissionError` (or a subclass) naming the file, and
nothing is returned: no byte string makes the reader fail otherwise. The
format is plain bytes: no pickle.

A submission written with ``--invalid missing`` carries ``dropped_cells``: per
schema field, the number of records in which a cell feeding that field could
not be read and was left out (counts only, never rows or values).

The file holds no raw quasi-identifier: record ids are random, and the row
numbers and case references they stand for go to a *local id map* that stays
with the reporter.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import math
import re
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO

import jsonschema
import numpy as np
import numpy.typing as npt
import pandas as pd
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from linkage.errors import KeyFileError, LinkageError, MismatchError, SchemaError, SignatureError, SubmissionError
from linkage.files import PendingFile, check_outputs, commit_files
from linkage.records import EncodedRecords
from linkage.schema import LOCAL_ONLY_KEYS, Schema, fingerprint_of, load_schema
from linkage.submission._signing import REPORTER_ID_PATTERN, public_key_id

MAGIC = b"LNKSUB\x00\x01"
FORMAT_VERSION = 1
MAX_HEADER = 1 << 20
SIGNATURE_BYTES = 64
RECORD_ID_BYTES = 16
_DOMAIN = b"linkage/submission/v1\x00"

MAX_RECORDS = 100_000_000
MAX_PAYLOAD = MAX_RECORDS * (RECORD_ID_BYTES + 2 + 8 * 1024)
#: Bounds on the header's JSON before it is used (the signature is checked first).
MAX_HEADER_DEPTH = 24
MAX_INT_DIGITS = 20
MAX_NUMBER_CHARS = 40

HEADER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "format",
        "format_version",
        "schema_fingerprint",
        "schema",
        "key_id",
        "reporter_id",
        "signer",
        "submission_id",
        "created",
        "record_count",
        "filter_words",
        "payload_length",
        "payload_sha256",
    ],
    "properties": {
        "format": {"const": "linkage-submission"},
        "format_version": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
        "schema_fingerprint": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
        "schema": {"type": "object"},
        "key_id": {"type": "string", "pattern": "^kid-[0-9a-f]{32}$"},
        "reporter_id": {"type": "string", "pattern": REPORTER_ID_PATTERN},
        "signer": {"type": "string", "pattern": "^ed25519-[0-9a-f]{16}$"},
        "submission_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "created": {"type": "string", "maxLength": 40},
        "record_count": {"type": "integer", "minimum": 0, "maximum": MAX_RECORDS},
        "filter_words": {"type": "integer", "minimum": 1, "maximum": 1024},
        "payload_length": {"type": "integer", "minimum": 0, "maximum": MAX_PAYLOAD},
        "payload_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "dropped_cells": {
            "type": "object",
            "maxProperties": 16,
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,31}$"},
            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": MAX_RECORDS},
        },
        "period": {
            "type": "object",
            "additionalProperties": False,
            "required": ["start", "end"],
            "properties": {
                "start": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                "end": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            },
        },
        "replaces": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    },
}



#: Test-only: ``(seed, created)`` that make record ids, submission id and creation time
#: reproducible (:func:`linkage.submission._testing.seeded_randomness`); ``None`` in real use.
_TEST_RANDOMNESS: ContextVar[tuple[bytes, str] | None] = ContextVar("linkage_test_randomness", default=None)
_RECORD_IDS = b"linkage/test/record-ids"
_SUBMISSION_ID = b"linkage/test/submission-id"


def test_stream(seed: bytes, purpose: bytes, n: int) -> bytes:
    """The test-only stand-in for random bytes: HMAC-SHA256(seed, purpose || 0x00 || uint32_be(i)), i = 0, 1, ...

    The reporter page computes the same stream when a test seeds it, so the two
    can be compared byte for byte. Never used unless a test asks for it.
    """
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hmac.digest(seed, purpose + b"\x00" + counter.to_bytes(4, "big"), hashlib.sha256)
        counter += 1
    return bytes(out[:n])


def _random_bytes(n: int, purpose: bytes) -> bytes:
    seeded = _TEST_RANDOMNESS.get()
    if seeded is None:
        return secrets.token_bytes(n)
    return test_stream(seeded[0], purpose, n)


def _created() -> str:
    seeded = _TEST_RANDOMNESS.get()
    if seeded is not None:
        return seeded[1]
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _record_dtype(words: int) -> np.dtype[Any]:
    return np.dtype(
        [("record_id", f"V{RECORD_ID_BYTES}"), ("presence", "<u2"), ("filter", "<u8", (words,))]
    )


@dataclass(frozen=True)
class SubmissionHeader:
    """The signed header of a submission (see the module docstring and :data:`HEADER_SCHEMA`).

    ``schema`` is the linkage schema document the records were encoded under;
    ``signer`` the id of the reporter's public key; ``payload_sha256`` binds the
    body to the signature.
    """

    format: str
    format_version: int
    schema_fingerprint: str
    schema: Mapping[str, Any]
    key_id: str
    reporter_id: str
    signer: str
    submission_id: str
    created: str
    record_count: int
    filter_words: int
    payload_length: int
    payload_sha256: str
    dropped_cells: Mapping[str, int] | None = None
    #: The reporting period the records belong to (``{"start": ISO date, "end": ISO date}``).
    period: Mapping[str, str] | None = None
    #: The submission id of an earlier submission of the same reporter that this one corrects.
    replaces: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The header as the JSON object that is signed (the schema as a plain dict).

        ``dropped_cells``, ``period`` and ``replaces`` appear only when set, so
        other headers are exactly as before they existed.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["schema"] = dict(self.schema)
        for name in ("dropped_cells", "period"):
            if out[name] is None:
                del out[name]
            else:
                out[name] = dict(out[name])
        if self.replaces is None:
            del out["replaces"]
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> SubmissionHeader:
        """A header from its JSON object (validate it against :data:`HEADER_SCHEMA` first)."""
        values = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        return cls(**values)


@dataclass(frozen=True)
class Submission:
    """A verified submission, as the registry holds it.

    ``record_ids`` are 32-character hex strings, opaque to the registry.
    """

    header: SubmissionHeader
    record_ids: npt.NDArray[np.str_]
    presence: npt.NDArray[np.uint16]
    filters: npt.NDArray[np.uint64]

    @property
    def reporter_id(self) -> str:
        return self.header.reporter_id

    @property
    def submission_id(self) -> str:
        return self.header.submission_id

    def __len__(self) -> int:
        return int(self.filters.shape[0])

    def __repr__(self) -> str:
        return (
            f"Submission(reporter_id={self.reporter_id!r}, submission_id={self.submission_id!r}, "
            f"records={len(self)})"
        )


@dataclass(frozen=True)
class SignedSubmission:
    """A submission made in memory: the bytes of the file and the reporter's local id map.

    Made by :func:`sign_submission`; :func:`write_submission` writes it.
    ``data`` is what goes to the registry; ``id_map`` (``record_id``, ``row``,
    ``case_ref``) stays with the reporter.
    """

    header: SubmissionHeader
    data: bytes = field(repr=False)
    id_map: pd.DataFrame = field(repr=False)

    def id_map_csv(self) -> bytes:
        """The id map as UTF-8 CSV, as :func:`write_submission` writes it."""
        text: str = self.id_map.to_csv(index=False)
        return text.encode("utf-8")


def _embedded_schema(schema: Schema) -> dict[str, Any]:
    """The schema document a submission carries: without the reporter-local parts (its column names)."""
    return {k: v for k, v in schema.document.items() if k not in LOCAL_ONLY_KEYS}


def _keep_ids(ids: npt.NDArray[Any], record_ids: list[str | None]) -> npt.NDArray[Any]:
    if len(record_ids) != len(ids):
        raise SubmissionError("record_ids must give one id (or None) per record")
    kept = [r for r in record_ids if r is not None]
    if any(not isinstance(r, str) or not re.fullmatch(r"[0-9a-f]{32}", r) for r in kept):
        raise SubmissionError("a kept record id must be 32 hex digits (as in the id map)")
    if len(set(kept)) != len(kept):
        raise SubmissionError("record_ids repeats a record id")
    out = ids.copy()
    for i, r in enumerate(record_ids):
        if r is not None:
            out[i] = np.frombuffer(bytes.fromhex(r), dtype=f"V{RECORD_ID_BYTES}")[0]
    if len({bytes(x) for x in out}) != len(out):  # pragma: no cover - a random id equal to a kept one
        raise SubmissionError("a new record id collided with a kept one; sign again")
    return out


def sign_submission(
    encoded: EncodedRecords,
    schema: Schema,
    *,
    reporter_id: str,
    signing_key: Ed25519PrivateKey,
    case_refs: list[str | None] | None = None,
    dropped_cells: Mapping[str, int] | None = None,
    period: tuple[str, str] | None = None,
    replaces: str | None = None,
    record_ids: list[str | None] | None = None,
) -> SignedSubmission:
    """Sign encoded records into the bytes of a submission file, with the local id map.

    ``dropped_cells`` (per schema field, how many records lost a cell that could
    not be read; see ``invalid="missing"`` in :mod:`linkage.pipeline`) goes into
    the signed header, as do ``period`` (the reporting period, ISO dates
    ``(start, end)``, see :func:`parse_period`) and ``replaces`` (the submission
    id of an earlier submission this one corrects): the registry counts each
    submission under its period and lets a correction replace what it names.
    ``record_ids`` (32 hex digits each, ``None`` for a new random one) keeps the
    record ids of an earlier submission when the same records are sent again (a
    re-encoding under a new key epoch, a correction), so that their persons keep
    their ids at the registry.
    """
    if not re.fullmatch(REPORTER_ID_PATTERN, reporter_id):
        raise SubmissionError("reporter id must be 1-64 characters of a-z, 0-9, '_', '.', '-'")
    if encoded.schema_fingerprint != schema.fingerprint:
        raise MismatchError("the records were encoded under a different schema than the one given")
    if not isinstance(signing_key, Ed25519PrivateKey):
        raise KeyFileError("signing key must be an Ed25519 private key")
    n = len(encoded)
    words = schema.words
    if encoded.filters.shape != (n, words):
        raise SubmissionError("filters do not have the schema's filter length")
    if n > MAX_RECORDS:
        raise SubmissionError(f"a submission holds at most {MAX_RECORDS:,} records; split the file")
    dropped: dict[str, int] | None = None
    if dropped_cells is not None:
        dropped = {}
        for name, count in dropped_cells.items():
            if name not in schema.field_names:
                raise SubmissionError(f"dropped_cells names {name!r}, which is not a field of the schema")
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= n:
                raise SubmissionError(f"dropped_cells of {name!r} must be a whole number from 0 to the record count")
            dropped[name] = int(count)
    period_doc = None if period is None else _check_period(period[0], period[1])
    if replaces is not None and not re.fullmatch(r"[0-9a-f]{32}", replaces):
        raise SubmissionError("replaces must be the 32-character submission id of an earlier submission")
    ids = np.frombuffer(_random_bytes(RECORD_ID_BYTES * n, _RECORD_IDS), dtype=f"V{RECORD_ID_BYTES}")
    if record_ids is not None:
        ids = _keep_ids(ids, record_ids)
    body_arr = np.zeros(n, dtype=_record_dtype(words))
    body_arr["record_id"] = ids
    body_arr["presence"] = encoded.presence
    body_arr["filter"] = encoded.filters
    body = body_arr.tobytes()
    header = SubmissionHeader(
        format="linkage-submission",
        format_version=FORMAT_VERSION,
        schema_fingerprint=schema.fingerprint,
        schema=_embedded_schema(schema),
        key_id=encoded.key_id,
        reporter_id=reporter_id,
        signer=public_key_id(signing_key.public_key()),
        submission_id=_random_bytes(16, _SUBMISSION_ID).hex(),
        created=_created(),
        record_count=n,
        filter_words=words,
        payload_length=len(body),
        payload_sha256=hashlib.sha256(body).hexdigest(),
        dropped_cells=dropped,
        period=period_doc,
        replaces=replaces,
    )
    header_bytes = json.dumps(header.to_json(), sort_keys=True, separators=(",", ":")).encode("utf-8")
    if len(header_bytes) > MAX_HEADER:  # pragma: no cover - a schema has at most 16 fields
        raise SubmissionError("submission header would exceed 1 MiB")
    prefix = MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes
    signature = signing_key.sign(_DOMAIN + prefix)
    hex_ids = [bytes(i).hex() for i in ids]
    id_map = pd.DataFrame(
        {
            "record_id": hex_ids,
            "row": encoded.rows.astype(np.int64),
            "case_ref": case_refs if case_refs is not None else [None] * n,
        }
    )
    return SignedSubmission(header=header, data=prefix + signature + body, id_map=id_map)


def write_submission(
    path: str | Path,
    encoded: EncodedRecords,
    schema: Schema,
    *,
    reporter_id: str,
    signing_key: Ed25519PrivateKey,
    case_refs: list[str | None] | None = None,
    id_map_path: str | Path | None = None,
    overwrite: bool = False,
    dropped_cells: Mapping[str, int] | None = None,
    period: tuple[str, str] | None = None,
    replaces: str | None = None,
    record_ids: list[str | None] | None = None,
) -> pd.DataFrame:
    """Write a signed submission file and return the reporter's local id map.

    The id map (``record_id``, ``row``, ``case_ref``) links each opaque record id
    back to the reporter's own row or case; it never leaves the reporter. When
    ``id_map_path`` is given it is written there (CSV) together with the
    submission as one unit: both files or neither, also when the process is
    killed (:func:`linkage.files.commit_files`). Every output is checked before
    anything is written (directory exists, no overwrite without ``overwrite``,
    never a key file).
    """
    outputs: dict[str, Path] = {"the submission": Path(path)}
    if id_map_path is not None:
        outputs["the id map"] = Path(id_map_path)
    try:
        check_outputs(outputs, overwrite=overwrite)
    except KeyFileError:
        raise
    except LinkageError as exc:
        raise SubmissionError(str(exc)) from None
    signed = sign_submission(encoded, schema, reporter_id=reporter_id, signing_key=signing_key,
                             case_refs=case_refs, dropped_cells=dropped_cells, period=period, replaces=replaces,
                             record_ids=record_ids)
    files: list[PendingFile] = []
    if id_map_path is not None:
        files.append(PendingFile(Path(id_map_path), [signed.id_map_csv()]))
    files.append(PendingFile(Path(path), [signed.data]))
    commit_files(files, overwrite=overwrite)
    return signed.id_map


def _check_period(start: str, end: str) -> dict[str, str]:
    try:
        a = _dt.date.fromisoformat(start)
        b = _dt.date.fromisoformat(end)
    except (TypeError, ValueError):
        raise SubmissionError("the reporting period must be two ISO dates (YYYY-MM-DD)") from None
    if a > b:
        raise SubmissionError("the reporting period ends before it starts")
    return {"start": a.isoformat(), "end": b.isoformat()}


def parse_period(text: str) -> tuple[str, str]:
    """A reporting period from text: ``2024`` (a year), ``2024-03`` (a month), ``2024-Q1`` (a quarter),
    ``2024-03-01..2024-03-31`` (two ISO dates). Returns ``(start, end)`` as ISO dates."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4})", t)
    if m:
        return f"{t}-01-01", f"{t}-12-31"
    m = re.fullmatch(r"(\d{4})-[Qq]([1-4])", t)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        start = _dt.date(y, 3 * q - 2, 1)
        end = (_dt.date(y + (q == 4), (3 * q) % 12 + 1, 1) - _dt.timedelta(days=1))
        return start.isoformat(), end.isoformat()
    m = re.fullmatch(r"(\d{4})-(\d{2})", t)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise SubmissionError("the reporting period's month must be 01-12")
        end = _dt.date(y + (mo == 12), mo % 12 + 1, 1) - _dt.timedelta(days=1)
        return f"{y:04d}-{mo:02d}-01", end.isoformat()
    if ".." in t:
        a, b = t.split("..", 1)
        d = _check_period(a.strip(), b.strip())
        return d["start"], d["end"]
    raise SubmissionError("a reporting period is YYYY, YYYY-MM, YYYY-Qn or YYYY-MM-DD..YYYY-MM-DD")


def _read_exact(fh: BinaryIO, n: int, what: str) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise SubmissionError(f"submission file is truncated (in the {what})")
    return data


TrustedKeys = Mapping[str, Ed25519PublicKey]

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class _HeaderSyntaxError(Exception):
    pass


def _nesting_depth(text: str) -> int:
    """Deepest nesting of arrays and objects in JSON text (strings skipped)."""
    depth = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub("", text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _HeaderSyntaxError(f"an integer has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _HeaderSyntaxError(f"a number is longer than {MAX_NUMBER_CHARS} characters")
    value = float(text)
    if not math.isfinite(value):
        raise _HeaderSyntaxError("a number is out of range")
    return value


def _no_constant(text: str) -> Any:
    raise _HeaderSyntaxError("NaN and Infinity are not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _HeaderSyntaxError("an object repeats a key")
        out[k] = v
    return out


def parse_header_json(data: bytes) -> Any:
    """The header's JSON, parsed within bounds; :class:`SubmissionError` for anything else.

    Bounded: at most :data:`MAX_HEADER` bytes, nesting depth :data:`MAX_HEADER_DEPTH`,
    :data:`MAX_INT_DIGITS` digits per integer, finite numbers, no repeated keys.
    """
    if len(data) > MAX_HEADER:
        raise SubmissionError("submission header length is out of range")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError("submission header is not valid JSON (not UTF-8)") from None
    if _nesting_depth(text) > MAX_HEADER_DEPTH:
        raise SubmissionError(f"submission header is nested more than {MAX_HEADER_DEPTH} levels deep")
    try:
        return json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant,
                          object_pairs_hook=_unique_keys)
    except _HeaderSyntaxError as exc:
        raise SubmissionError(f"submission header is malformed: {exc}") from None
    except (ValueError, RecursionError, OverflowError):
        raise SubmissionError("submission header is not valid JSON") from None


def check_header(header: Any) -> Schema:
    """Check a parsed header before any of it is used: structure, embedded schema, counts.

    Returns the embedded schema, loaded and validated. Raises
    :class:`SubmissionError` or :class:`MismatchError`.
    """
    errors = sorted(
        "/".join(str(x) for x in e.absolute_path) or "(header)"
        for e in jsonschema.Draft202012Validator(HEADER_SCHEMA).iter_errors(header)
    )
    if errors:
        shown = ", ".join(errors[:10]) + (f" and {len(errors) - 10} more" if len(errors) > 10 else "")
        raise SubmissionError("submission header is malformed at: " + shown)
    if header["format_version"] != FORMAT_VERSION:
        raise MismatchError(
            f"submission format version {header['format_version']} is not supported "
            f"(this linkage reads version {FORMAT_VERSION})"
        )
    embedded = header["schema"]
    if any(k in embedded for k in LOCAL_ONLY_KEYS):
        raise SubmissionError("submission's embedded schema holds reporter-local settings it must not carry")
    try:
        loaded = load_schema(embedded)
    except SchemaError as exc:
        raise SubmissionError(
            f"submission's embedded linkage schema is invalid ({len(exc.problems)} problem(s))"
        ) from None
    if fingerprint_of(embedded) != header["schema_fingerprint"] or loaded.fingerprint != header["schema_fingerprint"]:
        raise MismatchError("submission's embedded schema does not match its schema fingerprint")
    if loaded.words != header["filter_words"]:
        raise MismatchError("submission's filter length differs from its embedded schema's")
    dropped = header.get("dropped_cells")
    if dropped is not None:
        for name, count in dropped.items():
            if name not in loaded.field_names:
                raise SubmissionError("submission's dropped-cell counts name a field its schema does not have")
            if count > header["record_count"]:
                raise SubmissionError("submission's dropped-cell counts exceed its record count")
    period = header.get("period")
    if period is not None:
        _check_period(period["start"], period["end"])
    if header.get("replaces") == header["submission_id"]:
        raise SubmissionError("submission names itself as the one it replaces")
    return loaded


def read_submission(
    path: str | Path,
    trusted_keys: TrustedKeys,
    *,
    schema: Schema | None = None,
    key_id: str | None = None,
) -> Submission:
    """Verify and read a submission file.

    ``trusted_keys`` maps reporter ids to their Ed25519 public keys. The
    signature is checked before the header is parsed, the header before the
    body. If ``schema`` is given its fingerprint must match; if ``key_id`` is
    given it must match. Raises :class:`SubmissionError` (or a subclass), or
    :class:`MismatchError`, whose message starts with the file's name.
    """
    p = Path(path)
    try:
        return _read_submission(p, trusted_keys, schema=schema, key_id=key_id)
    except (SubmissionError, MismatchError) as exc:
        raise type(exc)(f"{p.name}: {exc}") from None


def _read_submission(
    p: Path,
    trusted_keys: TrustedKeys,
    *,
    schema: Schema | None,
    key_id: str | None,
) -> Submission:
    try:
        size = p.stat().st_size
        fh = open(p, "rb")
    except OSError as exc:
        raise SubmissionError(f"cannot open submission file: {exc.strerror}") from None
    with fh:
        magic = fh.read(len(MAGIC))
        if magic != MAGIC:
            raise SubmissionError("not a linkage submission file (bad magic)")
        hlen_bytes = _read_exact(fh, 4, "header length")
        hlen = int.from_bytes(hlen_bytes, "big")
        if hlen == 0 or hlen > MAX_HEADER:
            raise SubmissionError("submission header length is out of range")
        header_bytes = _read_exact(fh, hlen, "header")
        signature = _read_exact(fh, SIGNATURE_BYTES, "signature")
        signed = _DOMAIN + MAGIC + hlen_bytes + header_bytes
        verifying: list[str] = []
        for reporter, pub in sorted(trusted_keys.items()):
            try:
                pub.verify(signature, signed)
            except InvalidSignature:
                continue
            verifying.append(reporter)
        if not verifying:
            raise SignatureError("submission signature does not verify against any trusted reporter key")
        if len(verifying) > 1:
            raise SignatureError(
                "the trusted keys hold one public key under several reporter ids "
                f"({', '.join(verifying)}); keep one key file per reporter"
            )
        signer_reporter = verifying[0]
        # Signed by a trusted reporter; now parse and check the header, within bounds.
        header = parse_header_json(header_bytes)
        check_header(header)
        if header["reporter_id"] != signer_reporter:
            raise SignatureError("submission is signed by a different reporter than it names")
        if header["signer"] != public_key_id(trusted_keys[signer_reporter]):
            raise SignatureError("submission names a different signing key than the one that verifies")
        if schema is not None and header["schema_fingerprint"] != schema.fingerprint:
            raise MismatchError(
                "submission was encoded under a different linkage schema "
                f"({header['schema_fingerprint'][:19]}... vs {schema.fingerprint[:19]}...)"
            )
        if key_id is not None and header["key_id"] != key_id:
            raise MismatchError(
                f"submission was encoded under key {header['key_id']}, expected {key_id} "
                "(different linkage domain or key epoch)"
            )
        words = int(header["filter_words"])
        if schema is not None and words != schema.words:
            raise MismatchError("submission filter length differs from the schema's")
        dtype = _record_dtype(words)
        n = int(header["record_count"])
        expected = n * dtype.itemsize
        if header["payload_length"] != expected:
            raise SubmissionError("submission payload length does not match its record count")
        offset = len(MAGIC) + 4 + hlen + SIGNATURE_BYTES
        if size - offset != expected:
            raise SubmissionError(
                "submission body is truncated" if size - offset < expected else "submission has trailing data"
            )
        body = _read_exact(fh, expected, "body")
    if hashlib.sha256(body).hexdigest() != header["payload_sha256"]:
        raise SubmissionError("submission body does not match its signed hash (tampered or corrupt)")
    arr = np.frombuffer(body, dtype=dtype, count=n)
    record_ids = np.array([bytes(x).hex() for x in arr["record_id"]], dtype="<U32")
    if len(set(record_ids.tolist())) != n:
        raise SubmissionError("submission repeats a record id")
    filters = np.ascontiguousarray(arr["filter"]).astype(np.uint64).reshape(n, words)
    presence = np.ascontiguousarray(arr["presence"]).astype(np.uint16)
    return Submission(header=SubmissionHeader.from_json(header), record_ids=record_ids, presence=presence,
                      filters=filters)


def describe_submission(sub: Submission) -> dict[str, Any]:
    """Header facts, counts and a fill histogram (share of bits set per filter)."""
    from linkage.compare import popcount

    h = sub.header
    length = h.filter_words * 64
    fill = popcount(sub.filters) / length if len(sub) else np.zeros(0)
    edges = np.linspace(0.0, 1.0, 21)
    hist, _ = np.histogram(fill, bins=edges)
    field_names = [f["name"] for f in h.schema.get("fields", [])]
    presence_counts = {
        name: int(np.count_nonzero(sub.presence & (1 << i))) for i, name in enumerate(field_names)
    }
    return {
        "file_format": f"{h.format} v{h.format_version}",
        "reporter_id": sub.reporter_id,
        "submission_id": sub.submission_id,
        "created": h.created,
        "schema_name": h.schema.get("name"),
        "schema_fingerprint": h.schema_fingerprint,
        "key_id": h.key_id,
        "signer": h.signer,
        "record_count": len(sub),
        "filter_bits": length,
        "fields_present": presence_counts,
        "fields_dropped": dict(h.dropped_cells) if h.dropped_cells is not None else None,
        "period": dict(h.period) if h.period is not None else None,
        "replaces": h.replaces,
        "fill_mean": float(fill.mean()) if len(sub) else 0.0,
        "fill_min": float(fill.min()) if len(sub) else 0.0,
        "fill_max": float(fill.max()) if len(sub) else 0.0,
        "fill_histogram": {
            f"{edges[i]:.2f}-{edges[i + 1]:.2f}": int(hist[i]) for i in range(len(hist)) if hist[i]
        },
    }
