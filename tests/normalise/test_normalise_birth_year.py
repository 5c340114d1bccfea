"""Birth year intervals from dates of birth, years and ages at the report date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from linkage.errors import InvalidValue
from linkage.normalise import birth_year_range


@pytest.mark.parametrize(
    "dob",
    [
        "1990-05-17",
        "1990/05/17",
        "1990.05.17",
        "19900517",
        "1990-05-17T08:30:00",
        "1990-05-17 00:00:00",
        "1990-05-17T00:00:00Z",
        "17-05-1990",
        "17/05/1990",
        "17.05.1990",
        "7-5-1990",
        " 17-05-1990 ",
        "17-05-1990 00:00",
        "00-00-1990",  # Dutch register: day and month unknown
        "00-05-1990",
        "1990-00-00",
        "05-1990",
        "1990-05",
        "1990",
        dt.date(1990, 5, 17),
        dt.datetime(1990, 5, 17, 12, 0),
        pd.Timestamp("1990-05-17"),
        np.datetime64("1990-05-17"),
        np.datetime64("1990-05-17T10:00"),
        1990,
    ],
)
def test_date_of_birth_gives_its_year(dob: Any) -> None:
    assert birth_year_range(date_of_birth=dob) == (1990, 1990)


@pytest.mark.parametrize("year", [1990, "1990", " 1990 ", 1990.0, "1990.0", np.int64(1990), np.float64(1990.0)])
def test_birth_year(year: Any) -> None:
    assert birth_year_range(birth_year=year) == (1990, 1990)


@pytest.mark.parametrize(
    ("age", "report_date", "expected"),
    [
        (23, "2024-03-01", (2000, 2001)),
        (23, "01-03-2024", (2000, 2001)),
        (23, dt.date(2024, 3, 1), (2000, 2001)),
        (23, pd.Timestamp("2024-03-01"), (2000, 2001)),
        (23, 2024, (2000, 2001)),
        (23, "2024", (2000, 2001)),
        ("23", "2024-03-01", (2000, 2001)),
        ("23 jaar", "2024-03-01", (2000, 2001)),
        ("23 years", "2024-03-01", (2000, 2001)),
        ("23 jr", "2024-03-01", (2000, 2001)),
        (23.0, "2024-03-01", (2000, 2001)),
        (23.7, "2024-03-01", (2000, 2001)),  # completed years
        ("23,5", "2024-03-01", (2000, 2001)),
        (np.int64(23), "2024-03-01", (2000, 2001)),
        (0, "2024-03-01", (2023, 2024)),  # a newborn
        (17, "2024-12-31", (2006, 2007)),  # minors
        (110, "2024-01-01", (1913, 1914)),  # max_age is allowed
    ],
)
def test_age_at_report_date(age: Any, report_date: Any, expected: tuple[int, int]) -> None:
    assert birth_year_range(age=age, report_date=report_date) == expected


def test_age_uncertainty() -> None:
    assert birth_year_range(age=30, report_date="2024-06-01", age_uncertainty=0) == (1994, 1994)
    assert birth_year_range(age=30, report_date="2024-06-01", age_uncertainty=2) == (1992, 1994)


def test_age_interval_is_clipped_at_min_year() -> None:
    assert birth_year_range(age=110, report_date="2010-01-01") == (1900, 1900)
    with pytest.raises(InvalidValue):
        birth_year_range(age=109, report_date="2000-01-01", min_year=1950)


def test_birthday_ambiguity_is_covered() -> None:
    # Born 1990-06-15: on 2024-03-01 aged 33, on 2024-09-01 aged 34.
    for report, age in (("2024-03-01", 33), ("2024-09-01", 34)):
        lo, hi = birth_year_range(age=age, report_date=report) or (0, 0)
        assert lo <= 1990 <= hi


def test_priority_date_then_year_then_age() -> None:
    # inconsistent sources are not an error: the date of birth wins
    got = birth_year_range(date_of_birth="1990-05-17", birth_year=1985, age=5, report_date="2024-01-01")
    assert got == (1990, 1990)
    assert birth_year_range(birth_year=1985, age=5, report_date="2024-01-01") == (1985, 1985)
    # lower-priority sources are not looked at, even when invalid
    assert birth_year_range(date_of_birth="1990-05-17", birth_year="garbage", age=-3) == (1990, 1990)
    assert birth_year_range(birth_year=1990, age=23) == (1990, 1990)


@pytest.mark.parametrize("missing", [None, "", "   ", float("nan"), pd.NA, pd.NaT, np.nan, np.datetime64("NaT")])
def test_missing_everywhere_is_none(missing: Any) -> None:
    assert birth_year_range(date_of_birth=missing, birth_year=missing, age=missing, report_date=missing) is None


def test_missing_date_falls_back_to_year_and_age() -> None:
    assert birth_year_range(date_of_birth=None, birth_year="1990") == (1990, 1990)
    assert birth_year_range(date_of_birth="", birth_year=float("nan"), age=40, report_date="2020-01-01") == (1979, 1980)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"date_of_birth": "31-02-1990"},
        {"date_of_birth": "17-13-1990"},
        {"date_of_birth": "05/17/1990"},  # month-first is not supported
        {"date_of_birth": "17-05-90"},  # two-digit year
        {"date_of_birth": "gisteren"},
        {"date_of_birth": "1990-05-17-01"},
        {"date_of_birth": 1990.0},
        {"date_of_birth": True},
        {"date_of_birth": "1850-01-01"},  # before min_year
        {"date_of_birth": "2025-01-02", "report_date": "2025-01-01"},  # after the report date
        {"date_of_birth": "3000-01-01"},  # in the future
        {"date_of_birth": "1910-01-01", "report_date": "2024-01-01"},  # age above max_age
        {"birth_year": 1899},
        {"birth_year": "1899"},
        {"birth_year": "90"},
        {"birth_year": "negentig"},
        {"birth_year": 1990.5},
        {"birth_year": True},
        {"birth_year": 2030, "report_date": "2024-01-01"},
        {"birth_year": [1990]},
        {"age": 23},  # an age needs a report date
        {"age": -1, "report_date": "2024-01-01"},
        {"age": "-1", "report_date": "2024-01-01"},
        {"age": 111, "report_date": "2024-01-01"},
        {"age": "oud", "report_date": "2024-01-01"},
        {"age": float("inf"), "report_date": "2024-01-01"},
        {"age": True, "report_date": "2024-01-01"},
        {"age": 23, "report_date": "binnenkort"},
        {"date_of_birth": "1990-05-17", "report_date": "31-31-2024"},
    ],
)
def test_invalid(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidValue):
        birth_year_range(**kwargs)


def test_boundary_ages() -> None:
    assert birth_year_range(age=110, report_date="2024-01-01", max_age=110) == (1913, 1914)
    with pytest.raises(InvalidValue):
        birth_year_range(age=111, report_date="2024-01-01", max_age=110)
    assert birth_year_range(age=0, report_date="2024-01-01") == (2023, 2024)
    assert birth_year_range(birth_year=1900) == (1900, 1900)
    assert birth_year_range(date_of_birth="2024-01-01", report_date="2024-01-01") == (2024, 2024)


def test_schema_settings_are_honoured() -> None:
    assert birth_year_range(birth_year=1950, min_year=1940) == (1950, 1950)
    with pytest.raises(InvalidValue):
        birth_year_range(birth_year=1950, min_year=1960)
    with pytest.raises(InvalidValue):
        birth_year_range(age=60, report_date="2024-01-01", max_age=50)
