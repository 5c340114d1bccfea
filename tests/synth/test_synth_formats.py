"""linkage.synth: raw values as reporters write them, reporter tables, profiles, public API."""

from __future__ import annotations

import gettext
import io
import re
from datetime import date

import pandas as pd
import pycountry
import pytest

import linkage.synth as synth
from linkage.synth import (
    ERROR_RATES,
    NATIONALITY_ADJECTIVES,
    SynthData,
    SynthError,
    default_profiles,
    generate,
    profile_table,
    reporter_tables,
)
from linkage.synth._names import GROUPS, name_variants

QI = ["full_name", "given_names", "surname", "initials", "date_of_birth", "birth_year", "age", "nationality", "sex"]
SEX_STRINGS = {"M", "V", "F", "X", "man", "vrouw", "male", "female", "onbekend", "unknown"}


@pytest.fixture(scope="module")
def data() -> SynthData:
    return generate(seed=31, years=(2016, 2019, 2022, 2024), scale=3)


def _allowed_nationalities() -> set[str]:
    dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
    allowed = {"onbekend", "unknown", "stateless", "staatloos"}
    for c in pycountry.countries:
        allowed |= {c.alpha_2, c.alpha_3, c.name, dutch.gettext(c.name)}
    for adj in NATIONALITY_ADJECTIVES.values():
        allowed |= {adj.nl, adj.nl_inflected, adj.en}
    return allowed


def test_public_api_is_curated() -> None:
    assert set(synth.__all__) == {
        "ERROR_RATES", "FORMS", "NATIONALITY_ADJECTIVES", "REPORTERS", "Adjectives", "SynthData", "SynthError",
        "default_profiles", "generate", "profile_table", "reporter_tables", "true_clusters", "true_pairs",
        "truth_unique_persons",
    }
    for name in synth.__all__:
        assert hasattr(synth, name), name
    from linkage.errors import LinkageError

    assert issubclass(SynthError, LinkageError)


def test_report_columns(data: SynthData) -> None:
    assert list(data.reports.columns) == [
        "report_id", "reporter", "year", "report_date", *QI, "case_ref", "person_id", "form"
    ]
    assert set(data.reports["reporter"]) == set(synth.REPORTERS)
    assert data.reports["case_ref"].is_unique
    assert str(data.reports["birth_year"].dtype) == "Int64" and str(data.reports["age"].dtype) == "Int64"
    assert data.reports["report_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert (data.reports["report_date"].str[:4].astype(int) == data.reports["year"]).all()
    text_cols = [c for c in QI if c not in ("birth_year", "age")]
    for col in text_cols:
        values = data.reports[col]
        assert values.map(lambda v: v is None or (isinstance(v, str) and v.strip() == v and v != "")).all(), col


def test_every_nationality_string_is_an_allowed_form(data: SynthData) -> None:
    written = set(data.reports["nationality"].dropna())
    assert written <= _allowed_nationalities()
    # all the forms occur
    assert {"NLD", "RO", "Romania", "Roemenië", "Roemeens", "Roemeense", "onbekend", "unknown"} <= written


def test_every_sex_string_is_allowed(data: SynthData) -> None:
    assert set(data.reports["sex"].dropna()) <= SEX_STRINGS
    police = data.reports.loc[data.reports["reporter"] == "police", "sex"].dropna()
    assert set(police) <= {"M", "V", "X", "onbekend"}
    cc = data.reports.loc[data.reports["reporter"] == "care_coordinator", "sex"].dropna()
    assert set(cc) <= {"man", "vrouw", "onbekend"}


def test_dates_of_birth_are_valid_iso_or_dutch(data: SynthData) -> None:
    for value in data.reports["date_of_birth"].dropna():
        if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            y, m, d = value.split("-")
        else:
            assert re.fullmatch(r"\d\d-\d\d-\d{4}", value), value
            d, m, y = value.split("-")
        date(int(y), int(m), int(d))  # raises if invalid


def test_fairwork_sends_only_initials_age_nationality_and_sex(data: SynthData) -> None:
    fw = data.reports[data.reports["reporter"] == "fairwork"]
    present = fw[QI].notna().any()
    assert set(present[present].index) == {"initials", "age", "nationality", "sex"}
    assert fw["initials"].notna().all()
    assert fw["initials"].str.fullmatch(r"[^\W\d_]\.(?:[^\W\d_]\.)?|[^\W\d_]{1,2}").all()
    two_letter = fw["initials"].str.replace(".", "", regex=False).str.len() == 2
    assert two_letter.mean() > 0.9
    assert fw["sex"].isna().mean() > 0.2  # sex only sometimes
    assert fw["nationality"].isin(["Roemeens", "Poolse", "Pools", "Roemeense"]).any()


def test_fairwork_initials_match_the_truth_mostly(data: SynthData) -> None:
    from linkage.synth._names import main_initial, strip_diacritics

    fw = data.reports[data.reports["reporter"] == "fairwork"]
    persons = data.persons.set_index("person_id").loc[fw["person_id"]]
    truth = [
        strip_diacritics(g[0] + main_initial(s)) for g, s in zip(persons["given_name"], persons["surname"], strict=True)
    ]
    written = [strip_diacritics(i.replace(".", "")) for i in fw["initials"]]
    agree = sum(t == w for t, w in zip(truth, written, strict=True)) / len(truth)
    assert 0.75 < agree < 0.99  # not perfect: swaps, wrong/missing initials, transliteration


def test_police_sends_full_names_and_dates(data: SynthData) -> None:
    police = data.reports[data.reports["reporter"] == "police"]
    named = police["given_names"].notna() & police["surname"].notna()
    assert named.mean() > 0.75 and (named | police["full_name"].notna()).all()
    assert police["date_of_birth"].notna().mean() > 0.95
    assert police[["initials", "age", "birth_year"]].isna().all().all()
    nla = data.reports[data.reports["reporter"] == "nla"]
    assert nla["birth_year"].notna().any()  # the NLA sometimes sends only a birth year


def test_cyrillic_names_have_several_spellings_and_initials() -> None:
    uk = next(g for g in GROUPS if g.code == "uk")
    assert name_variants("Юлія", uk)[:7] == ["Yuliia", "Yuliia", "Yuliia", "Joelija", "Julija", "Julija", "Yuliya"]
    assert {"Khrystyna", "Christina", "Kristina"} <= set(name_variants("Христина", uk))
    assert {"Halyna", "Galina"} <= set(name_variants("Галина", uk))
    assert {"Oleksandr", "Aleksandr"} <= set(name_variants("Олександр", uk))
    assert name_variants("Юлія", uk)[-1] == "Юлія"
    ro = next(g for g in GROUPS if g.code == "ro")
    assert name_variants("Șerban", ro)[:3] == ["Șerban", "Serban", "Şerban"]
    hu = next(g for g in GROUPS if g.code == "hu")
    assert name_variants("Szőke", hu)[:3] == ["Szőke", "Szoke", "Szöke"]


def test_initials_of_one_person_differ_between_reporters() -> None:
    data = generate(seed=12, years=(2022, 2023), scale=15)
    r = data.reports.merge(data.persons[["person_id", "nationality"]], on="person_id", suffixes=("", "_true"))
    cyr = r[r["nationality_true"].isin(["UKR", "BGR", "RUS"])]
    first = cyr["given_names"].fillna(cyr["full_name"]).fillna(cyr["initials"]).str[0]
    letters = first.groupby(cyr["person_id"]).nunique()
    assert (letters > 1).any()
    assert cyr["full_name"].fillna("").str.contains("[А-Яа-яІіЇїЄє]").any()  # original script sometimes


def test_reporter_tables_hold_only_what_each_reporter_sends(data: SynthData) -> None:
    tables = reporter_tables(data)
    assert set(tables) == set(synth.REPORTERS)
    assert list(tables["fairwork"].columns) == ["case_ref", "report_date", "initials", "age", "nationality", "sex"]
    assert list(tables["police"].columns) == [
        "case_ref", "report_date", "full_name", "given_names", "surname", "date_of_birth", "nationality", "sex"
    ]
    for reporter, table in tables.items():
        assert not {"report_id", "person_id", "form", "reporter", "year"} & set(table.columns)
        rows = data.reports[data.reports["reporter"] == reporter].reset_index(drop=True)
        assert table["case_ref"].tolist() == rows["case_ref"].tolist()
        # columns it does not send are empty in the full frame
        unsent = [c for c in QI if c not in table.columns]
        assert rows[unsent].isna().all().all(), reporter
        buf = io.StringIO()
        table.to_csv(buf, index=False)
        back = pd.read_csv(io.StringIO(buf.getvalue()), dtype=str, keep_default_na=False, na_values=[""])
        assert len(back) == len(table)


def test_profiles_can_be_varied() -> None:
    profiles = default_profiles()
    assert set(profiles) == set(synth.REPORTERS)
    assert set(profiles["police"]["errors"]) == set(ERROR_RATES)
    data = generate(
        seed=3,
        profiles={
            "fairwork": {"initials_style": {"plain": 1}, "sex": {"missing": 1}, "errors": {"initial_missing": 0.0}},
            "police": {"nationality": {"en_name": 1.0}},
        },
    )
    fw = data.reports[data.reports["reporter"] == "fairwork"]
    assert not fw["initials"].str.contains(".", regex=False).any()
    assert fw["sex"].isna().all()
    police = data.reports.loc[data.reports["reporter"] == "police", "nationality"].dropna()
    assert police.isin([c.name for c in pycountry.countries] + ["unknown", "stateless"]).all()
    assert data.profiles["police"]["errors"]["name_typo"] == 0.01  # untouched rates stay
    assert "sex" not in reporter_tables(data)["fairwork"].columns


@pytest.mark.parametrize(
    "profiles",
    [
        {"police": {"colour": {}}},
        {"police": {"name": {"nickname": 1.0}}},
        {"police": {"name": {"full": -1.0}}},
        {"police": {"name": {"full": 0.0}}},
        {"police": {"errors": {"name_typo": 1.5}}},
        {"police": {"errors": {"spelling": 0.1}}},
        {"police": {"unknown_word": "?"}},
        {"police": {"errors": 0.1}},
    ],
)
def test_bad_profiles_raise(profiles: dict[str, dict[str, object]]) -> None:
    with pytest.raises(SynthError):
        generate(profiles=profiles)


def test_profile_table_is_in_the_docstring() -> None:
    doc = synth.__doc__ or ""
    for line in profile_table().splitlines():
        assert line in doc, line


def test_adjectives_cover_every_drawn_country() -> None:
    from linkage.synth._countries import COUNTRIES, STATELESS, UNKNOWN

    for country in COUNTRIES:
        if country.alpha3 not in (UNKNOWN, STATELESS):
            assert country.alpha3 in NATIONALITY_ADJECTIVES
            assert pycountry.countries.get(alpha_3=country.alpha3) is not None
