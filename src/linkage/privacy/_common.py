"""Shared pieces of the attack suite: the attacker's view, background knowledge, scoring.

The attacker is an honest-but-curious registry. It holds the encoded records
(filters and presence masks, as in submissions) and public background knowledge:
how common each initial pair, birth year, nationality and sex is, here taken
from a *different* synthetic population than the encoded one. Attacks return
their guesses as a table with one row per encoded record and the columns
``initials``, ``birth_year``, ``nationality``, ``sex`` (``None`` where they make no
guess); :func:`score_recovery` compares that with the truth.

This package is never imported by the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

QI_COLUMNS = ("initials", "birth_year", "nationality", "sex")


@dataclass(frozen=True)
class EncodedView:
    """What the registry (the attacker) holds: packed filters and presence masks."""

    filters: npt.NDArray[np.uint64]
    presence: npt.NDArray[np.uint16]
    filter_length: int


@dataclass(frozen=True)
class AttackResult:
    """Guesses of one attack and how they score against the truth."""

    attack: str
    guesses: pd.DataFrame
    scores: dict[str, float]
    details: dict[str, Any] = field(default_factory=dict)


def canonical_truth(normalised: pd.DataFrame) -> pd.DataFrame:
    """The truth as comparable plain values: initials str, birth year int, code, sex.

    A birth-year interval ``(lo, hi)`` (from an age) is represented by ``hi``, the
    year an age at the report date most likely means; exact years have lo == hi.
    """
    cols = {
        "initials": normalised["initials"].tolist(),
        "birth_year": [None if v is None else int(v[1]) for v in normalised["birth_year"]],
        "nationality": normalised["nationality"].tolist(),
        "sex": normalised["sex"].tolist(),
    }
    return pd.DataFrame({k: pd.Series(v, index=normalised.index, dtype=object) for k, v in cols.items()})


def background_frequencies(population: pd.DataFrame) -> dict[str, pd.Series]:
    """Public knowledge: relative frequency of each value of each quasi-identifier, and of whole tuples.

    ``population`` may hold canonical records (birth-year intervals) or
    :func:`canonical_truth` values; intervals are reduced the same way.
    """
    if any(isinstance(v, tuple) for v in population["birth_year"].tolist()):
        population = canonical_truth(population)
    freqs = {c: population[c].dropna().value_counts(normalize=True) for c in QI_COLUMNS}
    tuples = population[list(QI_COLUMNS)].astype(str).agg("|".join, axis=1)
    freqs["tuple"] = tuples.value_counts(normalize=True)
    return freqs


def score_recovery(guesses: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Shares of records whose full tuple, nationality and birth year the attack recovered.

    A record counts for the full tuple only when every quasi-identifier it has is
    guessed right. Shares are over all records (a missing guess is a miss).
    """
    g = guesses.reindex(truth.index)
    n = len(truth)
    if n == 0:
        return {"full_tuple": 0.0, "nationality": 0.0, "birth_year": 0.0, "initials": 0.0, "sex": 0.0}

    def hit(col: str) -> npt.NDArray[np.bool_]:
        t = truth[col].to_numpy(dtype=object)
        v = g[col].to_numpy(dtype=object) if col in g else np.full(n, None, dtype=object)
        return np.array([a is not None and b is not None and a == b for a, b in zip(t, v, strict=True)])

    def present(col: str) -> npt.NDArray[np.bool_]:
        return np.array([v is not None for v in truth[col].to_numpy(dtype=object)])

    hits = {c: hit(c) for c in QI_COLUMNS}
    full = np.ones(n, dtype=bool)
    for c in QI_COLUMNS:
        full &= hits[c] | ~present(c)
    full &= np.any([present(c) for c in QI_COLUMNS], axis=0)
    return {
        "full_tuple": float(full.mean()),
        "nationality": float(hits["nationality"].mean()),
        "birth_year": float(hits["birth_year"].mean()),
        "initials": float(hits["initials"].mean()),
        "sex": float(hits["sex"].mean()),
    }


def guessing_baseline(background: dict[str, pd.Series], truth: pd.DataFrame) -> dict[str, float]:
    """Success of guessing the most common value of each attribute (and the most common tuple) for everyone."""
    guess = pd.DataFrame(index=truth.index)
    for c in QI_COLUMNS:
        top = background[c].index[0] if len(background[c]) else None
        guess[c] = pd.Series([top] * len(truth), index=truth.index, dtype=object)
    out = score_recovery(guess, truth)
    if len(background["tuple"]) and len(truth):
        top_tuple = background["tuple"].index[0]
        tuples = truth[list(QI_COLUMNS)].astype(str).agg("|".join, axis=1)
        out["full_tuple"] = float((tuples == top_tuple).mean())
    return out


def synthetic_population(n: int, *, seed: int) -> pd.DataFrame:
    """``n`` synthetic persons as canonical records (initials, birth_year interval, nationality, sex).

    Drawn from :mod:`linkage.synth` (its person truth, so every field is present
    unless unknown). Encode it with :func:`linkage.encode_records`; use another
    seed for the attacker's background population.
    """
    from linkage.normalise import initials_from_parts
    from linkage.synth import generate

    data = generate(seed=seed, n_reports=int(n * 1.25) + 50)
    persons = data.persons.drop_duplicates("person_id").head(n).reset_index(drop=True)
    if len(persons) < n:
        raise ValueError("the generator gave fewer persons than asked for; ask for fewer")
    initials = [initials_from_parts(g, s) for g, s in zip(persons["given_name"], persons["surname"], strict=True)]
    years = [(int(str(d)[:4]), int(str(d)[:4])) for d in persons["date_of_birth"]]
    nat = [None if c in ("XXX", None) else str(c) for c in persons["nationality"]]
    sex = [None if s not in ("M", "F", "X") else str(s) for s in persons["sex"]]
    cols = {"initials": initials, "birth_year": years, "nationality": nat, "sex": sex}
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
