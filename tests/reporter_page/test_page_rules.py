"""The page's normaliser against Python's, value by value, on thousands of real-looking and random values.

Initials (given names, surnames, full names, typed initials), birth years (dates in every accepted form, years,
ages at a report date, estimates, ranges), nationalities (every code, catalogue name, adjective and variant the
package knows, refused texts, several in one cell) and sex codes: the page gives the same canonical value, or
refuses with the same reason (and, for birth years, names the same source column).
"""

from __future__ import annotations

import csv
import random
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from linkage.errors import InvalidValue
from linkage.normalise import (
    given_name_initial,
    initials_from_name,
    parse_initials,
    resolve_birth_year,
    resolve_nationality,
    resolve_sex,
    surname_initial,
)
from linkage.normalise.tables import portable_rules
from linkage.reporter_page import build_reporter_page

from .conftest import seeded_page

pytestmark = pytest.mark.browser

NAME_CHARS = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ,.-'`´"
              "ăâîșțĂÂÎȘȚşţőűáéíóöüÖÜçğıİşčćđšžłńśźżøåæßëïĳ"
              "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЮЯієїґЄІЇҐ"
              "αβγδεζηθΑΒΓΔمحمدعليالأحمدשלוםნინო王李张陈ṭḥ々ʼ’ 0123456789?()")


def _python(kind: str, value: Any) -> dict[str, Any]:
    fns = {
        "given": given_name_initial, "surname": surname_initial, "full": initials_from_name,
        "initials": parse_initials, "nationality": resolve_nationality, "sex": resolve_sex,
        "birth_year": lambda v: resolve_birth_year(date_of_birth=v[0], birth_year=v[1], age=v[2], report_date=v[3]),
    }
    try:
        out = fns[kind](value)
        return {"ok": list(out) if isinstance(out, tuple) else out}
    except InvalidValue as exc:
        return {"error": exc.reason, "source": getattr(exc, "source", None)}


def _names(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        out.append("".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(1, 24))))
    return out


REAL_NAMES = [
    "Jan van der Berg", "van der Berg, Jan", "Berg, van der", "de Vries", "van der Berg Jan", "Ana-Maria Popescu",
    "Popescu, Ana-Maria", "Şerban Ionuţ", "Олена Шевченко", "Łukasz Żółć", "Đỗ Thị Lan", "Jean de Dieu Habimana",
    "Maria de la Cruz", "José García López", "O'Brien", "al-Hassan", "Ben Ali", "Le", "N.N.", "Ana N.N.", "XX",
    "onbekend", "123", "#!", "Thijs 't Hart", "'s-Gravesande", "d'Ancona", "l'Estrange", "Mc Donald", "Jan Jr.",
    "Jan Smit Sr", "in 't Veld", "op de Beek", "von und zu Guttenberg", "El Hadji Diop", "علي", "محمد الأحمد",
    "Юлия", "Joelija", "Khrystyna", "Zhanna", "Tsjernenko", "Wladimir", "  ", "-", "?", "A", "Ä", "ß", "Ĳsbrand",
]
INITIALS = ["A.M.", "am", "A M", "A. M.", "A.", "A.M.P.", "J.v.d.B.", "Th.", "Chr.", "AM", "amp", "Ana Popescu",
            "JvdB", "J. v. d. Berg", "X", "xx", "N.N.", "?", "1", "ÁÉ", "Ю.Ш.", "a-m", "A/M", "A.M.-P"]


def _nationality_values() -> list[Any]:
    rules = portable_rules()["nationality"]
    out: list[Any] = list(rules["codes"]) + [c.lower() for c in list(rules["codes"])[:200]]
    data = resources.files("linkage.normalise").joinpath("data")
    for name in ("nationality_adjectives.csv", "nationality_variants.csv", "regions.csv"):
        lines = [ln for ln in data.joinpath(name).read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
        for row in csv.DictReader(lines):
            for col in ("en", "nl", "name"):
                out.extend(f for f in (row.get(col) or "").split("|") if f)
    out += ["Koerdisch", "Roma", "EU", "NL/MA", "Nederlands en Marokkaans", "RO / Roemeens", "Europa", "overig",
            "Onbekend/stateloos", "nationaliteit onbekend", "staatloos", "stateless", "Joegoslavië", "Tsjetsjenië",
            "Tibet", "Burma", "Birma", "Congo", "DR Congo", "Korea, Republic of", "St Lucia", "Trinidad & Tobago",
            "Côte d'Ivoire", "Ivoorkust", "Sint Maarten", "Saint-Martin", "Groot-Brittannië", "Engeland", "UK",
            "EL", "XK", "RKS", "642", "42", "4", 642, 4, 1990.0, 1.5, True, "Roemenie", "ROEMEENSE", "  Pools  ",
            "Nederlandse nationaliteit", "burger van Polen", "xyz", "Atlantis", "Marokkaans/Nederlands", "ZZ", "XXX"]
    return out


SEX = ["M", "F", "X", "V", "W", "m.", "  vrouw ", "Man", "MALE", "female", "non binary", "Non-Binary", "niet binair",
       "O", "o.", "NB", "N.B.", "nb", "U", "onbekend", "onb.", "?", "-", "0", "1", "2", "9", 1, 2, 0, 9, 1.0, 2.5,
       True, "transgender", "vrouwen", "meisje", "jongen", "x", "Anders", "gender neutral", "q", "mv", "M/V"]


def _birth_years(rng: random.Random) -> list[list[Any]]:
    dates = ["1990-05-17", "1990/05/17", "19900517", "17-05-1990", "17/05/1990", "17.05.1990", "7-5-1990",
             "00-00-1990", "00-00-0000", "05-1990", "1990-05", "1990", "31 december 1990", "31-dec-1990",
             "31 mrt. 1990", "December 31, 1990", "mei 1990", "17-05-90", "05/17/1990", "33238", "33238.0",
             "1990-05-17T10:00:00", "1990-05-17 10:00", "31-02-1990", "2099-01-01", "1850-01-01", "31e mei 1990",
             "onbekend", "?", "", "  ", "1990-13-01", "0000-01-01", "1st May 1990", "juli 1985", "Sept 3, 1977",
             19900517, 1990, 33238, 123, 1990.5, True, "١٩٩٠-٠٥-١٧"]
    years = ["1990", "1990.0", "~1990", "ca. 1990", "1990-1995", "90", "onbekend", 1990, 1990.0, 1990.5, "1899",
             "2100", "circa 1985", "± 1988", "1980 - 1985", "abc"]
    ages = ["23", "23 jaar", "23 years", "23 years old", "23.7", "23,5", "~34", "ca. 34", "circa 34", "ongeveer 34",
            "± 34", "+/- 34", "30-35", "34+", "> 30", "30 of ouder", "minderjarig", "adult", "-3", "-", "200", "0",
            "onbekend", 23, 23.7, -1, 111, "12 jr", "12 j.", "5 yrs", "abc", "1e3"]
    reports = ["2022-06-01", "01-06-2022", "2022", "juni 2022", None, "onbekend", "2022-13-01", 20220601, "xx"]
    out: list[list[Any]] = []
    for d in dates:
        out.append([d, None, None, rng.choice(reports)])
    for y in years:
        out.append([None, y, None, rng.choice(reports)])
    for a in ages:
        for r in reports:
            out.append([None, None, a, r])
    for _ in range(150):
        out.append([rng.choice(dates + [None] * 10), rng.choice(years + [None] * 6), rng.choice(ages + [None] * 6),
                    rng.choice(reports)])
    return out


def test_the_pages_normaliser_is_pythons(browser: Any, tmp_path: Path) -> None:
    rng = random.Random(16)
    names = REAL_NAMES + _names(rng, 600)
    cases: dict[str, list[Any]] = {
        "given": names, "surname": names, "full": names + [f"{a}, {b}" for a, b in zip(names, names[1:], strict=False)],
        "initials": INITIALS + _names(rng, 300) + [n[:5] for n in names],
        "nationality": _nationality_values(),
        "sex": SEX,
        "birth_year": _birth_years(rng),
    }
    mismatches: list[tuple[str, Any, Any, Any]] = []
    total = 0
    with seeded_page(browser, build_reporter_page().html, tmp_path) as page:
        for kind, values in cases.items():
            got = page.evaluate("([k, v]) => globalThis.__LINKAGE_TEST_API__.normalise(k, v)", [kind, values])
            for value, js in zip(values, got, strict=True):
                total += 1
                py = _python(kind, value)
                if kind != "birth_year":
                    py.pop("source", None)
                    js.pop("source", None)
                if js != py:
                    mismatches.append((kind, value, py, js))
    assert total > 3000
    assert not mismatches, mismatches[:20]
