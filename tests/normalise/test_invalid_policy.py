"""The per-cell policy: refuse lists every bad cell; missing leaves each out, reads the field again, counts it."""

from __future__ import annotations

import pandas as pd
import pytest

import linkage
from linkage.errors import InputError, LinkageError
from linkage.normalise import normalise_records, normalise_table

ROWS = [
    {"given_names": "Ana", "surname": "Popescu", "date_of_birth": "31-31-1990", "age": "30",
     "report_date": "2022-01-01", "nationality": "Koerdisch", "sex": "O"},
    {"given_names": "Jan", "surname": "Jansen", "date_of_birth": "1980-01-01", "age": None,
     "report_date": "2022-01-01", "nationality": "NLD", "sex": "M"},
    {"given_names": "123", "surname": "Berg", "date_of_birth": None, "age": "30-35",
     "report_date": "2022-01-01", "nationality": None, "sex": "V"},
]


def test_refuse_lists_every_bad_cell(schema: linkage.Schema) -> None:
    table = normalise_table(pd.DataFrame(ROWS), schema)
    got = [(r.row, r.field, r.column) for r in table.rejected]
    assert got == [(1, "birth_year", "date_of_birth"), (1, "nationality", "nationality"), (1, "sex", "sex"),
                   (3, "initials", "given_names"), (3, "birth_year", "age")]
    with pytest.raises(InputError) as ei:
        normalise_records(pd.DataFrame(ROWS), schema)
    assert len(ei.value.problems) == 5


def test_missing_leaves_bad_cells_out_and_uses_the_next_source(schema: linkage.Schema) -> None:
    table = normalise_table(pd.DataFrame(ROWS), schema, invalid="missing")
    frame = table.frame
    # Row 1: the corrupt date of birth is left out, so the age (30 at 2022) gives the years.
    assert frame["birth_year"].tolist() == [(1991, 1992), (1980, 1980), None]
    assert frame["nationality"].tolist() == [None, "NLD", None]
    assert frame["sex"].tolist() == [None, "M", "F"]
    # Row 3: the bad given name is left out; the surname's initial stays.
    assert frame["initials"].tolist() == ["AP", "JJ", "B"]
    counts = {f.field: (f.read, f.missing, f.refused) for f in table.fields}
    assert counts == {"initials": (3, 0, 1), "birth_year": (2, 1, 2), "nationality": (1, 2, 1), "sex": (2, 1, 1)}
    assert table.dropped_cells() == {"initials": 1, "birth_year": 2, "nationality": 1, "sex": 1}
    assert len(table.rejected) == 5 and all("Popescu" not in r.reason for r in table.rejected)


def test_missing_finds_a_bad_lower_source_too(schema: linkage.Schema) -> None:
    df = pd.DataFrame([{"date_of_birth": "31-31-1990", "age": "oud", "report_date": "2022-01-01"}])
    table = normalise_table(df, schema, invalid="missing")
    assert [(r.column, r.reason) for r in table.rejected] == [
        ("date_of_birth", "date of birth is not a valid date"), ("age", "age is not a number of years")]
    assert table.frame["birth_year"].tolist() == [None]
    assert table.fields[1].refused == 1  # one record, two cells


def test_row_numbers_from_the_file(schema: linkage.Schema) -> None:
    table = normalise_table(pd.DataFrame(ROWS), schema, rows=[2, 5, 9])
    assert sorted({r.row for r in table.rejected}) == [2, 9]
    assert table.frame["_row"].tolist() == [2, 5, 9]
    with pytest.raises(LinkageError):
        normalise_table(pd.DataFrame(ROWS), schema, rows=[1])
    with pytest.raises(LinkageError):
        normalise_table(pd.DataFrame(ROWS), schema, invalid="ignore")  # type: ignore[arg-type]


def test_counts_and_records_without_fields(schema: linkage.Schema) -> None:
    df = pd.DataFrame({"initials": ["AB", None, "onbekend"], "sex": ["M", None, None]})
    table = normalise_table(df, schema)
    assert table.records_without_fields == 2
    assert [(f.field, f.columns, f.read) for f in table.fields] == [
        ("initials", ("initials",), 1), ("birth_year", (), 0), ("nationality", (), 0), ("sex", ("sex",), 1)]
