"""Canonical records -> keyed Bloom filters, hardened, packed in uint64 words.

Bit positions of a token come from a keyed PRF: HMAC-SHA256 under the field's
HKDF subkey, over a block counter and the token, read as big-endian 32-bit
integers reduced modulo the filter length (a multiple of 64, at most 65,536, so
the modulo bias is below 2**-16). Not double hashing: without the subkey the
positions of a token cannot be computed, and positions of different tokens are
independent.

With a salt (``hardening.salt``) the record's salt tag is part of every
token's PRF input, so records with different salts get unrelated positions. At
filter level ``"field"`` each field's positions are reduced modulo its segment
length and shifted to its segment. The filter-level hardening steps (BLIP,
balance, fold, permute) follow in :mod:`linkage.encode._hardening`.

Packing: bit ``p`` of a filter lives in word ``p // 64`` at bit ``p % 64``
(little-endian words). ``presence`` is a bit mask per record: bit ``i`` is set
when schema field ``i`` had a value.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.encode._hardening import hardening_plan, pack_rows, salt_tag
from linkage.encode._secret import LinkageKey
from linkage.encode._tokens import tokeniser
from linkage.errors import LinkageError
from linkage.records import EncodedRecords
from linkage.schema import Schema

_CHUNK_ROWS = 65_536
_CHUNK_ROWS_HARDENED = 8_192  # balancing doubles the bit matrix; keep chunks small


def token_positions(subkey: bytes, token: str, k: int, length: int, salt: bytes | None = None) -> list[int]:
    """The ``k`` bit positions of ``token`` under ``subkey`` in a filter of ``length`` bits.

    The PRF input is ``uint32_be(block) || utf8(token)``; with a ``salt`` tag
    (see :func:`linkage.encode._hardening.salt_tag`) it is
    ``uint32_be(block) || uint16_be(len(salt)) || salt || utf8(token)``.

    A raw primitive: callers should use :func:`encode_records`. Attacks and
    benchmarks use it to play the part of someone who holds the key.
    """
    out: list[int] = []
    data = token.encode("utf-8")
    if salt is not None:
        if len(salt) > 0xFFFF:
            raise LinkageError("salt tag is too long")
        data = len(salt).to_bytes(2, "big") + salt + data
    block = 0
    while len(out) < k:
        digest = hmac.digest(subkey, block.to_bytes(4, "big") + data, hashlib.sha256)
        for i in range(0, 32, 4):
            out.append(int.from_bytes(digest[i : i + 4], "big") % length)
            if len(out) == k:
                break
        block += 1
    return out


def pack_bits(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
    """Pack a boolean ``(n, L)`` matrix into ``(n, L // 64)`` uint64 words."""
    return pack_rows(bits)


def unpack_bits(filters: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """Inverse of :func:`pack_bits`."""
    n, words = filters.shape
    as_bytes = np.ascontiguousarray(filters.astype("<u8", copy=False)).view(np.uint8).reshape(n, words * 8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little").astype(bool)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _segment(spec: Any, length: int) -> tuple[int, int]:
    """``(offset, length)`` a field's tokens hash into: its segment, or the whole filter."""
    return spec.segment if spec.segment is not None else (0, length)


def record_positions(
    values: Sequence[Any], schema: Schema, key: LinkageKey
) -> tuple[list[list[int]], int]:
    """Bit positions of one record (one canonical value per schema field) and its presence mask.

    Positions are in the plain Bloom filter of ``schema.filter_length`` bits,
    with the record's salt and the field segments applied, before the
    filter-level hardening steps (BLIP, balance, fold, permute).
    """
    positions: list[list[int]] = []
    mask = 0
    salt = _record_salt(values, schema)
    for i, (spec, value) in enumerate(zip(schema.fields, values, strict=True)):
        if _is_missing(value):
            continue
        mask |= 1 << i
        sub = key.field_subkey(spec.name)
        offset, seg = _segment(spec, schema.filter_length)
        for tok in tokeniser(spec)(value):
            positions.append(
                [offset + p for p in token_positions(sub, tok, spec.bits_per_token, seg, salt)]
            )
    return positions, mask


def _record_salt(values: Sequence[Any], schema: Schema) -> bytes | None:
    h = schema.hardening
    if h.salt_field is None:
        return None
    idx = schema.field_names.index(h.salt_field)
    return salt_tag(values[idx], schema.fields[idx], h.salt_band)


def encode_records(
    normalised: pd.DataFrame,
    schema: Schema,
    key: LinkageKey,
    *,
    seed: int | bytes | None = None,
) -> EncodedRecords:
    """Encode normalised records (see :func:`linkage.normalise.normalise_records`).

    ``normalised`` must have one column per schema field holding canonical
    values or ``None``. Deterministic: the same schema, key, records (and
    ``seed``) give the same bits in every run. The filters have
    ``schema.words`` words: the *output* length after hardening.

    ``seed`` only matters when the schema has BLIP bit flipping: the flips of a
    record are a keyed function of its plain filter and of ``seed``. The
    default (``None``) gives every reporter of a linkage domain the same noise
    for the same record, which is what linkage needs and what keeps repeated
    encodings of one person from being averaged; pass a seed only to draw
    independent noise on purpose (benchmarks, simulations).
    """
    if not isinstance(key, LinkageKey):
        raise LinkageError("encode_records needs a LinkageKey (read it with read_linkage_key)")
    missing = [f.name for f in schema.fields if f.name not in normalised.columns]
    if missing:
        raise LinkageError(f"normalised records lack schema field column(s): {', '.join(missing)}")
    n = len(normalised)
    length = schema.filter_length
    plan = hardening_plan(schema, key, seed=seed)
    filters = np.zeros((n, schema.words), dtype=np.uint64)
    presence = np.zeros(n, dtype=np.uint16)

    # The salt tag of each record (None without salting).
    h = schema.hardening
    salts: list[bytes | None]
    if h.salt_field is not None:
        salt_spec = schema.field(h.salt_field)
        salts = [salt_tag(v, salt_spec, h.salt_band) for v in normalised[h.salt_field].tolist()]
    else:
        salts = [None] * n

    # Per field: distinct (canonical value, salt) -> list of positions. The quasi-identifier
    # space is small, so this cache turns a million HMAC calls into a few thousand.
    per_field_positions: list[npt.NDArray[np.int64]] = []
    per_field_codes: list[npt.NDArray[np.int64]] = []
    for i, spec in enumerate(schema.fields):
        col = normalised[spec.name].tolist()
        cache: dict[Any, int] = {}
        codes = np.empty(n, dtype=np.int64)
        tables: list[list[int]] = []
        sub = key.field_subkey(spec.name)
        tok = tokeniser(spec)
        offset, seg = _segment(spec, length)
        for r, value in enumerate(col):
            if _is_missing(value):
                codes[r] = -1
                continue
            ck = (value, salts[r])
            c = cache.get(ck)
            if c is None:
                pos: list[int] = []
                for t in tok(value):
                    pos.extend(token_positions(sub, t, spec.bits_per_token, seg, salts[r]))
                c = len(tables)
                tables.append(sorted({offset + p for p in pos}))
                cache[ck] = c
            codes[r] = c
        presence |= np.where(codes >= 0, np.uint16(1 << i), np.uint16(0)).astype(np.uint16)
        width = max((len(t) for t in tables), default=0)
        table = np.full((len(tables) + 1, max(width, 1)), -1, dtype=np.int64)
        for c, positions in enumerate(tables):
            table[c, : len(positions)] = positions
        per_field_positions.append(table)
        codes = np.where(codes < 0, len(tables), codes)  # last row of the table is all -1
        per_field_codes.append(codes)

    if "_row" in normalised.columns:
        rows_out = normalised["_row"].to_numpy(dtype=np.int64)
    else:
        rows_out = np.arange(1, n + 1, dtype=np.int64)
    chunk = _CHUNK_ROWS_HARDENED if plan.active else _CHUNK_ROWS
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        bits = np.zeros((stop - start, length + 1), dtype=bool)  # column `length` swallows the -1 pads
        rows = np.arange(stop - start)[:, None]
        for table, codes in zip(per_field_positions, per_field_codes, strict=True):
            cols = table[codes[start:stop]]
            bits[rows, np.where(cols < 0, length, cols)] = True
        plain = bits[:, :length]
        filters[start:stop] = pack_bits(plan.apply(plain, rows_out[start:stop]) if plan.active else plain)
    if plan.active:
        # A record without any value stays all zeros: hardening must not give
        # unknown records shared bits (two unknowns never agree).
        filters[presence == 0] = 0
    return EncodedRecords(
        filters=filters,
        presence=presence,
        rows=rows_out,
        schema_fingerprint=schema.fingerprint,
        key_id=key.key_id,
    )


def encode_dataframe(
    df: pd.DataFrame, schema: Schema, key: LinkageKey, *, seed: int | bytes | None = None
) -> EncodedRecords:
    """Normalise a reporter's raw table and encode it: the one call most users need."""
    from linkage.normalise import normalise_records

    return encode_records(normalise_records(df, schema), schema, key, seed=seed)
