"""Hardening of record Bloom filters (reporter side).

The schema's ``hardening`` section turns on some of these steps; the encoder
applies them in this fixed order::

    tokens -> bit positions (keyed PRF, with the per-record salt)
           -> Bloom bits (record level, or one segment per field)
           -> BLIP random bit flipping      (blip_epsilon)
           -> balancing: bits + complement, keyed permutation  (balance)
           -> XOR folding of the two halves                    (fold)
           -> keyed permutation of the final positions          (permute)

Salting and field segments change *where* tokens land and live in
:mod:`linkage.encode._bloom`; this module holds the steps that act on whole
filters, plus the salt tag of a record. Every random choice comes from the
linkage secret through HKDF purpose subkeys (``blip``, ``balance``,
``permutation``) and a keystream, so the same secret, schema and records give
the same bits in every run, and without the secret the choices cannot be
reproduced or predicted.

Keystream: ``keystream(k, n, kind=...)`` is the first ``n`` bytes of a stream
cipher under the 32-byte key ``k``, i.e. the "encryption" of ``n`` zero bytes.
The schema's ``hardening.keystream`` names the cipher:

* ``aes-256-ctr`` (the default from schema version 2): AES-256 in counter mode,
  initial counter block all zeros, incremented as a big-endian 128-bit integer
  (NIST SP 800-38A). Browsers' Web Crypto has it (AES-CTR with a zero
  ``counter`` and ``length`` 64 gives the same bytes for streams shorter than
  2**68 bytes), so the offline reporter page encodes with it.
* ``chacha20`` (what version 1 schemas meant): ChaCha20 (RFC 8439 block
  function) with block counter 0 and an all-zero nonce.

Keyed permutation of ``m`` positions under a subkey ``k``: read
``keystream(k, 8 * m, kind=...)`` as ``m`` little-endian uint64 values ``v`` and let
``perm`` be the stable ascending argsort of ``v``. Output bit ``i`` is input bit
``perm[i]``. (Sorting by 64-bit random values gives a uniform permutation unless
two values tie, which happens with probability below ``m**2 / 2**65``.)

Literature: Alaggan, Gambs and Kermarrec (2012) and Schnell and Borgs (2016) for
BLIP; Schnell and Borgs (2016) for balanced Bloom filters; Schnell, Borgs and
Encarnação (2016) for XOR folding; Niedermeyer et al. (2014) for salting with a
stable attribute; Christen, Ranbaduge and Schnell, *Linking Sensitive Data*
(Springer, 2020) surveys all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from linkage.encode._secret import LinkageKey
from linkage.errors import LinkageError
from linkage.fieldtypes import field_type
from linkage.schema import KEYSTREAM_KINDS, FieldSpec, KeystreamKind, Schema

_ZERO_NONCE = bytes(16)
_BLIP_INFO = b"linkage/v1/blip\x00"
_BLIP_ROW_INFO = b"linkage/v1/blip-row\x00"

#: Salt tag of a record whose salt attribute is missing: one fixed salt for all of them.
MISSING_SALT = b"?"


_ZEROS: dict[int, bytes] = {}


def keystream(key: bytes, nbytes: int, *, kind: KeystreamKind) -> bytes:
    """``nbytes`` of keystream under a 32-byte ``key``: AES-256-CTR or ChaCha20, counter 0, zero nonce.

    ``kind`` is the schema's ``hardening.keystream``; there is no default, so
    every caller says which cipher its schema names.
    """
    zeros = _ZEROS.get(nbytes)
    if zeros is None:
        zeros = bytes(nbytes)
        if len(_ZEROS) < 16:
            _ZEROS[nbytes] = zeros
    if kind == "aes-256-ctr":
        if len(key) != 32:
            raise LinkageError("the keystream key must be 32 bytes")
        enc = Cipher(algorithms.AES(key), modes.CTR(_ZERO_NONCE)).encryptor()
    elif kind == "chacha20":
        enc = Cipher(algorithms.ChaCha20(key, _ZERO_NONCE), mode=None).encryptor()
    else:
        raise LinkageError(f"keystream kind must be one of {', '.join(KEYSTREAM_KINDS)}")
    return enc.update(zeros)


def keyed_permutation(subkey: bytes, length: int, *, kind: KeystreamKind) -> npt.NDArray[np.int64]:
    """A keyed permutation of ``length`` positions: output bit ``i`` takes input bit ``perm[i]``."""
    values = np.frombuffer(keystream(subkey, 8 * length, kind=kind), dtype="<u8")
    return np.argsort(values, kind="stable").astype(np.int64)


def blip_flip_probability(epsilon: float, k: int) -> float:
    """Probability with which BLIP flips each bit: ``1 / (1 + exp(epsilon / k))``.

    This is the flipping probability of BLIP (Bloom-and-flIP), M. Alaggan,
    S. Gambs and A.-M. Kermarrec, "BLIP: Non-interactive Differentially-Private
    Similarity Computation on Bloom Filters", SSS 2012, LNCS 7596, pp. 202-216:
    adding or removing one element of the encoded set changes at most ``k``
    bits (``k`` = bits per element), and flipping every bit independently with
    this probability makes the flipped filter ``epsilon``-differentially private
    with respect to that change, since each bit contributes a likelihood ratio
    of at most ``(1 - p) / p = exp(epsilon / k)``. R. Schnell and C. Borgs,
    "Randomized Response and Balanced Bloom Filters for Privacy Preserving
    Record Linkage", ICDM Workshops 2016, use the same mechanism in its
    permanent-randomized-response form with a parameter ``f``: a bit is replaced
    by a fair coin with probability ``f``, i.e. flipped with probability
    ``f / 2``; so ``f = 2 p``.

    In a linkage schema the element is one token and ``k`` is the largest
    ``bits_per_token`` of its fields. The guarantee is per token, not per
    record (a record has about ten tokens, and the quasi-identifier space is
    small), so read ``epsilon`` as a knob whose effect the attack suite
    measures, not as a record-level privacy promise.
    """
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise LinkageError("blip epsilon must be a positive finite number")
    if k < 1:
        raise LinkageError("bits per token must be at least 1")
    ratio = epsilon / k
    if ratio > 700.0:
        # exp would overflow a float; the same value in a form that cannot
        # (it underflows towards 0: a huge epsilon flips almost nothing).
        tail = math.exp(-ratio)
        return tail / (1.0 + tail)
    return 1.0 / (1.0 + math.exp(ratio))


def blip_k(schema: Schema) -> int:
    """The ``k`` of the BLIP formula for a schema: its largest ``bits_per_token``."""
    return max(f.bits_per_token for f in schema.fields)


def salt_tag(value: Any, spec: FieldSpec, band: int | None) -> bytes:
    """The salt a record's canonical ``value`` of the salt field gives.

    ``b"=" + utf8(text)``, where ``text`` is the field type's salt text (for a
    year field: ``floor(first possible year / band)`` in decimal; otherwise the
    canonical value); ``b"?"`` when the value is missing, one fixed salt for
    every such record.
    """
    if _missing(value):
        return MISSING_SALT
    return b"=" + field_type(spec.type).salt_text(spec, value, band).encode("utf-8")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return value is pd.NA
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False


def _seed_bytes(seed: int | bytes | None) -> bytes:
    if seed is None:
        return b""
    if isinstance(seed, bool):
        raise LinkageError("the encoding seed must be an int in [0, 2**64) or bytes")
    if isinstance(seed, int):
        if not 0 <= seed < 2**64:
            raise LinkageError("the encoding seed must be an int in [0, 2**64) or bytes")
        return seed.to_bytes(8, "big")
    if isinstance(seed, (bytes, bytearray)):
        if len(seed) > 1024:
            raise LinkageError("the encoding seed must be at most 1,024 bytes")
        return bytes(seed)
    raise LinkageError("the encoding seed must be an int in [0, 2**64) or bytes")


def pack_rows(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
    """Pack a boolean ``(n, L)`` matrix into ``(n, L // 64)`` uint64 words (bit p in word p // 64)."""
    n, length = bits.shape
    packed = np.packbits(bits, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").reshape(n, length // 64).astype(np.uint64, copy=False)


@dataclass(frozen=True)
class HardeningPlan:
    """The filter-level steps of one schema under one key, ready to apply to batches.

    Build it with :func:`hardening_plan`; :meth:`apply` maps plain Bloom bits
    ``(n, schema.filter_length)`` to output bits ``(n, schema.output_length)``.
    """

    length: int
    output_length: int
    flip_threshold: int | None  # flip bit when its uint32 draw is below this (None: no BLIP)
    blip_subkey: bytes | None
    seed: bytes
    balance_perm: npt.NDArray[np.int64] | None
    fold: bool
    final_perm: npt.NDArray[np.int64] | None
    keystream_kind: KeystreamKind
    blip_rows: bool = False  # hardening.blip_noise == "row"

    @property
    def active(self) -> bool:
        return (
            self.flip_threshold is not None
            or self.balance_perm is not None
            or self.fold
            or self.final_perm is not None
        )

    def blip_masks(
        self, bits: npt.NDArray[np.bool_], rows: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.bool_]:
        """Which bits BLIP flips in each filter (``True`` = flip).

        ``blip_noise: "filter"`` (schemas that do not name it): the flips of a
        filter are a keyed function of the filter itself: the record key is
        HMAC-SHA256(subkey "blip", ``linkage/v1/blip\\0`` || uint32_be(len(seed))
        || seed || the plain filter as little-endian uint64 words). Equal plain
        filters therefore get equal noise (permanent randomized response).

        ``blip_noise: "row"``: the record key is HMAC-SHA256(subkey "blip",
        ``linkage/v1/blip-row\\0`` || uint32_be(len(seed)) || seed ||
        uint64_be(row) || the plain filter as little-endian uint64 words), with
        ``row`` the record's row in the reporter's file (``rows``; default
        1, 2, ...). Equal records in different rows get independent noise, so
        equal tuples no longer give equal filters; the same file encoded again
        gives the same bytes. The row never leaves the reporter.

        Either way bit ``p`` is flipped when the ``p``-th little-endian uint32
        of ``keystream(record key, 4 L)`` is below ``round(flip probability *
        2**32)``.
        """
        if self.flip_threshold is None or self.blip_subkey is None:
            return np.zeros_like(bits)
        packed = pack_rows(bits)
        if self.blip_rows:
            n = packed.shape[0]
            row_ids = np.arange(1, n + 1, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
            if row_ids.shape != (n,) or (n and int(row_ids.min()) < 0):
                raise LinkageError("BLIP row noise needs one non-negative row number per record")
            prefix = _BLIP_ROW_INFO + len(self.seed).to_bytes(4, "big") + self.seed
            out = np.empty((n, self.length), dtype=bool)
            for r in range(n):
                data = prefix + int(row_ids[r]).to_bytes(8, "big") + packed[r].astype("<u8").tobytes()
                rkey = hmac.digest(self.blip_subkey, data, hashlib.sha256)
                draws = np.frombuffer(keystream(rkey, 4 * self.length, kind=self.keystream_kind), dtype="<u4")
                out[r] = draws < self.flip_threshold
            return out
        uniq, inverse = np.unique(packed, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        prefix = _BLIP_INFO + len(self.seed).to_bytes(4, "big") + self.seed
        masks = np.empty((uniq.shape[0], self.length), dtype=bool)
        for u in range(uniq.shape[0]):
            rkey = hmac.digest(self.blip_subkey, prefix + uniq[u].astype("<u8").tobytes(), hashlib.sha256)
            draws = np.frombuffer(keystream(rkey, 4 * self.length, kind=self.keystream_kind), dtype="<u4")
            masks[u] = draws < self.flip_threshold
        return masks[inverse]

    def apply(
        self, bits: npt.NDArray[np.bool_], rows: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.bool_]:
        """Plain Bloom bits ``(n, L)`` -> hardened bits ``(n, output_length)`` (``rows``: see :meth:`blip_masks`)."""
        if bits.ndim != 2 or bits.shape[1] != self.length:
            raise LinkageError("hardening got filters of the wrong length")
        out = bits
        if self.flip_threshold is not None:
            out = out ^ self.blip_masks(out, rows)
        if self.balance_perm is not None:
            out = np.take(np.concatenate([out, ~out], axis=1), self.balance_perm, axis=1)
        if self.fold:
            half = out.shape[1] // 2
            out = out[:, :half] ^ out[:, half:]
        if self.final_perm is not None:
            out = np.take(out, self.final_perm, axis=1)
        return np.ascontiguousarray(out)


def hardening_plan(schema: Schema, key: LinkageKey, *, seed: int | bytes | None = None) -> HardeningPlan:
    """The filter-level hardening of ``schema`` under ``key`` (BLIP noise also under ``seed``)."""
    h = schema.hardening
    length = schema.filter_length
    threshold: int | None = None
    blip_subkey: bytes | None = None
    if h.blip_epsilon is not None:
        p = blip_flip_probability(h.blip_epsilon, blip_k(schema))
        threshold = round(p * 2**32)
        blip_subkey = key.subkey("blip")
    kind = h.keystream
    balance_perm = keyed_permutation(key.subkey("balance"), 2 * length, kind=kind) if h.balance else None
    final_perm = (
        keyed_permutation(key.subkey("permutation"), schema.output_length, kind=kind) if h.permute else None
    )
    plan = HardeningPlan(
        length=length,
        output_length=schema.output_length,
        flip_threshold=threshold,
        blip_subkey=blip_subkey,
        seed=_seed_bytes(seed),
        balance_perm=balance_perm,
        fold=h.fold,
        final_perm=final_perm,
        keystream_kind=kind,
        blip_rows=h.blip_noise == "row",
    )
    expected = length * (2 if h.balance else 1) // (2 if h.fold else 1)
    if expected != schema.output_length:  # pragma: no cover - the schema and this module disagree
        raise LinkageError("schema output length does not match its hardening steps")
    return plan
