"""Build the offline reporter page: one HTML file with its script, style and data inline.

The page ports the reporter side of the data path (intake, normalise, encode,
submission) to the browser. What the Python rules read as data is embedded
from the package itself, so the page cannot drift from it: the normaliser's
word lists and code tables (:func:`linkage.normalise.tables.portable_rules`),
the built-in column names (``linkage/intake/data/column_names.csv``), and
``anyascii``'s transliteration of every code point of the Basic Multilingual
Plane (deflated; the browser inflates it with ``DecompressionStream``).

Trust:

* A ``Content-Security-Policy`` meta tag allows nothing (``default-src
  'none'``) but the page's own inline script and style, each by its SHA-256
  hash: no connection, no image, no form target, no other script can run. The
  page works from ``file://``.
* The page's *check value* is the SHA-256 of the file with the check value
  itself written as 64 zeros (a file cannot hold its own hash); the footer
  shows it, :func:`check_value` recomputes it from a file, and the command
  prints it with the plain SHA-256 of the whole file (what ``sha256sum`` or
  ``certutil -hashfile`` show), so a registry can publish both.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from linkage.errors import LinkageError
from linkage.files import atomic_write_bytes, check_outputs
from linkage.intake import header_key
from linkage.schema import LOCAL_ONLY_KEYS, Schema, canonical_json, fingerprint_body, load_schema
from linkage.submission import REPORTER_ID_PATTERN

__all__ = ["LANGUAGES", "ReporterPage", "build_reporter_page", "check_value", "write_reporter_page"]

#: Languages the page speaks (the first is the default).
LANGUAGES = ("nl", "en")
_KEY_ID = re.compile(r"kid-[0-9a-f]{32}")
_SLOT = "0" * 64
_SLOT_MARK = '"page_hash_slot":"' + _SLOT + '"'
_FIELD_TYPES = ("initials", "year", "country", "sex", "text")


@dataclass(frozen=True)
class ReporterPage:
    """A built page: its bytes, its check value (shown in its footer) and the SHA-256 of the whole file."""

    html: bytes
    check_value: str
    file_sha256: str
    schema_fingerprint: str

    @property
    def size(self) -> int:
        return len(self.html)


def _resource(name: str) -> str:
    return resources.files("linkage.reporter_page").joinpath(name).read_text("utf-8")


@lru_cache(maxsize=1)
def _translit_blob() -> str:
    """anyascii of U+0080..U+FFFF (surrogates empty), joined by U+0001, raw-deflated, base64."""
    from anyascii import anyascii

    parts = []
    for cp in range(0x80, 0x10000):
        parts.append("" if 0xD800 <= cp < 0xE000 else anyascii(chr(cp)))
    text = "\x01".join(parts)
    if any("\x01" in p for p in parts):  # pragma: no cover - anyascii gives printable ASCII
        raise LinkageError("transliteration table holds the separator")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = comp.compress(text.encode("ascii")) + comp.flush()
    return base64.b64encode(raw).decode("ascii")


def _column_names() -> list[list[str]]:
    text = resources.files("linkage.intake").joinpath("data", "column_names.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [[header_key(row["header"]), row["source"], row["header"], row.get("note") or ""]
            for row in csv.DictReader(lines)]


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element (no "</" or "<!--")."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _linkage_version() -> str:
    try:
        return version("linkage")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "(source)"


def _check_schema(schema: Schema) -> None:
    unknown = sorted({f.type for f in schema.fields if f.type not in _FIELD_TYPES})
    if unknown:
        raise LinkageError(f"the reporter page knows the built-in field types only, not {', '.join(unknown)}")
    h = schema.hardening
    if h.uses_keystream and h.keystream != "aes-256-ctr":
        raise LinkageError(
            "this schema draws its hardening randomness from ChaCha20, which browsers' Web Crypto lacks; "
            "re-issue it as a version 2 schema with \"keystream\": \"aes-256-ctr\" (a new fingerprint) "
            "or let this reporter use linkage encode"
        )


def _flip_threshold(schema: Schema) -> int | None:
    if schema.hardening.blip_epsilon is None:
        return None
    from linkage.encode.hazmat import blip_flip_probability

    k = max(f.bits_per_token for f in schema.fields)
    return round(blip_flip_probability(schema.hardening.blip_epsilon, k) * 2**32)


def build_reporter_page(
    schema: Schema | None = None,
    *,
    reporter_id: str | None = None,
    key_id: str | None = None,
    lang: str = "nl",
) -> ReporterPage:
    """The page for ``schema`` (default: the built-in profile), a reporter id and the expected key id.

    ``reporter_id`` and ``key_id`` may be left out: the page then asks for the
    reporter id and accepts any linkage secret, showing its key id.
    """
    schema = schema if schema is not None else load_schema(None)
    _check_schema(schema)
    if reporter_id is not None and not re.fullmatch(REPORTER_ID_PATTERN, reporter_id):
        raise LinkageError("reporter id must be 1-64 characters of a-z, 0-9, '_', '.', '-'")
    if key_id is not None and not _KEY_ID.fullmatch(key_id):
        raise LinkageError("a key id looks like kid- and 32 hex digits (linkage keygen prints it)")
    if lang not in LANGUAGES:
        raise LinkageError(f"the page speaks {' and '.join(LANGUAGES)}, not {lang!r}")
    from linkage.normalise.tables import portable_rules

    embedded = {k: v for k, v in schema.document.items() if k not in LOCAL_ONLY_KEYS}
    config = {
        "format_version": 1,
        "schema_name": schema.name,
        "fingerprint": schema.fingerprint,
        "fingerprint_text": canonical_json(fingerprint_body(schema.document)).decode("utf-8"),
        "schema_header_json": json.dumps(embedded, sort_keys=True, separators=(",", ":")),
        "flip_threshold": _flip_threshold(schema),
        "sources": list(schema.sources),
        "columns_mapping": dict(schema.columns),
        "column_names": _column_names(),
        "reporter_id": reporter_id,
        "key_id": key_id,
        "lang": lang,
        "texts": json.loads(_resource("texts.json")),
        "page_hash_slot": _SLOT,
    }
    script = _resource("page.js")
    css = _resource("page.css")
    csp = "; ".join([
        "default-src 'none'", f"script-src {_csp_hash(script)}", f"style-src {_csp_hash(css)}",
        "img-src 'none'", "connect-src 'none'", "font-src 'none'", "media-src 'none'", "object-src 'none'",
        "frame-src 'none'", "worker-src 'none'", "manifest-src 'none'", "form-action 'none'", "base-uri 'none'",
    ])
    title = json.loads(_resource("texts.json"))[lang]["title"]
    config_text = _script_json(config)
    if config_text.count(_SLOT_MARK) != 1:  # pragma: no cover - the slot is written once above
        raise LinkageError("page check-value slot not found")
    html = _resource("page.html")
    for name, value in (("{{CSP}}", csp), ("{{LANG}}", lang), ("{{TITLE}}", title), ("{{CSS}}", css),
                        ("{{VERSION}}", _linkage_version()), ("{{CONFIG}}", config_text),
                        ("{{RULES}}", _script_json(portable_rules())), ("{{TRANSLIT}}", _translit_blob()),
                        ("{{SCRIPT}}", script)):
        html = html.replace(name, value, 1)
    data = html.encode("utf-8")
    value = hashlib.sha256(data).hexdigest()
    data = data.replace(_SLOT_MARK.encode(), _SLOT_MARK.replace(_SLOT, value).encode(), 1)
    return ReporterPage(html=data, check_value=value, file_sha256=hashlib.sha256(data).hexdigest(),
                        schema_fingerprint=schema.fingerprint)


def check_value(html: bytes) -> str:
    """The check value of a page's bytes: SHA-256 with its own check value written as zeros.

    A page whose footer shows another value than this was changed after it was built.
    """
    m = re.search(rb'"page_hash_slot":"([0-9a-f]{64})"', html)
    if m is None:
        raise LinkageError("not a linkage reporter page (no check value in it)")
    blank = html[: m.start(1)] + _SLOT.encode() + html[m.end(1):]
    return hashlib.sha256(blank).hexdigest()


def write_reporter_page(
    path: str | Path,
    schema: Schema | None = None,
    *,
    reporter_id: str | None = None,
    key_id: str | None = None,
    lang: str = "nl",
    overwrite: bool = False,
) -> ReporterPage:
    """Build the page and write it to ``path`` atomically (checked first: no overwrite without ``overwrite``)."""
    out = Path(path)
    check_outputs({"the page": out}, overwrite=overwrite)
    page = build_reporter_page(schema, reporter_id=reporter_id, key_id=key_id, lang=lang)
    atomic_write_bytes(out, [page.html], overwrite=overwrite)
    out.chmod(0o644)
    return page
