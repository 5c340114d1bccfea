"""Dictionary attack with a leaked key: why the key must never reach the registry.

Whoever holds the linkage key can compute the bit positions of any value, so
the small quasi-identifier space (676 initial pairs x ~100 birth years x ~200
nationalities x 3 sexes) can be enumerated and every filter reversed. This is
the dictionary attack on keyed Bloom filters discussed by Schnell, Bachteler and
Reiher (*Privacy-preserving record linkage using Bloom filters*, BMC Med.
Inform. Decis. Mak. 9:41, 2009), Niedermeyer et al. (*Cryptanalysis of basic
Bloom filters used for privacy preserving record linkage*, J. Priv. Confid.
6(2), 2014) and, for the whole family, Vidanage, Christen, Ranbaduge and Schnell
(*A taxonomy of attacks on privacy-preserving record linkage*, J. Priv. Confid.
12(1), 2022): keyed hashing only protects as long as the key stays secret.

It does not even need the full product of the fields. Positions are keyed per
field (HKDF subkeys in ``linkage``, per-field HMAC keys in clkhash), and a Bloom
filter has no false negatives, so a value of one field can only be in a record
if all of its bits are set in the record's filter. The attack therefore tests
each field's candidate values on their own (one matrix product per field), keeps
those whose bits are all set (with the presence mask telling which fields are
there at all), and only then combines the few survivors per record, choosing the
combination whose filter equals the target (or has the highest Dice).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.compare import popcount
from linkage.encode import LinkageKey
from linkage.encode.hazmat import (
    MISSING_SALT,
    hardening_plan,
    keyed_permutation,
    pack_rows,
    salt_tag,
    token_positions,
    tokeniser,
    unpack_bits,
)
from linkage.fieldtypes import background_order, field_type
from linkage.fieldtypes.initials import candidate_initials
from linkage.fieldtypes.year import candidate_years
from linkage.privacy._common import QI_COLUMNS, EncodedView
from linkage.privacy._reference import (
    REFERENCE_FIELDS,
    reference_field_keys,
    reference_value_positions,
)
from linkage.schema import Schema

_CHUNK_ROWS = 4096
_MAX_SURVIVORS = 12  # per field and record; more than this only happens for hardened or saturated filters
_FALLBACK = 3  # candidates kept by coverage when none has all its bits set


@dataclass(frozen=True)
class FieldCandidates:
    """Candidate values of one field and the bit positions a key holder computes for each.

    ``guesses[j]`` is what the attack reports for candidate ``j`` (in the form
    :func:`~linkage.privacy.score_recovery` compares); ``positions[j]`` the
    sorted distinct bits candidate ``j`` sets. Candidates come most plausible
    first (background frequency), which breaks ties.
    """

    name: str
    guesses: tuple[Any, ...]
    positions: tuple[tuple[int, ...], ...]


def _positions(values: Sequence[Any], positions_of: Callable[[Any], list[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(sorted(set(positions_of(v)))) for v in values)


def _field_values(
    spec: Any, background: dict[str, pd.Series], *, year_margin: int, year_intervals: bool
) -> tuple[list[Any], tuple[Any, ...]]:
    """Candidate canonical values of one schema field, most plausible first, and what each is reported as."""
    return field_type(spec.type).candidates(
        spec, background.get(spec.name), year_margin=year_margin, year_intervals=year_intervals
    )


def linkage_candidates(
    schema: Schema,
    key: LinkageKey,
    background: dict[str, pd.Series],
    *,
    year_margin: int = 5,
    year_intervals: bool = True,
) -> list[FieldCandidates]:
    """Per schema field: candidate values and their positions under ``linkage``'s encoding and ``key``.

    Models the encoding without hardening (record- or field-level filters);
    a schema with active hardening (salt, BLIP, balance, fold, permute) is refused.
    """
    if schema.hardening.active:
        raise ValueError(
            "the dictionary attack models unhardened encodings; this schema has hardening steps"
        )
    out: list[FieldCandidates] = []
    for spec in schema.fields:
        if spec.name not in background and spec.type != "initials":
            raise ValueError(f"the background has no frequencies for field {spec.name!r}")
        values, guesses = _field_values(spec, background, year_margin=year_margin, year_intervals=year_intervals)
        sub = key.field_subkey(spec.name)
        tok = tokeniser(spec)
        segment = getattr(spec, "segment", None)  # field-level filters: (offset, length) of the field's segment
        offset, seg_len = segment if segment is not None else (0, schema.filter_length)

        def positions_of(v: Any, tok: Callable[[Any], list[str]] = tok, sub: bytes = sub,
                         k: int = spec.bits_per_token, offset: int = offset, seg_len: int = seg_len) -> list[int]:
            return [offset + p for t in tok(v) for p in token_positions(sub, t, k, seg_len)]

        out.append(FieldCandidates(spec.name, guesses, _positions(values, positions_of)))
    return out


def reference_candidates(
    secret: bytes,
    background: dict[str, pd.Series],
    *,
    length: int = 1024,
    k: int = 20,
    year_neighbourhood: bool = True,
    prevent_singularity: bool = False,
    year_margin: int = 5,
) -> list[FieldCandidates]:
    """Per field: candidate values and their positions under the clkhash-style reference encoding."""
    keys = reference_field_keys(secret)
    out: list[FieldCandidates] = []
    for field, fkeys in zip(REFERENCE_FIELDS, keys, strict=True):
        values: list[Any]
        guesses: tuple[Any, ...]
        if field == "initials":
            values = candidate_initials(background.get("initials"))
            guesses = tuple(values)
        elif field == "birth_year":  # the reference encodes one year only
            values = candidate_years(background.get("birth_year"), margin=year_margin, intervals=False)
            guesses = tuple(int(v[1]) for v in values)
        else:
            values = [str(v) for v in background_order(background.get(field))]
            guesses = tuple(values)

        def positions_of(v: Any, field: str = field, fkeys: tuple[bytes, bytes] = fkeys) -> list[int]:
            return reference_value_positions(field, v, fkeys, length=length, k=k,
                                             year_neighbourhood=year_neighbourhood,
                                             prevent_singularity=prevent_singularity)

        out.append(FieldCandidates(field, guesses, _positions(values, positions_of)))
    return out


def _indicator(cands: FieldCandidates, length: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    ind = np.zeros((length, len(cands.positions)), dtype=np.float32)
    for j, pos in enumerate(cands.positions):
        ind[list(pos), j] = 1.0
    return ind, ind.sum(axis=0)


def _survivors(
    bits: npt.NDArray[np.float32], ind: npt.NDArray[np.float32], sizes: npt.NDArray[np.float32]
) -> list[list[int]]:
    """Per record: candidates whose bits are all set (most specific first), else the best few by coverage."""
    if ind.shape[1] == 0:
        return [[] for _ in range(bits.shape[0])]
    counts = bits @ ind  # (rows, candidates): how many of each candidate's bits are set
    full = (counts >= sizes[None, :]) & (sizes[None, :] > 0)
    coverage = counts / np.maximum(sizes, 1.0)[None, :]
    out: list[list[int]] = []
    for r in range(bits.shape[0]):
        hit = np.flatnonzero(full[r])
        if len(hit):
            if len(hit) > _MAX_SURVIVORS:  # keep the most specific (most bits), stable by plausibility
                hit = hit[np.argsort(-sizes[hit], kind="stable")[:_MAX_SURVIVORS]]
            out.append([int(j) for j in hit])
        else:
            best = np.argsort(-coverage[r], kind="stable")[:_FALLBACK]
            out.append([int(j) for j in best])
    return out


def match_fields(
    view: EncodedView, candidates: Sequence[FieldCandidates], *, fields: Sequence[str] | None = None
) -> tuple[pd.DataFrame, npt.NDArray[np.float64]]:
    """Best candidate tuple per record: per-field containment, then the combination with the highest Dice.

    ``fields[i]`` names presence bit ``i`` (default: the candidates' order). A
    field the presence mask says is missing is guessed as missing. Returns the
    guesses (columns ``QI_COLUMNS``) and each record's best Dice (1.0: the
    guessed tuple re-encodes to exactly the target filter).
    """
    length = int(view.filter_length)
    filters = np.ascontiguousarray(view.filters, dtype=np.uint64)
    n = int(filters.shape[0])
    names = list(fields) if fields is not None else [c.name for c in candidates]
    bit_of = {f: i for i, f in enumerate(names)}
    presence = np.asarray(view.presence, dtype=np.int64)
    indicators = [_indicator(c, length) for c in candidates]
    masks = [[sum(1 << p for p in pos) for pos in c.positions] for c in candidates]

    cols: dict[str, list[Any]] = {c: [None] * n for c in QI_COLUMNS}
    best_dice = np.zeros(n, dtype=np.float64)
    raw = np.ascontiguousarray(filters.astype("<u8", copy=False))
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        bits = unpack_bits(filters[start:stop]).astype(np.float32)
        surv = [_survivors(bits, ind, sizes) for ind, sizes in indicators]
        for r in range(stop - start):
            i = start + r
            target = int.from_bytes(raw[i].tobytes(), "little")
            t_count = target.bit_count()
            options: list[list[int]] = []
            for f, c in enumerate(candidates):
                bit = bit_of.get(c.name)
                present = True if bit is None else bool(presence[i] >> bit & 1)
                options.append((surv[f][r] or [-1]) if present else [-1])  # -1: missing / no guess
            best: tuple[int, ...] = tuple(-1 for _ in candidates)
            best_score = -1.0
            for combo in product(*options):
                m = 0
                for f, j in enumerate(combo):
                    if j >= 0:
                        m |= masks[f][j]
                total = m.bit_count() + t_count
                score = 2.0 * (m & target).bit_count() / total if total else 0.0
                if score > best_score:
                    best, best_score = combo, score
                    if score == 1.0:
                        break
            best_dice[i] = best_score
            for f, j in enumerate(best):
                name = candidates[f].name
                if name in cols:
                    cols[name][i] = None if j < 0 else candidates[f].guesses[j]
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()}), best_dice


def _space_size(candidates: Sequence[FieldCandidates]) -> int:
    size = 1
    for c in candidates:
        size *= len(c.guesses) + 1  # + missing
    return size


def _finish(
    guesses: pd.DataFrame, dice: npt.NDArray[np.float64], candidates: Sequence[FieldCandidates], t0: float
) -> pd.DataFrame:
    guesses.attrs.update(
        {
            "seconds": time.perf_counter() - t0,
            "exact_share": float(np.mean(dice == 1.0)) if len(dice) else 0.0,
            "mean_dice": float(np.mean(dice)) if len(dice) else 0.0,
            "candidates_per_field": {c.name: len(c.guesses) for c in candidates},
            "space": _space_size(candidates),
        }
    )
    return guesses


def _check_space(candidates: Sequence[FieldCandidates], max_candidates: int) -> None:
    space = _space_size(candidates)
    if space > max_candidates:
        raise ValueError(
            f"the candidate space has {space:,} tuples, more than max_candidates={max_candidates:,}; "
            "narrow the background or raise max_candidates"
        )


def dictionary_attack(
    view: EncodedView,
    schema: Schema,
    key: LinkageKey,
    background: dict[str, pd.Series],
    *,
    max_candidates: int = 20_000_000,
    year_margin: int = 5,
    year_intervals: bool = True,
) -> pd.DataFrame:
    """Reverse ``linkage`` filters with a leaked key by enumerating the quasi-identifier space.

    Candidates: all initial pairs over A-Z plus single letters; exact birth
    years over the background's range widened by ``year_margin`` (and two-year
    intervals, as ages give); the background's nationalities and sexes; and
    missing for each (read off the presence mask). ``max_candidates`` bounds the
    size of that space (the product of the per-field counts, missing included);
    a larger one raises :class:`ValueError`. The space is never enumerated as a
    product: see the module docstring.

    Schemas with active hardening are refused (:class:`ValueError`): use
    :func:`hardened_dictionary_attack` for those.

    Returns the best-matching tuple per record (columns ``initials``,
    ``birth_year`` (int), ``nationality``, ``sex``; index ``0 .. n-1``).
    ``attrs`` holds ``seconds`` (wall time, candidate encoding included),
    ``exact_share`` (records whose guess re-encodes to exactly their filter),
    ``mean_dice``, ``candidates_per_field`` and ``space``.
    """
    if not isinstance(key, LinkageKey):
        raise TypeError("dictionary_attack needs a LinkageKey")
    if view.filter_length != schema.filter_length:
        raise ValueError("the view's filter length differs from the schema's")
    t0 = time.perf_counter()
    candidates = linkage_candidates(schema, key, background, year_margin=year_margin, year_intervals=year_intervals)
    _check_space(candidates, max_candidates)
    guesses, dice = match_fields(view, candidates, fields=schema.field_names)
    return _finish(guesses, dice, candidates, t0)


def reference_dictionary_attack(
    view: EncodedView,
    secret: bytes,
    background: dict[str, pd.Series],
    *,
    length: int = 1024,
    k: int = 20,
    year_neighbourhood: bool = True,
    prevent_singularity: bool = False,
    max_candidates: int = 20_000_000,
    year_margin: int = 5,
) -> pd.DataFrame:
    """:func:`dictionary_attack` against the clkhash-style reference encoding, with its leaked secret.

    The encoding parameters must be those the filters were made with
    (:func:`~linkage.privacy._reference.encode_reference`). Same output and ``attrs``.
    """
    if view.filter_length != length:
        raise ValueError("the view's filter length differs from length")
    t0 = time.perf_counter()
    candidates = reference_candidates(
        secret, background, length=length, k=k, year_neighbourhood=year_neighbourhood,
        prevent_singularity=prevent_singularity, year_margin=year_margin,
    )
    _check_space(candidates, max_candidates)
    guesses, dice = match_fields(view, candidates, fields=REFERENCE_FIELDS)
    return _finish(guesses, dice, candidates, t0)


def _output_map(schema: Schema, key: LinkageKey) -> npt.NDArray[np.int64]:
    """Where each plain Bloom bit lands in the hardened output (after XOR folding and keyed permutation).

    With folding, plain bits ``p`` and ``p + L/2`` land on the same output bit (XORed).
    """
    h = schema.hardening
    length = schema.filter_length
    plain = np.arange(length, dtype=np.int64)
    out = plain % (length // 2) if h.fold else plain
    if h.permute:
        perm = keyed_permutation(key.subkey("permutation"), schema.output_length,
                                 kind=h.keystream)  # output i = input perm[i]
        inverse = np.empty_like(perm)
        inverse[perm] = np.arange(len(perm))
        out = inverse[out]
    return out


def hardened_dictionary_attack(
    view: EncodedView,
    schema: Schema,
    key: LinkageKey,
    background: dict[str, pd.Series],
    *,
    per_field: int = 3,
    year_margin: int = 5,
    year_intervals: bool = True,
) -> pd.DataFrame:
    """Reverse *hardened* ``linkage`` filters with a leaked key (salt, BLIP, XOR fold, keyed permutation).

    The key holder can recompute everything the reporters did, so hardening only
    slows this attack down. For each possible salt (one per birth-year band, and
    the salt of a record without the salt field) it maps every candidate value's
    bit positions through folding and the permutation, and scores each record by
    containment (BLIP flips a few bits and folding cancels bits two tokens share,
    so a true value has most, not all, of its bits set). The salt whose best
    salt-field value fits best is taken; then the ``per_field`` best values per
    present field are combined, each combination is encoded exactly (BLIP noise
    included, which the key determines) and the one equal to the target, or with
    the highest Dice, is the guess. Balanced filters and field-level filters are
    refused (:class:`ValueError`). Same output and ``attrs`` as :func:`dictionary_attack`.
    """
    if not isinstance(key, LinkageKey):
        raise TypeError("hardened_dictionary_attack needs a LinkageKey")
    h = schema.hardening
    if h.balance or any(getattr(f, "segment", None) is not None for f in schema.fields):
        raise ValueError("the hardened dictionary attack models salt, BLIP, fold and permute, not balancing or "
                         "field-level filters")
    if view.filter_length != schema.output_length:
        raise ValueError("the view's filter length differs from the schema's output length")
    t0 = time.perf_counter()
    plan = hardening_plan(schema, key)
    out_map = _output_map(schema, key)
    out_len = schema.output_length
    names = schema.field_names
    # candidate values per field (positions are recomputed per salt below)
    values: dict[str, list[Any]] = {}
    guesses: dict[str, tuple[Any, ...]] = {}
    for spec in schema.fields:
        values[spec.name], guesses[spec.name] = _field_values(spec, background, year_margin=year_margin,
                                                              year_intervals=year_intervals)
    salt_field = h.salt_field
    salt_spec = schema.field(salt_field) if salt_field else None
    groups: dict[bytes | None, list[int]] = {}
    if salt_spec is not None:
        for j, v in enumerate(values[salt_spec.name]):
            groups.setdefault(salt_tag(v, salt_spec, h.salt_band), []).append(j)
        groups.setdefault(MISSING_SALT, [])
    else:
        groups[None] = []

    def plain_positions(spec: Any, v: Any, salt: bytes | None) -> list[int]:
        sub = key.field_subkey(spec.name)
        return [p for t in tokeniser(spec)(v) for p in token_positions(sub, t, spec.bits_per_token,
                                                                      schema.filter_length, salt)]

    filters = np.ascontiguousarray(view.filters, dtype=np.uint64)
    n = int(filters.shape[0])
    presence = np.asarray(view.presence, dtype=np.int64)
    bits = unpack_bits(filters).astype(np.float32)
    salt_bit = names.index(salt_field) if salt_field else None
    # per salt: per field, candidate indices, plain positions and containment scores of every record
    best_salt_score = np.full(n, -1.0)
    chosen: list[dict[str, list[int]]] = [{} for _ in range(n)]
    chosen_salt: list[bytes | None] = [None] * n
    plain_of: dict[tuple[bytes | None, str, int], list[int]] = {}
    for salt, salt_members in groups.items():
        if salt_bit is None:
            rows = np.arange(n)
        elif salt == MISSING_SALT:
            rows = np.flatnonzero((presence >> salt_bit & 1) == 0)
        else:
            rows = np.flatnonzero((presence >> salt_bit & 1) == 1)
        if not len(rows):
            continue
        per_field_scores: dict[str, tuple[list[int], npt.NDArray[np.float32]]] = {}
        for spec in schema.fields:
            cand = (salt_members if spec.name == salt_field else list(range(len(values[spec.name]))))
            if not cand:
                continue
            ind = np.zeros((out_len, len(cand)), dtype=np.float32)
            for c, j in enumerate(cand):
                pos = plain_positions(spec, values[spec.name][j], salt)
                plain_of[(salt, spec.name, j)] = pos
                ind[np.unique(out_map[pos]), c] = 1.0
            sizes = np.maximum(ind.sum(axis=0), 1.0)
            per_field_scores[spec.name] = (cand, (bits[rows] @ ind) / sizes[None, :])
        # the salt's fit for each record: how well its best salt-field value fits (or the sum over fields)
        if salt_field and salt != MISSING_SALT:
            fit = per_field_scores[salt_field][1].max(axis=1)
        else:
            fit = sum((s.max(axis=1) for _, s in per_field_scores.values()), np.zeros(len(rows), np.float32))
        better = fit > best_salt_score[rows]
        for r_i in np.flatnonzero(better):
            r = int(rows[r_i])
            best_salt_score[r] = float(fit[r_i])
            chosen_salt[r] = salt
            picks: dict[str, list[int]] = {}
            for spec in schema.fields:
                bit = names.index(spec.name)
                if not presence[r] >> bit & 1 or spec.name not in per_field_scores:
                    continue
                cand, scores = per_field_scores[spec.name]
                top = np.argsort(-scores[r_i], kind="stable")[:per_field]
                picks[spec.name] = [cand[int(t)] for t in top]
            chosen[r] = picks
    cols: dict[str, list[Any]] = {c: [None] * n for c in QI_COLUMNS}
    best_dice = np.zeros(n)
    field_specs = list(schema.fields)
    for r in range(n):
        picks = chosen[r]
        names_present = [f.name for f in field_specs if f.name in picks]
        combos = list(product(*(picks[f] for f in names_present))) if names_present else []
        if not combos:
            continue
        plain = np.zeros((len(combos), schema.filter_length), dtype=bool)
        for c, combo in enumerate(combos):
            for f, j in zip(names_present, combo, strict=True):
                plain[c, plain_of[(chosen_salt[r], f, j)]] = True
        out = pack_rows(plan.apply(plain))
        target = filters[r : r + 1]
        total = popcount(out) + popcount(target)
        dice = np.where(total > 0, 2.0 * popcount(out & target) / np.maximum(total, 1), 0.0)
        b = int(np.argmax(dice))
        best_dice[r] = float(dice[b])
        for f, j in zip(names_present, combos[b], strict=True):
            if f in cols:
                cols[f][r] = guesses[f][j]
    result = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
    fc = [FieldCandidates(f, guesses[f], ()) for f in names]
    return _finish(result, best_dice, fc, t0)
