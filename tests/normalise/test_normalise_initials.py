"""Initials: the first given name's initial and the surname's, prefixes skipped."""

from __future__ import annotations

import pytest

from linkage.errors import InvalidValue
from linkage.normalise import initials_from_name, initials_from_parts, parse_initials


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        # the examples from the brief
        ("Ana-Maria Popescu", "AP"),
        ("Şerban Ionuţ", "SI"),
        ("Олена Шевченко", "OS"),
        ("Jan van der Berg", "JB"),
        ("Popescu, Ana-Maria", "AP"),
        # Romanian, Hungarian, Polish, Turkish, Czech diacritics
        ("Ştefan Ţăranu", "ST"),
        ("Ștefan Țăranu", "ST"),  # comma-below forms
        ("Ádám Örkény", "AO"),
        ("Éva Újházi", "EU"),
        ("Łukasz Żółć", "LZ"),
        ("Śmigły Ćwik", "SC"),
        ("İbrahim Özdemir", "IO"),
        ("Çağla Şahin", "CS"),
        ("Ğülşen Ünal", "GU"),
        ("Řehoř Čapek", "RC"),
        # Cyrillic: Bulgarian, Ukrainian, Russian (anyascii's scheme)
        ("Димитър Петров", "DP"),
        ("Юлия Хрущёва", "YK"),
        ("Євген Жуков", "IZ"),
        ("Щефан Чернов", "SC"),
        ("Їржі Ярошенко", "IY"),
        # Greek
        ("Ελένη Παπαδοπούλου", "EP"),
        # West-African names
        ("Chinonso Okafor-Eze", "CO"),
        ("Oluwaseun Adébáyọ̀", "OA"),
        ("Kwame Nkrumah", "KN"),
        ("Ngozi Okonjo-Iweala", "NO"),
        ("Aïssatou Diallo", "AD"),
        ("Mamadou Lamine Ndiaye", "MN"),
        # Dutch prefixes and other particles
        ("Hanneke 't Hart", "HH"),
        ("Pieter in 't Veld", "PV"),
        ("Kees op de Beek", "KB"),
        ("Marieke ter Horst", "MH"),
        ("Anna de Vries", "AV"),
        ("Ahmed al-Hassan", "AH"),
        ("Ahmed Al Hassan", "AH"),
        ("Youssef El Amrani", "YA"),
        ("Maria de la Cruz", "MC"),
        ("Jean de Dieu Habimana", "JH"),  # last word is the surname
        ("Luca di Stefano", "LS"),
        # apostrophes of every kind
        ("Sean O'Brien", "SO"),
        ("Sean O’Brien", "SO"),
        ("Sean Oʼ Brien", "SB"),
        # comma form
        ("van der Berg, Jan", "JB"),
        ("Berg, Jan van der", "JB"),
        ("Berg, van der, Jan", "JB"),
        ("Smith, John, Jr.", "JS"),
        ("Popescu,", "P"),
        (", Ana", "A"),
        # surname first without a comma, marked by a Dutch prefix
        ("van der Berg Jan", "JB"),
        ("De Vries Anna", "AV"),
        ("van der Berg", "B"),
        ("'t Hart", "H"),
        ("in 't Veld Pieter", "PV"),
        ("El Hadji Diouf", "ED"),  # "El" starts a given name here
        ("Al Pacino", "AP"),
        ("Le Thi Hoa", "LH"),  # Vietnamese family-name-first order is not detected
        # mononyms, suffixes, extra spaces, case
        ("Madonna", "M"),
        ("  ana   popescu  ", "AP"),
        ("JOHN SMITH JR.", "JS"),
        ("Ana Maria Popescu", "AP"),
        ("Ana N.N.", "A"),
        # Arabic script: the article is dropped
        ("محمد الحسن", "MH"),
    ],
)
def test_initials_from_name(full_name: str, expected: str) -> None:
    assert initials_from_name(full_name) == expected


@pytest.mark.parametrize(
    ("given", "surname", "expected"),
    [
        ("Jan", "van der Berg", "JB"),
        ("Jan", "Van Der Berg", "JB"),
        ("Jan", "Berg, van der", "JB"),
        ("Ana-Maria", "Popescu", "AP"),
        ("ana maria", "popescu-ionescu", "AP"),
        ("J.M.", "de Vries", "JV"),
        ("Hanneke", "'t Hart", "HH"),
        ("Hanneke", "’t Hart", "HH"),
        ("Pieter", "in 't Veld", "PV"),
        ("Gerrit", "van 't Hof", "GH"),
        ("Willem", "'s-Gravesande", "WG"),
        ("Claude", "d'Ancona", "CA"),
        ("Ahmed", "Al-Hassan", "AH"),
        ("Ahmed", "al Hassan", "AH"),
        ("Mohamed", "Ben Ali", "MB"),  # patronymics are kept
        ("Sean", "O'Brien", "SO"),
        ("Thi", "Le", "TL"),  # a surname that is only a "prefix" keeps it
        ("Jan", "van", "JV"),
        ("Karl", "von und zu Guttenberg", "KG"),
        ("Олена", "Шевченко", "OS"),
        ("Şerban", "Ionuţ", "SI"),
        # one part only
        ("Ana", None, "A"),
        ("Ana", "", "A"),
        ("Ana", "onbekend", "A"),
        (None, "Popescu", "P"),
        ("?", "Popescu", "P"),
        ("N.N.", "Popescu", "P"),
        # nothing known
        (None, None, None),
        ("", "  ", None),
        ("onbekend", "unknown", None),
    ],
)
def test_initials_from_parts(given: str | None, surname: str | None, expected: str | None) -> None:
    assert initials_from_parts(given, surname) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A.M.", "AM"),
        ("am", "AM"),
        ("A M", "AM"),
        ("A. M.", "AM"),
        ("A.M", "AM"),
        ("a.m.", "AM"),
        ("A-M", "AM"),
        (" AM ", "AM"),
        ("A.", "A"),
        ("a", "A"),
        # three or more: the first and the last (given initial, surname initial)
        ("A.M.P.", "AP"),
        ("AMP", "AP"),
        ("J.H.M. B.", "JB"),
        # Dutch conventions
        ("J.v.d.B.", "JB"),
        ("J. v.d. B.", "JB"),
        ("Th.J.", "TJ"),
        ("Chr.", "C"),
        ("IJ.B.", "IB"),
        # transliterated letters
        ("Ş.I.", "SI"),
        ("О.Ш.", "OS"),
        ("Ö", "O"),
        # a name in the initials column
        ("Ana Popescu", "AP"),
        ("JAN JANSEN", "JJ"),
        ("Th.J. de Vries", "TV"),
    ],
)
def test_parse_initials(text: str, expected: str) -> None:
    assert parse_initials(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "?", "??", "-", "onbekend", "Onbekend", "unknown", "N.N.", "nn", "X", "x.x.", "XXX", "n/a", "nvt"],
)
def test_unknown_initials_are_none(text: str) -> None:
    assert parse_initials(text) is None
    assert initials_from_name(text) is None
    assert initials_from_parts(text, text) is None


@pytest.mark.parametrize("text", ["123", "1.2.", "#!", "42 17", "😀"])
def test_no_letters_is_invalid(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_initials(text)
    with pytest.raises(InvalidValue):
        initials_from_name(text)
    with pytest.raises(InvalidValue):
        initials_from_parts(text, None)
    with pytest.raises(InvalidValue):
        initials_from_parts("Ana", text)


def test_letterless_words_are_ignored_in_names() -> None:
    assert initials_from_name("Ana 2 Popescu") == "AP"
    assert initials_from_name("Ana Popescu (19)") == "AP"
    assert initials_from_name("😀 Ana Popescu") == "AP"


def test_non_text_is_invalid() -> None:
    with pytest.raises(InvalidValue):
        parse_initials(12)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        initials_from_name(3.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        initials_from_parts(b"Jan", None)  # type: ignore[arg-type]


def test_full_name_and_parts_agree_on_dutch_names() -> None:
    names = [("Jan", "van der Berg"), ("Anna", "de Vries"), ("Kees", "op de Beek"), ("Ana-Maria", "Popescu")]
    for given, surname in names:
        expected = initials_from_parts(given, surname)
        assert initials_from_name(f"{given} {surname}") == expected
        assert initials_from_name(f"{surname}, {given}") == expected


def test_initials_typed_agree_with_names() -> None:
    assert parse_initials("A.M.P.") == initials_from_name("Ana Maria Popescu")
    assert parse_initials("J.v.d.B.") == initials_from_name("Jan van der Berg")
