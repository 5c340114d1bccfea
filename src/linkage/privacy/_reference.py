"""The field's reference encoding: a clkhash-style record-level Bloom filter (CLK).

This is how record linkage is done in the field today, written out so that the
attack suite can measure it next to ``linkage``'s own encoding. It follows
clkhash 0.18 (data61/clkhash) with its defaults and no hardening:

* **Keys.** One secret; HKDF-SHA256 (RFC 5869, no salt, no info) expands it into
  two 64-byte keys per field, in field order (clkhash ``generate_key_lists`` with
  ``num_hashing_methods=2``, ``key_size=64``).
* **Tokens.** Initials: padded character bigrams (clkhash ``NgramComparison(n=2)``:
  ``"AB"`` -> ``" A"``, ``"AB"``, ``"B "``). Birth year: with
  ``year_neighbourhood`` the numeric neighbourhood tokens of clkhash
  ``NumericComparison(threshold_distance=2, resolution=1)`` (Vatsalan and
  Christen, *Privacy-preserving matching of similar patients*, J. Biomed.
  Inform. 2015), i.e. one token for each of the years ``y - 1``, ``y``,
  ``y + 1`` (written as clkhash writes them, ``str(2 * year)``); without it one
  exact token, the year as text. Nationality and sex: one exact token each
  (clkhash ``ExactComparison``). The low end of a year interval is encoded.
  A missing value gives no tokens.
* **Positions.** The ``doubleHash`` of Schnell, Bachteler and Reiher (*Privacy-
  preserving record linkage using Bloom filters*, BMC Med. Inform. Decis. Mak.
  9:41, 2009; *A novel error-tolerant anonymous linking code*, 2011):
  ``g_i = (h1 + i * h2) mod L`` for ``i = 0 .. k-1``, with ``h1`` = HMAC-SHA1 and
  ``h2`` = HMAC-MD5 of the token under the field's two keys, read as big-endian
  integers. This is what clkhash's ``double_hash_encode_ngrams`` does (its
  HMACs are SHA-1 and MD5, not SHA-256; HKDF uses SHA-256). Kroll and Steinmetzer
  (*Automated cryptanalysis of Bloom filter encryptions of health records*,
  2015) showed that this structure leaks: only ``L**2`` position patterns exist,
  and an even ``h2`` with a power-of-two ``L`` sets fewer than ``k`` bits.
  ``prevent_singularity`` re-draws ``h2`` when it is ``0 mod L`` (clkhash's
  optional ``prevent_singularity``, off by default there and here).
* **Filter.** All fields' bits OR-ed into one record-level filter of ``L`` bits
  (Schnell, Bachteler and Reiher 2011, the "cryptographic long-term key"), with
  ``k`` bits per token (clkhash ``bitsPerToken`` strategy); no XOR folding, no
  balancing, no salting, no bit flips.

It is deliberately *not* ``linkage``'s encoding: positions are double hashing,
and the year leaks its order through the neighbourhood tokens (the threat-model
figures in the design brief were measured on this encoding). It exists only for
attacks and benchmarks and is never imported by the pipeline.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from linkage.hazmat import pack_bits
from linkage.privacy._common import QI_COLUMNS, EncodedView

REFERENCE_FIELDS: tuple[str, ...] = QI_COLUMNS
"""Field order of the reference encoding (it fixes which HKDF keys a field gets)."""

KDF_KEY_SIZE = 64
"""Bytes per derived HMAC key (clkhash ``DEFAULT_KEY_SIZE``: the SHA-1/MD5 block size)."""

HASHING_METHODS = 2
"""Keys per field: one for ``h1`` (HMAC-SHA1), one for ``h2`` (HMAC-MD5)."""

FieldKeys = tuple[bytes, bytes]


def reference_field_keys(secret: bytes, n_fields: int = len(REFERENCE_FIELDS)) -> tuple[FieldKeys, ...]:
    """Two HMAC keys per field, derived from ``secret`` as clkhash does.

    HKDF-SHA256 (RFC 5869) without salt or info, ``n_fields * 2 * 64`` bytes,
    cut into 64-byte keys; field ``i`` gets keys ``2i`` and ``2i + 1``.
    """
    if not isinstance(secret, (bytes, bytearray)):
        raise TypeError("the reference secret must be bytes, not text")
    if len(secret) == 0:
        raise ValueError("the reference secret must not be empty")
    total = n_fields * HASHING_METHODS * KDF_KEY_SIZE
    material = HKDF(algorithm=hashes.SHA256(), length=total, salt=None, info=None).derive(bytes(secret))
    keys = [material[i * KDF_KEY_SIZE : (i + 1) * KDF_KEY_SIZE] for i in range(n_fields * HASHING_METHODS)]
    return tuple((keys[2 * i], keys[2 * i + 1]) for i in range(n_fields))


def bigrams(text: str) -> list[str]:
    """Padded character bigrams as clkhash's ``NgramComparison(n=2)`` makes them (space padding)."""
    if not text:
        return []
    padded = f" {text} "
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def numeric_neighbourhood(value: int, *, threshold_distance: int = 2, resolution: int = 1) -> list[str]:
    """clkhash ``NumericComparison`` tokens of an integer (``fractional_precision=0``).

    The value is scaled by ``2 * resolution``, snapped to a multiple of
    ``threshold_distance`` and surrounded by ``resolution`` neighbours on each
    side, ``threshold_distance`` apart. With the defaults (2, 1) the tokens of a
    year ``y`` are ``2(y-1)``, ``2y`` and ``2(y+1)``: years one apart share two
    of three tokens, years two apart one.
    """
    v = value * 2 * resolution
    residue = v % threshold_distance
    if residue == 0:
        pass
    elif residue < threshold_distance / 2:
        v -= residue
    else:
        v += threshold_distance - residue
    return [str(v + i * threshold_distance) for i in range(-resolution, resolution + 1)]


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def reference_tokens(field: str, value: Any, *, year_neighbourhood: bool = True) -> list[str]:
    """Tokens of one canonical value of one field (an empty list for a missing value)."""
    if _is_missing(value):
        return []
    if field == "initials":
        return bigrams(str(value))
    if field == "birth_year":
        lo = int(value[0]) if isinstance(value, (tuple, list)) else int(value)
        return numeric_neighbourhood(lo) if year_neighbourhood else [str(lo)]
    if field in ("nationality", "sex"):
        text = str(value)
        return [text] if text else []
    raise ValueError(f"the reference encoding has no field {field!r}")


def double_hash_positions(
    keys: FieldKeys, token: str, k: int, length: int, *, prevent_singularity: bool = False
) -> list[int]:
    """Positions ``(h1 + i * h2) mod L``, ``i < k``, of clkhash's ``doubleHash`` (may repeat).

    ``h1`` is HMAC-SHA1 under ``keys[0]``, ``h2`` HMAC-MD5 under ``keys[1]``,
    both of the UTF-8 token read as big-endian integers, reduced mod ``length``.
    """
    data = token.encode("utf-8")
    h1 = int.from_bytes(hmac.digest(keys[0], data, hashlib.sha1), "big") % length
    h2 = int.from_bytes(hmac.digest(keys[1], data, hashlib.md5), "big") % length
    if prevent_singularity:
        i = 0
        while h2 == 0:
            h2 = int.from_bytes(hmac.digest(keys[1], data + chr(i).encode("utf-8"), hashlib.md5), "big") % length
            i += 1
    return [(h1 + i * h2) % length for i in range(k)]


def reference_value_positions(
    field: str,
    value: Any,
    keys: FieldKeys,
    *,
    length: int = 1024,
    k: int = 20,
    year_neighbourhood: bool = True,
    prevent_singularity: bool = False,
) -> list[int]:
    """Sorted distinct bit positions one field value sets (what a key holder can compute)."""
    pos: set[int] = set()
    for tok in reference_tokens(field, value, year_neighbourhood=year_neighbourhood):
        pos.update(double_hash_positions(keys, tok, k, length, prevent_singularity=prevent_singularity))
    return sorted(pos)


def _check_params(length: int, k: int) -> None:
    if length <= 0 or length % 64:
        raise ValueError("length must be a positive multiple of 64")
    if k <= 0:
        raise ValueError("k must be positive")


def _check_columns(records: pd.DataFrame, fields: Sequence[str]) -> None:
    missing = [c for c in fields if c not in records.columns]
    if missing:
        raise ValueError(f"records lack column(s): {', '.join(missing)}")


def encode_reference(
    records: pd.DataFrame,
    secret: bytes,
    *,
    length: int = 1024,
    k: int = 20,
    year_neighbourhood: bool = True,
    prevent_singularity: bool = False,
) -> npt.NDArray[np.uint64]:
    """clkhash-style record-level Bloom filters of canonical records, packed into uint64 words.

    ``records`` has the columns ``initials`` (str or None), ``birth_year``
    (``(lo, hi)`` or None), ``nationality`` and ``sex`` (str or None), as from
    :func:`linkage.privacy.synthetic_population` or
    :func:`linkage.normalise_records`. Returns an ``(n, length // 64)`` array laid
    out like :func:`linkage.encode_records` (see :func:`linkage.hazmat.pack_bits`),
    so the same Dice kernels and attacks run on it. Deterministic given the
    secret; a different secret gives different filters.
    """
    _check_params(length, k)
    _check_columns(records, REFERENCE_FIELDS)
    all_keys = reference_field_keys(secret)
    n = len(records)
    bits = np.zeros((n, length + 1), dtype=bool)  # column `length` swallows padding
    rows = np.arange(n)[:, None]
    for field, keys in zip(REFERENCE_FIELDS, all_keys, strict=True):
        cache: dict[Any, int] = {}
        tables: list[list[int]] = []
        codes = np.empty(n, dtype=np.int64)
        for r, value in enumerate(records[field].tolist()):
            if _is_missing(value):
                codes[r] = -1
                continue
            hashable = tuple(value) if isinstance(value, list) else value
            c = cache.get(hashable)
            if c is None:
                c = len(tables)
                tables.append(
                    reference_value_positions(
                        field, value, keys, length=length, k=k,
                        year_neighbourhood=year_neighbourhood, prevent_singularity=prevent_singularity,
                    )
                )
                cache[hashable] = c
            codes[r] = c
        width = max((len(t) for t in tables), default=1) or 1
        table = np.full((len(tables) + 1, width), length, dtype=np.int64)  # last row: missing
        for c, t in enumerate(tables):
            table[c, : len(t)] = t
        bits[rows, table[np.where(codes < 0, len(tables), codes)]] = True
    return pack_bits(np.ascontiguousarray(bits[:, :length]))


def reference_presence(records: pd.DataFrame, fields: Sequence[str] = REFERENCE_FIELDS) -> npt.NDArray[np.uint16]:
    """Presence masks as submissions carry them: bit ``i`` set when ``fields[i]`` has a value."""
    _check_columns(records, fields)
    out = np.zeros(len(records), dtype=np.uint16)
    for i, field in enumerate(fields):
        has = np.array([not _is_missing(v) for v in records[field].tolist()], dtype=bool)
        out |= np.where(has, np.uint16(1 << i), np.uint16(0)).astype(np.uint16)
    return out


def reference_view(
    records: pd.DataFrame,
    secret: bytes,
    *,
    length: int = 1024,
    k: int = 20,
    year_neighbourhood: bool = True,
    prevent_singularity: bool = False,
) -> EncodedView:
    """What a registry would hold of records encoded with :func:`encode_reference`."""
    filters = encode_reference(
        records, secret, length=length, k=k,
        year_neighbourhood=year_neighbourhood, prevent_singularity=prevent_singularity,
    )
    return EncodedView(filters=filters, presence=reference_presence(records), filter_length=length)
