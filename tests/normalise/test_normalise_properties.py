"""Hypothesis properties of the initials functions and the other normalisers."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.errors import InvalidValue
from linkage.normalise import (
    birth_year_range,
    initials_from_name,
    initials_from_parts,
    nationality_group,
    nationality_region,
    normalise_nationality,
    normalise_records,
    normalise_sex,
    parse_initials,
)
from linkage.schema import default_schema

CANONICAL = re.compile(r"[A-Z]{1,2}")

# Letters reporters' names are written in: Latin with diacritics, Cyrillic, Greek, Arabic.
NAME_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ăâîșşțţĂÂÎȘŞȚŢáéíóöőúüűÁÉÍÓÖŐÚÜŰąćęłńóśźżĄĆĘŁŃÓŚŹŻçğıİöşüÇĞÖŞÜčďěňřšťůžČĎĚŇŘŠŤŮŽ"
    "абвгдежзийклмнопрстуфхцчшщъьюяєіїґАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯЄІЇҐ"
    "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕ"
    "محمدالحسنعلي"
    " -'’.,"
)
names = st.text(alphabet=NAME_ALPHABET, max_size=40)
SOUNDING_LETTER = re.compile("[A-Za-zа-щюяєіїґА-ЩЮЯЄІЇҐ]")
anything = st.one_of(st.text(max_size=40), names)


def _check(result: str | None) -> None:
    assert result is None or CANONICAL.fullmatch(result) is not None, result


@settings(max_examples=500, deadline=None)
@given(anything)
def test_initials_from_name_property(text: str) -> None:
    try:
        _check(initials_from_name(text))
    except InvalidValue:
        pass


@settings(max_examples=500, deadline=None)
@given(anything)
def test_parse_initials_property(text: str) -> None:
    try:
        _check(parse_initials(text))
    except InvalidValue:
        pass


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.none(), anything), st.one_of(st.none(), anything))
def test_initials_from_parts_property(given_names: str | None, surname: str | None) -> None:
    try:
        _check(initials_from_parts(given_names, surname))
    except InvalidValue:
        pass


@settings(max_examples=300, deadline=None)
@given(names.filter(lambda s: SOUNDING_LETTER.search(s) is not None))
def test_names_with_letters_give_initials(text: str) -> None:
    """A name with a Latin or Cyrillic letter yields letters, never an error.

    (Signs without a sound of their own, such as the Cyrillic hard sign or the
    Arabic ayn, may transliterate to no letter at all.)
    """
    result = initials_from_name(text)
    _check(result)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_other_normalisers_raise_only_invalid_value(text: str) -> None:
    for func in (normalise_nationality, normalise_sex):
        try:
            result = func(text)
        except InvalidValue:
            continue
        if func is normalise_nationality and result is not None:
            assert nationality_region(result)
            assert nationality_group(result)
        if func is normalise_sex:
            assert result in {None, "M", "F", "X"}
    for kwargs in ({"date_of_birth": text}, {"birth_year": text}, {"age": text, "report_date": "2024-01-01"}):
        try:
            interval = birth_year_range(**kwargs)  # type: ignore[arg-type]
        except InvalidValue:
            continue
        assert interval is None or interval[0] <= interval[1]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=110), st.integers(min_value=2011, max_value=2100),
       st.integers(min_value=0, max_value=5))
def test_age_interval_shape(age: int, report_year: int, uncertainty: int) -> None:
    lo, hi = birth_year_range(age=age, report_date=f"{report_year}-06-30", age_uncertainty=uncertainty) or (0, 0)
    assert hi == report_year - age
    assert lo == max(hi - uncertainty, 1900)  # clipped at min_year


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(names, names), min_size=1, max_size=8))
def test_records_match_scalar_functions(rows: list[tuple[str, str]]) -> None:
    df = pd.DataFrame(rows, columns=["given_names", "surname"])
    try:
        expected = [initials_from_parts(g or None, s or None) for g, s in rows]
    except InvalidValue:
        return
    out = normalise_records(df, default_schema())
    assert out["initials"].tolist() == expected
