"""Shared fixtures and Hypothesis strategies."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import linkage
from linkage.encode import LinkageKey

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# A fixed, test-only linkage secret (never a real key).
TEST_SECRET = bytes(range(32))


@pytest.fixture(scope="session")
def schema() -> linkage.Schema:
    return linkage.default_schema()


@pytest.fixture(scope="session")
def key() -> LinkageKey:
    return LinkageKey(TEST_SECRET)


@pytest.fixture()
def signing_keys(tmp_path: Path) -> dict[str, object]:
    """Two reporters' key pairs, with public keys in a trusted directory."""
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    out: dict[str, object] = {"trusted_dir": trusted}
    for rep in ("police", "fairwork"):
        sk = linkage.generate_signing_key()
        linkage.write_signing_key(sk, tmp_path / f"{rep}.key", trusted / f"{rep}.pub")
        out[rep] = sk
    return out


# Raw values that must never show up registry-side (the privacy tests search for them).
POLICE_ROWS = [
    {"given_names": "Ana-Maria", "surname": "Popescu", "date_of_birth": "1994-03-17",
     "nationality": "Roemenië", "sex": "V", "case_ref": "PL-2022-0017"},
    {"given_names": "Olena", "surname": "Shevchenko", "date_of_birth": "12-07-1999",
     "nationality": "UKR", "sex": "V", "case_ref": "PL-2022-0033"},
    {"given_names": "Chukwuemeka", "surname": "Okonkwo", "date_of_birth": "1988-11-02",
     "nationality": "Nigeria", "sex": "M", "case_ref": "PL-2022-0051"},
    {"given_names": "Jan", "surname": "van der Berg", "date_of_birth": "2005-01-30",
     "nationality": "Nederland", "sex": "M", "case_ref": "PL-2022-0068"},
]
FAIRWORK_ROWS = [
    {"initials": "A.P.", "age": "28", "report_date": "2022-06-01", "nationality": "Roemeens", "sex": None},
    {"initials": "OS", "age": "22", "report_date": "2022-09-15", "nationality": "Oekraïens", "sex": "vrouw"},
    {"initials": "T.K.", "age": "41", "report_date": "2022-02-11", "nationality": "Pools", "sex": "man"},
]


@pytest.fixture()
def police_df() -> pd.DataFrame:
    return pd.DataFrame(POLICE_ROWS)


@pytest.fixture()
def fairwork_df() -> pd.DataFrame:
    return pd.DataFrame(FAIRWORK_ROWS)


def raw_values(min_len: int = 4) -> list[str]:
    """Raw input values of the fixtures, for leak searches in binary files.

    Values shorter than ``min_len`` (sex codes, initials) occur by chance in any
    binary data; :func:`raw_values_quoted` covers them in text.
    """
    vals: list[str] = []
    for row in POLICE_ROWS + FAIRWORK_ROWS:
        vals.extend(str(v) for k, v in row.items() if v is not None and k != "age" and len(str(v)) >= min_len)
    return vals


def raw_values_quoted() -> list[str]:
    """Every raw value as it would appear in CSV or JSON text: quoted or comma-delimited."""
    out: list[str] = []
    for v in raw_values(min_len=1):
        out += [f'"{v}"', f",{v},", f",{v}\n", f"'{v}'"]
    return out


# Hypothesis strategies shared by the property tests.
name_chars = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzşţăîâőűłżćčšžАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЮЯабвгдежзиклмнопрстюяї -'.")
)
names = st.text(alphabet=name_chars, min_size=0, max_size=30)
initials_values = st.one_of(st.none(), st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2))
year_values = st.one_of(
    st.none(), st.integers(1920, 2020).flatmap(lambda y: st.sampled_from([(y, y), (y - 1, y)]))
)
country_values = st.one_of(st.none(), st.sampled_from(["ROU", "NLD", "NGA", "POL", "UKR", "BGR", "XXA", "YUG"]))
sex_values = st.one_of(st.none(), st.sampled_from(["M", "F", "X"]))
canonical_records = st.lists(
    st.fixed_dictionaries(
        {"initials": initials_values, "birth_year": year_values, "nationality": country_values, "sex": sex_values}
    ),
    min_size=1,
    max_size=12,
)
