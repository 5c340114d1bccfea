"""The public surface of linkage.normalise is curated."""

from __future__ import annotations

import inspect

import linkage.normalise as normalise

EXPECTED = {
    "BirthYearInvalid",
    "cells",
    "tables",
    "given_name_initial",
    "is_missing",
    "resolve_birth_year",
    "resolve_nationality",
    "resolve_sex",
    "surname_initial",
    "to_ascii",
    "CONTINENTS",
    "NATIONALITY_GROUPS",
    "STATELESS",
    "birth_year_range",
    "initials_from_name",
    "initials_from_parts",
    "nationality_codes",
    "nationality_group",
    "nationality_region",
    "normalise_nationality",
    "normalise_records",
    "normalise_sex",
    "parse_initials",
    # the table with the invalid-cell policy and what went in (issue 12)
    "INVALID_POLICIES",
    "MONTHS",
    "UNKNOWN_TEXTS",
    "FieldCounts",
    "InvalidPolicy",
    "NormalisedTable",
    "RejectedCell",
    "is_unknown_text",
    "normalise_table",
}


def test_all_is_the_public_surface() -> None:
    assert set(normalise.__all__) == EXPECTED
    public = {n for n in dir(normalise) if not n.startswith("_")}
    assert public == EXPECTED
    for name in normalise.__all__:
        obj = getattr(normalise, name)
        if inspect.isfunction(obj):
            assert obj.__doc__, name
            assert obj.__module__.startswith("linkage.normalise._"), name


def test_birth_year_range_is_keyword_only() -> None:
    params = inspect.signature(normalise.birth_year_range).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert params["age_uncertainty"].default == 1
    assert params["min_year"].default == 1900
    assert params["max_age"].default == 110


def test_constants() -> None:
    assert normalise.STATELESS == "XXA"
    assert set(normalise.CONTINENTS) == {"AF", "AS", "EU", "NA", "SA", "OC", "XX"}
    assert normalise.NATIONALITY_GROUPS == (
        "Nederland", "Europa", "Afrika", "Azië", "Latijns-Amerika", "Overig", "Onbekend",
    )
