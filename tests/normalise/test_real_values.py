"""Values real reporter files hold: accepted where they mean one thing, refused with a clear reason where not.

Each decision is written up in docs/input.md; this file holds them in place.
The reasons never contain the value.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import linkage
from linkage.errors import InvalidValue
from linkage.normalise import (
    normalise_table,
    resolve_birth_year,
    resolve_nationality,
    resolve_sex,
)

REPORT = "2022-06-01"


@pytest.mark.parametrize(
    ("text", "code"),
    [("XX", None), ("xx", None), ("XXX", None), ("ZZ", None), ("onbekend", None), ("Onb.", None),
     ("onbekend of stateloos", None), ("RO / Roemeens", "ROU"), ("Bosnië/Herzegovina", "BIH"),
     ("staatloos", "XXA"), ("Nederlandse", "NLD")],
)
def test_nationality_accepted(text: str, code: str | None) -> None:
    assert resolve_nationality(text) == code


@pytest.mark.parametrize(
    ("text", "reason"),
    [("Koerdisch", "ethnic group"), ("Koerd", "ethnic group"), ("Roma", "ethnic group"), ("Sinti", "ethnic group"),
     ("EU", "group of countries"), ("Europa", "group of countries"), ("Afrikaans", "group of countries"),
     ("Latijns-Amerika", "group of countries"), ("overig", "a category"), ("vluchteling", "a category"),
     ("NL/MA", "two or more nationalities"), ("Nederlands en Marokkaans", "two or more nationalities"),
     ("Roemeens, Hongaars", "two or more nationalities"), ("Atlantis", "not a recognised nationality")],
)
def test_nationality_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as ei:
        resolve_nationality(text)
    assert reason in ei.value.reason and text not in ei.value.reason


@pytest.mark.parametrize(("text", "sex"), [("W", "F"), ("w", "F"), ("V", "F"), ("onbekend", None), ("onb.", None),
                                           ("X", "X"), ("M", "M")])
def test_sex_accepted(text: str, sex: str | None) -> None:
    assert resolve_sex(text) == sex


@pytest.mark.parametrize("text", ["O", "o.", "NB", "nb", "N.B."])
def test_sex_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(InvalidValue, match="ambiguous") as ei:
        resolve_sex(text)
    assert "use X" in ei.value.reason


@pytest.mark.parametrize(
    ("kwargs", "years"),
    [
        ({"date_of_birth": "31 december 1990"}, (1990, 1990)),
        ({"date_of_birth": "31-dec-1990"}, (1990, 1990)),
        ({"date_of_birth": "31 dec. 1990"}, (1990, 1990)),
        ({"date_of_birth": "1 mrt 1990"}, (1990, 1990)),
        ({"date_of_birth": "17 mei 1990 00:00"}, (1990, 1990)),
        ({"date_of_birth": "December 31, 1990"}, (1990, 1990)),
        ({"date_of_birth": "oktober 1990"}, (1990, 1990)),
        ({"date_of_birth": 19901231}, (1990, 1990)),
        ({"date_of_birth": "00-00-0000", "birth_year": "1990"}, (1990, 1990)),
        ({"date_of_birth": "onbekend", "age": "31", "report_date": REPORT}, (1990, 1991)),
        ({"birth_year": "onbekend"}, None),
        ({"age": "~34", "report_date": REPORT}, (1987, 1988)),
        ({"age": "ca. 34", "report_date": REPORT}, (1987, 1988)),
        ({"age": "± 34", "report_date": REPORT}, (1987, 1988)),
        ({"age": "ongeveer 34 jaar", "report_date": REPORT}, (1987, 1988)),
        ({"age": "onbekend", "report_date": REPORT}, None),
        ({"birth_year": "ca. 1990"}, (1990, 1990)),
        ({"age": "30", "report_date": "onbekend"}, "refused"),
    ],
)
def test_dates_and_ages(kwargs: dict[str, Any], years: Any) -> None:
    if years == "refused":
        with pytest.raises(InvalidValue):
            resolve_birth_year(**kwargs)
    else:
        assert resolve_birth_year(**kwargs) == years


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"date_of_birth": "33238"}, "Excel serial date"),
        ({"date_of_birth": 33238}, "Excel serial date"),
        ({"date_of_birth": "31 foo 1990"}, "month name"),
        ({"date_of_birth": "31-02-1990"}, "not a valid date"),
        ({"age": "30-35", "report_date": REPORT}, "range"),
        ({"age": "30 tot 35", "report_date": REPORT}, "range"),
        ({"age": "34+", "report_date": REPORT}, "open-ended"),
        ({"age": "minderjarig", "report_date": REPORT}, "age band"),
        ({"birth_year": "1990-1992"}, "range"),
    ],
)
def test_dates_and_ages_refused(kwargs: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        resolve_birth_year(**kwargs)


def test_onbekend_is_unknown_in_every_field(schema: linkage.Schema) -> None:
    df = pd.DataFrame({"given_names": ["onbekend"], "surname": ["onbekend"], "date_of_birth": ["onbekend"],
                       "age": ["onbekend"], "report_date": ["onbekend"], "nationality": ["onbekend"],
                       "sex": ["onbekend"]})
    table = normalise_table(df, schema)
    assert not table.rejected and table.records_without_fields == 1
    assert [f.missing for f in table.fields] == [1, 1, 1, 1]


def test_values_accepted_before_are_read_as_before() -> None:
    """The new spellings only add: what was read before is read alike (the known-answer vectors hold too)."""
    assert resolve_birth_year(date_of_birth="17-05-1990") == (1990, 1990)
    assert resolve_birth_year(age="23 jaar", report_date="2024-03-01") == (2000, 2001)
    assert resolve_birth_year(date_of_birth=1990) == (1990, 1990)
    assert resolve_nationality("XXA") == "XXA" and resolve_nationality("Roemenië") == "ROU"
    assert resolve_sex("vrouw") == "F" and resolve_sex("U") is None
