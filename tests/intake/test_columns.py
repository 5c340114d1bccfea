"""Columns are found (built-in Dutch and English names, a mapping, the schema's columns) or the run stops."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import linkage
from linkage.errors import ColumnError
from linkage.intake import builtin_column_names, find_columns, header_key, parse_column_mapping, read_records


def test_the_built_in_names_are_consistent(schema: linkage.Schema) -> None:
    text = resources.files("linkage.intake").joinpath("data", "column_names.csv").read_text("utf-8")
    rows = list(csv.DictReader(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")))
    keys = [header_key(r["header"]) for r in rows]
    assert len(keys) == len(set(keys)), "a header appears twice"
    own = {header_key(s) for s in schema.sources}
    assert not own & set(keys), "an input column's own name needs no entry"
    for r in rows:
        assert r["source"] in {*schema.sources, "-", "full_name|surname"}, r
        if r["source"] == "-":
            assert r["note"], r
    names = builtin_column_names()
    for needed in ("voornaam", "voornamen", "achternaam", "voorletters", "geboortedatum", "geboortejaar",
                   "leeftijd", "meldingsdatum", "datum melding", "nationaliteit", "geslacht", "first name",
                   "last name", "dob"):
        assert any(header_key(needed) == header_key(h) for hs in names.values() for h in hs), needed
    assert "tussenvoegsel" in names["-"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Voornamen", "Achternaam", "Geboortedatum", "Nationaliteit", "Geslacht"],
         {"given_names": "Voornamen", "surname": "Achternaam", "date_of_birth": "Geboortedatum",
          "nationality": "Nationaliteit", "sex": "Geslacht"}),
        (["first_name", "last_name", "dob", "Nationality", "gender", "Case ID"],
         {"given_names": "first_name", "surname": "last_name", "date_of_birth": "dob", "nationality": "Nationality",
          "sex": "gender", "case_ref": "Case ID"}),
        (["Voorletters", "Tussenvoegsel", "Achternaam", "Geb. datum"],
         {"given_names": "Voorletters", "surname": "Achternaam", "date_of_birth": "Geb. datum"}),
        (["Initialen", "Leeftijd", "Datum melding", "M/V"],
         {"initials": "Initialen", "age": "Leeftijd", "report_date": "Datum melding", "sex": "M/V"}),
        (["Naam", "Geboortejaar"], {"full_name": "Naam", "birth_year": "Geboortejaar"}),
        (["Voornaam", "Naam"], {"given_names": "Voornaam", "surname": "Naam"}),
        (["GIVEN_NAMES", " Surname ", "Date Of Birth", "meldingsdatum", "Dossiernummer"],
         {"given_names": "GIVEN_NAMES", "surname": " Surname ", "date_of_birth": "Date Of Birth",
          "report_date": "meldingsdatum", "case_ref": "Dossiernummer"}),
    ],
)
def test_built_in_names(schema: linkage.Schema, headers: list[str], expected: dict[str, str]) -> None:
    cmap = find_columns(headers, schema)
    assert dict(cmap.sources) == expected
    assert {label for label, _ in cmap.not_used} == set(headers) - set(expected.values())


def test_known_but_not_read_columns_say_why(schema: linkage.Schema) -> None:
    cmap = find_columns(["Voornaam", "Achternaam", "Tussenvoegsel", "Land van herkomst", "BSN", "Opmerking"], schema)
    why = dict(cmap.not_used)
    assert "prefix" in why["Tussenvoegsel"] and "not the nationality" in why["Land van herkomst"]
    assert "never read" in why["BSN"] and why["Opmerking"] == "not a recognised column"


def test_a_mapping_comes_first(schema: linkage.Schema) -> None:
    cmap = find_columns(["Roepnaam", "Achternaam", "Land"], schema,
                        parse_column_mapping(["given_names=roepnaam", "nationality=Land"]))
    assert dict(cmap.sources) == {"given_names": "Roepnaam", "surname": "Achternaam", "nationality": "Land"}
    assert cmap.how["given_names"] == "mapped" and cmap.how["surname"] == "built-in"
    assert parse_column_mapping("given_names=Naam, voornaam") == {"given_names": "Naam, voornaam"}
    assert parse_column_mapping("a=B,c=D") == {"a": "B", "c": "D"}


@pytest.mark.parametrize(
    ("headers", "mapping", "message"),
    [
        (["Voornaam", "first_name"], None, "are all given_names"),
        (["Voornaam"], {"given_names": "Roepnaam"}, "'Roepnaam' given for given_names is not in the file"),
        (["Voornaam"], {"eye_colour": "Voornaam"}, "not an input column of this schema"),
        (["Voornaam", "Achternaam"], {"given_names": "Voornaam", "surname": "Voornaam"}, "given for both"),
    ],
)
def test_column_errors(schema: linkage.Schema, headers: list[str], mapping: dict[str, str] | None,
                       message: str) -> None:
    with pytest.raises(ColumnError, match=message):
        find_columns(headers, schema, mapping)
    with pytest.raises(ColumnError):
        parse_column_mapping("no-equals-sign")


def test_a_file_without_a_quasi_identifier_column_is_refused_naming_its_columns(
    tmp_path: Path, schema: linkage.Schema
) -> None:
    p = tmp_path / "in.csv"
    p.write_text("Code;Omschrijving;Meldingsdatum;Dossiernummer\nA;Ana Popescu;2022-01-01;17\n", "utf-8")
    with pytest.raises(ColumnError) as ei:
        read_records(p, schema)
    msg = str(ei.value)
    assert "'Code', 'Omschrijving', 'Meldingsdatum', 'Dossiernummer'" in msg and "Popescu" not in msg


def test_a_headerless_file_does_not_show_its_first_row(tmp_path: Path, schema: linkage.Schema) -> None:
    p = tmp_path / "in.csv"
    p.write_text("Ana;Popescu;17-05-1990;ROU\nJan;Jansen;01-01-1980;NLD\n", "utf-8")
    with pytest.raises(ColumnError) as ei:
        read_records(p, schema)
    msg = str(ei.value)
    assert "1990" not in msg and "column 3" in msg and "header row" in msg


def test_repeated_headers_that_are_read_are_an_error(tmp_path: Path, schema: linkage.Schema) -> None:
    p = tmp_path / "in.csv"
    p.write_text("Voornaam;Voornaam;Achternaam\nAna;Maria;Popescu\n", "utf-8")
    with pytest.raises(ColumnError, match="more than one column is called 'Voornaam'"):
        read_records(p, schema)
    p.write_text("Naam;Geboortejaar;naam\nAna Popescu;1990;x\n", "utf-8")
    with pytest.raises(ColumnError, match="more than one column is called 'Naam'"):
        read_records(p, schema)


def test_the_schema_columns_map_and_leave_the_fingerprint_alone(tmp_path: Path, schema: linkage.Schema,
                                                                 key: linkage.LinkageKey) -> None:
    doc = json.loads(linkage.schema.schema_to_json(schema))
    doc["columns"] = {"given_names": "Roepnaam", "sex": "Gesl."}
    mine = linkage.load_schema(doc)
    assert mine.fingerprint == schema.fingerprint and dict(mine.columns) == doc["columns"]
    assert "columns" not in linkage.schema.schema_to_json(schema)
    df = pd.DataFrame({"Roepnaam": ["Ana"], "Achternaam": ["Popescu"], "Gesl.": ["V"]})
    sk = linkage.generate_signing_key()
    linkage.encode_table(df, mine, key, sk, reporter_id="r", out_path=tmp_path / "r.lnk")
    trusted = {"r": sk.public_key()}
    sub = linkage.read_submission(tmp_path / "r.lnk", trusted, schema=schema)
    assert "columns" not in sub.header.schema  # the reporter's column names stay home
    assert linkage.describe_submission(sub)["fields_present"] == {"initials": 1, "birth_year": 0,
                                                                  "nationality": 0, "sex": 1}
    doc["columns"] = {"eye_colour": "Ogen"}
    with pytest.raises(linkage.SchemaError, match="not an input column"):
        linkage.load_schema(doc)


def test_library_dataframes_with_dutch_headers(tmp_path: Path, schema: linkage.Schema,
                                               key: linkage.LinkageKey) -> None:
    df = pd.DataFrame({"Voornamen": ["Ana"], "Achternaam": ["Popescu"], "Geboortedatum": ["17-05-1990"],
                       "Nationaliteit": ["Roemeense"], "Geslacht": ["V"], "Dossiernummer": ["PL-1"]})
    idm = linkage.encode_table(df, schema, key, linkage.generate_signing_key(), reporter_id="r",
                               out_path=tmp_path / "r.lnk", case_ref_column=None)
    assert idm["case_ref"].tolist() == ["PL-1"]
    with pytest.raises(ColumnError):
        linkage.normalise_records(pd.DataFrame({"Kolom": ["x"]}), schema)


def test_docs_input_lists_every_built_in_name() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "input.md").read_text("utf-8").casefold()
    for source, headers in builtin_column_names().items():
        for h in headers:
            assert h.casefold() in doc, (source, h)
