"""Frequency alignment on whole filters: the simplest attack a curious registry can run.

Bloom filters are deterministic: records with the same quasi-identifiers get the
same filter, so the sizes of groups of identical filters follow the frequencies
of the underlying tuples. Sorting both by frequency and pairing them by rank
re-identifies the common tuples. This is the frequency attack of Kuzu,
Kantarcioglu, Durham and Malin (*A constraint satisfaction cryptanalysis of
Bloom filters in private record linkage*, PETS 2011) and Niedermeyer, Steinmetzer,
Kroll and Schnell (*Cryptanalysis of basic Bloom filters used for privacy
preserving record linkage*, J. Priv. Confid. 6(2), 2014) applied at the level of
whole records rather than bits, as in the survey of Vidanage, Christen,
Ranbaduge and Schnell (*A taxonomy of attacks on privacy-preserving record
linkage*, J. Priv. Confid. 12(1), 2022), where it is the baseline attack.

What the attacker holds (see :mod:`linkage.privacy._common`): the filters and
presence masks, and background frequencies from *another* population. Because
the background is a different sample, rank alignment is noisy even for frequent
tuples, and meaningless among the many tuples seen once (92.5% of a synthetic
population of 10,000 is unique): that is what this attack measures. Nothing here
uses the key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from linkage.privacy._common import QI_COLUMNS, EncodedView

_INT = re.compile(r"-?\d+")
_MISSING_TEXT = frozenset({"", "None", "nan", "NaN", "<NA>"})


def _parse_year(text: str) -> int | None:
    """``"(1997, 1998)"`` or ``"1997"`` -> the year :func:`canonical_truth` uses (the interval's last number)."""
    found = _INT.findall(text)
    return int(found[-1]) if found else None


def parse_tuple_key(key: str) -> dict[str, Any]:
    """One key of ``background["tuple"]`` (``"initials|birth_year|nationality|sex"``) as guess values.

    The birth year may be written as an interval (``"(1997, 1997)"``, as
    :func:`~linkage.privacy.background_frequencies` writes it) or a plain year;
    ``"None"`` is a missing value.
    """
    parts = str(key).split("|")
    if len(parts) != len(QI_COLUMNS):
        raise ValueError(f"a background tuple needs {len(QI_COLUMNS)} '|'-separated parts")
    out: dict[str, Any] = {}
    for col, part in zip(QI_COLUMNS, parts, strict=True):
        part = part.strip()
        if part in _MISSING_TEXT:
            out[col] = None
        elif col == "birth_year":
            out[col] = _parse_year(part)
        else:
            out[col] = part
    return out


def _year_value(v: Any) -> int | None:
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        return int(v[-1])
    return _parse_year(str(v))


def _modal_values(background: dict[str, pd.Series]) -> dict[str, Any]:
    """Most common value of each attribute (ties: first in the series), as a guess value."""
    out: dict[str, Any] = {}
    for col in QI_COLUMNS:
        series = background.get(col)
        if series is None or len(series) == 0:
            out[col] = None
            continue
        s = series.sort_values(ascending=False, kind="stable")
        top = s.index[0]
        out[col] = _year_value(top) if col == "birth_year" else (None if top is None else str(top))
    return out


def _mask_of(guess: dict[str, Any], fields: Sequence[str]) -> int:
    return sum(1 << i for i, f in enumerate(fields) if f in guess and guess[f] is not None)


def frequency_alignment(
    view: EncodedView,
    background: dict[str, pd.Series],
    *,
    fields: Sequence[str] = QI_COLUMNS,
    min_group_size: int = 2,
) -> pd.DataFrame:
    """Guess each record's tuple by aligning group sizes of identical filters with background tuple frequencies.

    1. Records with the same filter and presence mask form a group.
    2. Within each presence pattern (which fields a record has; the registry
       sees it), groups are ranked by size, largest first, and background
       tuples missing the same fields are ranked by frequency; the ``i``-th
       group gets the ``i``-th tuple, guessed for every record in it. Only groups
       of at least ``min_group_size`` records are aligned: among groups of equal
       size the rank carries no information.
    3. Per attribute, where the tuple alignment gives nothing (small groups,
       more groups than background tuples), each field the record has is
       guessed as its most common background value, and each field it lacks as
       missing: the best marginal guess without the key.

    ``fields[i]`` names presence bit ``i`` (the schema's field order; the
    default schema and :func:`~linkage.privacy._reference.encode_reference`
    both use ``QI_COLUMNS``). Ties are broken by the filters' bits, never by
    record order, so the result is deterministic and does not depend on how the
    records were sorted. Returns one row per record, index ``0 .. n-1``, columns
    ``initials``, ``birth_year`` (int), ``nationality``, ``sex``, ``None`` for no
    guess; ``attrs`` holds counts of groups and aligned records.
    """
    if min_group_size < 1:
        raise ValueError("min_group_size must be at least 1")
    filters = np.ascontiguousarray(view.filters, dtype=np.uint64)
    n = int(filters.shape[0])
    presence = np.asarray(view.presence, dtype=np.uint64).reshape(n, 1)
    rows = np.concatenate([presence, filters], axis=1)
    uniq, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).reshape(-1)
    group_presence = uniq[:, 0].astype(np.int64)

    # Background tuples per presence pattern, most frequent first (ties by text).
    tuples = background.get("tuple", pd.Series(dtype=float))
    ranked = sorted(((float(f), str(t)) for t, f in tuples.items()), key=lambda ft: (-ft[0], ft[1]))
    by_mask: dict[int, list[dict[str, Any]]] = {}
    for _, key in ranked:
        guess = parse_tuple_key(key)
        by_mask.setdefault(_mask_of(guess, fields), []).append(guess)

    # Groups per presence pattern, largest first; np.unique's (bitwise) order breaks ties.
    group_guess: dict[int, dict[str, Any]] = {}
    order = np.lexsort((np.arange(len(counts)), -counts))
    next_rank: dict[int, int] = {}
    for g in order:
        if counts[g] < min_group_size:
            continue
        mask = int(group_presence[g])
        r = next_rank.get(mask, 0)
        candidates = by_mask.get(mask, [])
        if r < len(candidates):
            group_guess[int(g)] = candidates[r]
            next_rank[mask] = r + 1

    modal = _modal_values(background)
    field_bit = {f: i for i, f in enumerate(fields)}

    def marginal(mask: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col in QI_COLUMNS:
            bit = field_bit.get(col)
            has = True if bit is None else bool(mask >> bit & 1)
            out[col] = modal[col] if has else None
        return out

    marginal_cache: dict[int, dict[str, Any]] = {}
    cols: dict[str, list[Any]] = {c: [None] * n for c in QI_COLUMNS}
    aligned_records = 0
    for r in range(n):
        g = int(inverse[r])
        aligned = group_guess.get(g)
        if aligned is None:
            mask = int(group_presence[g])
            if mask not in marginal_cache:
                marginal_cache[mask] = marginal(mask)
            guess = marginal_cache[mask]
        else:
            guess = aligned
            aligned_records += 1
        for c in QI_COLUMNS:
            cols[c][r] = guess[c]
    out = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
    out.attrs.update(
        {
            "groups": len(counts),
            "groups_aligned": len(group_guess),
            "records_aligned": aligned_records,
            "largest_group": int(counts.max()) if len(counts) else 0,
        }
    )
    return out
