"""Canonical records -> keyed record-level Bloom filters, packed in uint64 words.

Bit positions of a token come from a keyed PRF: HMAC-SHA256 under the field's
HKDF subkey, over a block counter and the token, read as big-endian 32-bit
integers reduced modulo the filter length (a multiple of 64, at most 65,536, so
the modulo bias is below 2**-16). Not double hashing: without the subkey the
positions of a token cannot be computed, and positions of different tokens are
independent.

Packing: bit ``p`` of a filter lives in word ``p // 64`` at bit ``p % 64``
(little-endian words). ``presence`` is a bit mask per record: bit ``i`` is set
when schema field ``i`` had a value.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.encode._keys import LinkageKey
from linkage.encode._tokens import tokeniser
from linkage.errors import LinkageError
from linkage.schema import Schema

_CHUNK_ROWS = 65_536


def token_positions(subkey: bytes, token: str, k: int, length: int) -> list[int]:
    """The ``k`` bit positions of ``token`` under ``subkey`` in a filter of ``length`` bits.

    A raw primitive: callers should use :func:`encode_records`. Attacks and
    benchmarks use it to play the part of someone who holds the key.
    """
    out: list[int] = []
    data = token.encode("utf-8")
    block = 0
    while len(out) < k:
        digest = hmac.digest(subkey, block.to_bytes(4, "big") + data, hashlib.sha256)
        for i in range(0, 32, 4):
            out.append(int.from_bytes(digest[i : i + 4], "big") % length)
            if len(out) == k:
                break
        block += 1
    return out


@dataclass(frozen=True)
class EncodedRecords:
    """Filters of a batch of records, with what they were made under.

    ``filters`` has shape ``(n, schema.words)`` and dtype ``uint64``;
    ``presence`` has shape ``(n,)`` and dtype ``uint16``; ``rows`` gives the
    1-based input row of each filter (it stays with the reporter).
    """

    filters: npt.NDArray[np.uint64]
    presence: npt.NDArray[np.uint16]
    rows: npt.NDArray[np.int64]
    schema_fingerprint: str
    key_id: str

    def __len__(self) -> int:
        return int(self.filters.shape[0])

    def __repr__(self) -> str:
        return (
            f"EncodedRecords(n={len(self)}, words={self.filters.shape[1]}, "
            f"schema={self.schema_fingerprint[:19]}..., key_id={self.key_id!r})"
        )


def pack_bits(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
    """Pack a boolean ``(n, L)`` matrix into ``(n, L // 64)`` uint64 words."""
    n, length = bits.shape
    packed = np.packbits(bits, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").reshape(n, length // 64).astype(np.uint64, copy=False)


def unpack_bits(filters: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """Inverse of :func:`pack_bits`."""
    n, words = filters.shape
    as_bytes = np.ascontiguousarray(filters.astype("<u8", copy=False)).view(np.uint8).reshape(n, words * 8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little").astype(bool)


def record_positions(
    values: Sequence[Any], schema: Schema, key: LinkageKey
) -> tuple[list[list[int]], int]:
    """Bit positions of one record (one canonical value per schema field) and its presence mask."""
    positions: list[list[int]] = []
    mask = 0
    for i, (spec, value) in enumerate(zip(schema.fields, values, strict=True)):
        if value is None:
            continue
        mask |= 1 << i
        sub = key.field_subkey(spec.name)
        for tok in tokeniser(spec)(value):
            positions.append(token_positions(sub, tok, spec.bits_per_token, schema.filter_length))
    return positions, mask


def encode_records(normalised: pd.DataFrame, schema: Schema, key: LinkageKey) -> EncodedRecords:
    """Encode normalised records (see :func:`linkage.normalise.normalise_records`).

    ``normalised`` must have one column per schema field holding canonical
    values or ``None``. Deterministic: the same schema, key and records give the
    same bits in every run.
    """
    if not isinstance(key, LinkageKey):
        raise LinkageError("encode_records needs a LinkageKey (read it with read_linkage_key)")
    missing = [f.name for f in schema.fields if f.name not in normalised.columns]
    if missing:
        raise LinkageError(f"normalised records lack schema field column(s): {', '.join(missing)}")
    n = len(normalised)
    length = schema.filter_length
    filters = np.zeros((n, schema.words), dtype=np.uint64)
    presence = np.zeros(n, dtype=np.uint16)

    # Per field: distinct canonical value -> list of positions. The quasi-identifier
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
        for r, value in enumerate(col):
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
                codes[r] = -1
                continue
            c = cache.get(value)
            if c is None:
                pos: list[int] = []
                for t in tok(value):
                    pos.extend(token_positions(sub, t, spec.bits_per_token, length))
                c = len(tables)
                tables.append(sorted(set(pos)))
                cache[value] = c
            codes[r] = c
        presence |= np.where(codes >= 0, np.uint16(1 << i), np.uint16(0)).astype(np.uint16)
        width = max((len(t) for t in tables), default=0)
        table = np.full((len(tables) + 1, max(width, 1)), -1, dtype=np.int64)
        for c, t in enumerate(tables):
            table[c, : len(t)] = t
        per_field_positions.append(table)
        codes = np.where(codes < 0, len(tables), codes)  # last row of the table is all -1
        per_field_codes.append(codes)

    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        bits = np.zeros((stop - start, length + 1), dtype=bool)  # column `length` swallows the -1 pads
        rows = np.arange(stop - start)[:, None]
        for table, codes in zip(per_field_positions, per_field_codes, strict=True):
            pos = table[codes[start:stop]]
            bits[rows, np.where(pos < 0, length, pos)] = True
        filters[start:stop] = pack_bits(bits[:, :length])

    if "_row" in normalised.columns:
        rows_out = normalised["_row"].to_numpy(dtype=np.int64)
    else:
        rows_out = np.arange(1, n + 1, dtype=np.int64)
    return EncodedRecords(
        filters=filters,
        presence=presence,
        rows=rows_out,
        schema_fingerprint=schema.fingerprint,
        key_id=key.key_id,
    )


def encode_dataframe(df: pd.DataFrame, schema: Schema, key: LinkageKey) -> EncodedRecords:
    """Normalise a reporter's raw table and encode it: the one call most users need."""
    from linkage.normalise import normalise_records

    return encode_records(normalise_records(df, schema), schema, key)
