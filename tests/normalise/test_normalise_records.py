"""normalise_records: a reporter's raw table to canonical columns, with one InputError."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from linkage.errors import InputError
from linkage.normalise import normalise_records
from linkage.schema import default_schema, load_schema

SCHEMA = default_schema()


def police_report() -> pd.DataFrame:
    """A police export: full records, messy spellings, some gaps."""
    return pd.DataFrame(
        {
            " Given_Names ": ["Ana-Maria", "Олена", "Jan", None, "Chinonso", "  "],
            "SURNAME": ["Popescu", "Шевченко", "van der Berg", "Nagy", "Okafor-Eze", ""],
            "Date_Of_Birth": ["17-05-1990", "1985-01-31", None, "00-00-1979", pd.NA, None],
            "age": [None, None, 41, None, 19, None],
            "report_date": ["2024-03-01"] * 6,
            "Nationality": ["Roemeense", "Oekraïne", "NL", "Hongarije", "Nigeriaanse", "onbekend"],
            "Sex": ["V", "vrouw", "M", "man", "F", None],
        },
        index=pd.Index([10, 11, 12, 13, 14, 15], name="case"),
    )


def test_police_export() -> None:
    out = normalise_records(police_report(), SCHEMA)
    assert list(out.columns) == ["initials", "birth_year", "nationality", "sex", "_row"]
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    assert out.index.name == "case"
    assert out["initials"].tolist() == ["AP", "OS", "JB", "N", "CO", None]
    assert out["birth_year"].tolist() == [(1990, 1990), (1985, 1985), (1982, 1983), (1979, 1979), (2004, 2005), None]
    assert out["nationality"].tolist() == ["ROU", "UKR", "NLD", "HUN", "NGA", None]
    assert out["sex"].tolist() == ["F", "F", "M", "M", "F", None]
    assert out["_row"].tolist() == [1, 2, 3, 4, 5, 6]
    for name in ("initials", "birth_year", "nationality", "sex"):
        assert out[name].dtype == object
    assert out.loc[15, "initials"] is None
    assert out.loc[15, "birth_year"] is None


def test_fairwork_initials_and_age_only() -> None:
    df = pd.DataFrame({"initials": ["A.M.", "j.v.d.B.", "?"], "age": [23, "31", None],
                       "report_date": [dt.date(2023, 6, 1)] * 3})
    out = normalise_records(df, SCHEMA)
    assert out["initials"].tolist() == ["AM", "JB", None]
    assert out["birth_year"].tolist() == [(1999, 2000), (1991, 1992), None]
    # no nationality or sex column: missing in every row, not an error
    assert out["nationality"].tolist() == [None, None, None]
    assert out["sex"].tolist() == [None, None, None]


def test_source_priority_for_initials() -> None:
    df = pd.DataFrame(
        {
            "given_names": ["Jan", None, None, "  "],
            "surname": ["Jansen", None, "Popescu", None],
            "full_name": ["Piet Pietersen", "Maria de la Cruz", "Ana Ionescu", None],
            "initials": ["XY", "QQ", "ZZ", "K.L."],
        }
    )
    out = normalise_records(df, SCHEMA)
    # given_names + surname win when either is present, else full_name, else initials
    assert out["initials"].tolist() == ["JJ", "MC", "P", "KL"]


def test_full_name_only() -> None:
    df = pd.DataFrame({"Full_Name": ["Popescu, Ana-Maria", "Şerban Ionuţ", "Madonna", np.nan]})
    out = normalise_records(df, SCHEMA)
    assert out["initials"].tolist() == ["AP", "SI", "M", None]


def test_year_sources() -> None:
    df = pd.DataFrame(
        {
            "date_of_birth": [pd.Timestamp("1990-05-17"), pd.NaT, pd.NaT, pd.NaT],
            "birth_year": [1980, 1975.0, np.nan, np.nan],
            "age": [50, 50, 30, np.nan],
            "report_date": pd.to_datetime(["2024-01-01"] * 4),
        }
    )
    out = normalise_records(df, SCHEMA)
    assert out["birth_year"].tolist() == [(1990, 1990), (1975, 1975), (1993, 1994), None]


def test_schema_year_settings_are_used() -> None:
    doc = dict(SCHEMA.document)
    doc["fields"] = [dict(f) for f in doc["fields"]]
    for f in doc["fields"]:
        if f["type"] == "year":
            f["normalisation"] = {**f["normalisation"], "age_uncertainty": 2, "min_year": 1950}
    schema = load_schema(doc)
    df = pd.DataFrame({"age": [30], "report_date": ["2024-06-01"]})
    assert normalise_records(df, schema)["birth_year"].tolist() == [(1992, 1994)]
    with pytest.raises(InputError):
        normalise_records(pd.DataFrame({"birth_year": [1940]}), schema)


def test_empty_frame() -> None:
    out = normalise_records(pd.DataFrame({"sex": pd.Series([], dtype=object)}), SCHEMA)
    assert len(out) == 0
    assert list(out.columns) == ["initials", "birth_year", "nationality", "sex", "_row"]


def test_numeric_columns() -> None:
    df = pd.DataFrame({"nationality": [642, 528], "sex": [1, 2], "birth_year": pd.array([1990, None], dtype="Int64")})
    out = normalise_records(df, SCHEMA)
    assert out["nationality"].tolist() == ["ROU", "NLD"]
    assert out["sex"].tolist() == ["M", "F"]
    assert out["birth_year"].tolist() == [(1990, 1990), None]


def test_one_input_error_lists_every_problem() -> None:
    df = pd.DataFrame(
        {
            "given_names": ["Ana", "123", "Jan", "Eva", "Piet"],
            "surname": ["Popescu", "Nagy", "###", "Kovács", "Jansen"],
            "date_of_birth": ["17-05-1990", "31-02-1990", None, "1990-01-01", "2030-01-01"],
            "age": [None, None, 23, None, None],
            "nationality": ["Roemeense", "Klingon", "NL", "Hongarije", "Atlantis"],
            "sex": ["V", "M", "O", "vrouw", "banaan"],
        }
    )
    with pytest.raises(InputError) as info:
        normalise_records(df, SCHEMA)
    found = [(p.row, p.field) for p in info.value.problems]
    assert found == [
        (2, "given_names"),
        (2, "date_of_birth"),
        (2, "nationality"),
        (3, "surname"),
        (3, "age"),  # an age without a report date
        (3, "sex"),
        (5, "date_of_birth"),
        (5, "nationality"),
        (5, "sex"),
    ]
    # row 1 and row 4 are fine and do not appear
    assert all(p.reason for p in info.value.problems)


def test_problem_names_the_column_as_spelled_in_the_input() -> None:
    df = pd.DataFrame({"Nationaliteit": ["x"], "NATIONALITY ": ["Klingon"]})
    with pytest.raises(InputError) as info:
        normalise_records(df, SCHEMA)
    assert [(p.row, p.field) for p in info.value.problems] == [(1, "NATIONALITY ")]


def test_duplicate_columns_after_case_folding() -> None:
    df = pd.DataFrame([["M", "V"]], columns=["sex", "SEX"])
    with pytest.raises(InputError) as info:
        normalise_records(df, SCHEMA)
    assert [(p.row, p.field) for p in info.value.problems] == [(0, "sex")]


def test_not_a_dataframe() -> None:
    with pytest.raises(TypeError):
        normalise_records([{"sex": "M"}], SCHEMA)


def test_hundred_thousand_rows_are_fast() -> None:
    n = 100_000
    rng = np.random.default_rng(7)
    firsts = np.array(["Ana-Maria", "Şerban", "Олена", "Jan", "Chinonso", "Ewa", "János", "Mehmet", "Thi", "Fatima"])
    lasts = np.array(["Popescu", "Ionuţ", "Шевченко", "van der Berg", "Okafor", "Kowalska", "Nagy", "Yılmaz", "Le",
                      "El Amrani"])
    years = rng.integers(1950, 2008, n)
    df = pd.DataFrame(
        {
            "given_names": firsts[rng.integers(0, 10, n)],
            "surname": [f"{s}{i % 997}" for i, s in enumerate(lasts[rng.integers(0, 10, n)])],
            "date_of_birth": [
                f"{d:02d}-{m:02d}-{y}"
                for d, m, y in zip(rng.integers(1, 29, n), rng.integers(1, 13, n), years, strict=True)
            ],
            "nationality": rng.choice(["Roemeense", "PL", "Hongarije", "Bulgaars", "Nigeria", "NLD", "onbekend"], n),
            "sex": rng.choice(["M", "V", "man", "vrouw", "X", "onbekend"], n),
        }
    )
    start = time.perf_counter()
    out = normalise_records(df, SCHEMA)
    elapsed = time.perf_counter() - start
    assert len(out) == n
    assert out["_row"].iloc[-1] == n
    assert elapsed < 15, elapsed  # a few seconds on a laptop; generous for CI
