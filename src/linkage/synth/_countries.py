"""The nationalities the generator draws, and every way a reporter may write one.

Country names come from ``pycountry`` (English) and its Dutch gettext catalogue, so that
whatever the installed ``pycountry`` version says is exactly what the generator writes.
Adjectives are not in ``pycountry`` (or CLDR): :data:`NATIONALITY_ADJECTIVES` is our table.

Truth codes are ISO 3166-1 alpha-3.  Unknown nationality is ``XXX`` and stateless ``XXA``
(ICAO Doc 9303 codes in ISO 3166's user-assigned range ``XAA-XZZ``), because CoMensha registers
"nationaliteit onbekend/stateloos" (001_4cb8d68f4a8ac831.txt, 1919-1923).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pycountry

from linkage.synth._calibration import figure_year

UNKNOWN = "XXX"
STATELESS = "XXA"

#: Words a reporter writes for an unknown nationality, by language.
UNKNOWN_WORDS: Mapping[str, str] = {"nl": "onbekend", "en": "unknown"}
#: Words a reporter writes for a stateless person, by language.
STATELESS_WORDS: Mapping[str, str] = {"nl": "staatloos", "en": "stateless"}


class Adjectives(NamedTuple):
    """Nationality adjectives: Dutch base form, Dutch inflected form, English."""

    nl: str
    nl_inflected: str
    en: str


#: Nationality adjectives for every country the generator draws (standard forms).
NATIONALITY_ADJECTIVES: Mapping[str, Adjectives] = {
    "NLD": Adjectives("Nederlands", "Nederlandse", "Dutch"),
    "ROU": Adjectives("Roemeens", "Roemeense", "Romanian"),
    "POL": Adjectives("Pools", "Poolse", "Polish"),
    "HUN": Adjectives("Hongaars", "Hongaarse", "Hungarian"),
    "BGR": Adjectives("Bulgaars", "Bulgaarse", "Bulgarian"),
    "UKR": Adjectives("Oekraïens", "Oekraïense", "Ukrainian"),
    "LTU": Adjectives("Litouws", "Litouwse", "Lithuanian"),
    "LVA": Adjectives("Lets", "Letse", "Latvian"),
    "SVK": Adjectives("Slowaaks", "Slowaakse", "Slovak"),
    "CZE": Adjectives("Tsjechisch", "Tsjechische", "Czech"),
    "RUS": Adjectives("Russisch", "Russische", "Russian"),
    "MDA": Adjectives("Moldavisch", "Moldavische", "Moldovan"),
    "ALB": Adjectives("Albanees", "Albanese", "Albanian"),
    "NGA": Adjectives("Nigeriaans", "Nigeriaanse", "Nigerian"),
    "GHA": Adjectives("Ghanees", "Ghanese", "Ghanaian"),
    "SLE": Adjectives("Sierra Leoons", "Sierra Leoonse", "Sierra Leonean"),
    "GIN": Adjectives("Guinees", "Guinese", "Guinean"),
    "ERI": Adjectives("Eritrees", "Eritrese", "Eritrean"),
    "MAR": Adjectives("Marokkaans", "Marokkaanse", "Moroccan"),
    "UGA": Adjectives("Oegandees", "Oegandese", "Ugandan"),
    "CMR": Adjectives("Kameroens", "Kameroense", "Cameroonian"),
    "CHN": Adjectives("Chinees", "Chinese", "Chinese"),
    "VNM": Adjectives("Vietnamees", "Vietnamese", "Vietnamese"),
    "IND": Adjectives("Indiaas", "Indiase", "Indian"),
    "PHL": Adjectives("Filipijns", "Filipijnse", "Filipino"),
    "THA": Adjectives("Thais", "Thaise", "Thai"),
    "AFG": Adjectives("Afghaans", "Afghaanse", "Afghan"),
    "SYR": Adjectives("Syrisch", "Syrische", "Syrian"),
    "BRA": Adjectives("Braziliaans", "Braziliaanse", "Brazilian"),
    "COL": Adjectives("Colombiaans", "Colombiaanse", "Colombian"),
    "VEN": Adjectives("Venezolaans", "Venezolaanse", "Venezuelan"),
    "DOM": Adjectives("Dominicaans", "Dominicaanse", "Dominican"),
    "SUR": Adjectives("Surinaams", "Surinaamse", "Surinamese"),
    "USA": Adjectives("Amerikaans", "Amerikaanse", "American"),
    "CAN": Adjectives("Canadees", "Canadese", "Canadian"),
    "AUS": Adjectives("Australisch", "Australische", "Australian"),
}


@dataclass(frozen=True)
class Country:
    """One drawable nationality: code, statistical group, name language, base weight."""

    alpha3: str
    group: str
    language: str
    weight: float


# Name language per nationality; the weights within a group are ASSUMPTIONS shaped by the brief:
# "Roemenië, Polen, Hongarije, Bulgarije en Nigeria" (003_2468b6ca4c8b6f05.txt, 25-27), Romanian
# women replacing Hungarian women as the largest group (001_4cb8d68f4a8ac831.txt, 1613-1617, handled
# by a year trend in :func:`country_probs`), Ukrainians flagged from 2022 (002_2e3788e3634389b4.txt, 37).
COUNTRIES: tuple[Country, ...] = (
    Country("NLD", "netherlands", "nl", 1.0),
    Country("ROU", "europe", "ro", 0.25),
    Country("POL", "europe", "pl", 0.17),
    Country("HUN", "europe", "hu", 0.18),
    Country("BGR", "europe", "bg", 0.12),
    Country("UKR", "europe", "uk", 0.02),
    Country("LTU", "europe", "baltic", 0.03),
    Country("LVA", "europe", "baltic", 0.02),
    Country("SVK", "europe", "cs", 0.04),
    Country("CZE", "europe", "cs", 0.02),
    Country("MDA", "europe", "ro", 0.03),
    Country("ALB", "europe", "sq", 0.03),
    Country("RUS", "europe", "ru", 0.02),
    Country("NGA", "africa", "west_african", 0.58),
    Country("GHA", "africa", "west_african", 0.08),
    Country("SLE", "africa", "west_african", 0.06),
    Country("GIN", "africa", "guinean", 0.06),
    Country("ERI", "africa", "tigrinya", 0.08),
    Country("MAR", "africa", "arabic", 0.06),
    Country("UGA", "africa", "west_african", 0.04),
    Country("CMR", "africa", "west_african", 0.04),
    Country("CHN", "asia", "zh", 0.18),
    Country("VNM", "asia", "vi", 0.20),
    Country("IND", "asia", "hi", 0.15),
    Country("PHL", "asia", "fil", 0.12),
    Country("THA", "asia", "th", 0.10),
    Country("AFG", "asia", "dari", 0.12),
    Country("SYR", "asia", "arabic", 0.13),
    Country("BRA", "latin_america", "pt", 0.25),
    Country("COL", "latin_america", "es", 0.25),
    Country("VEN", "latin_america", "es", 0.15),
    Country("DOM", "latin_america", "es", 0.15),
    Country("SUR", "latin_america", "sur", 0.20),
    Country("USA", "other", "en", 0.5),
    Country("CAN", "other", "en", 0.2),
    Country("AUS", "other", "en", 0.3),
    Country(UNKNOWN, "unknown", "mixed", 0.75),
    Country(STATELESS, "unknown", "mixed", 0.25),
)
CODES: tuple[str, ...] = tuple(c.alpha3 for c in COUNTRIES)
CODE_INDEX: Mapping[str, int] = {c: i for i, c in enumerate(CODES)}

#: Name languages drawn for persons of unknown nationality or stateless persons (ASSUMPTION).
MIXED_LANGUAGES: tuple[str, ...] = ("arabic", "tigrinya", "west_african", "dari", "guinean", "uk", "ro")

#: Nationalities a reporter may confuse a person's with (wrong-nationality error).
CONFUSABLE: Mapping[str, tuple[str, ...]] = {
    "ROU": ("MDA", "BGR", "HUN"), "MDA": ("ROU", "UKR"), "BGR": ("ROU",), "HUN": ("ROU", "SVK"),
    "POL": ("LTU", "CZE"), "UKR": ("RUS", "MDA", "POL"), "RUS": ("UKR",), "LTU": ("LVA", "POL"),
    "LVA": ("LTU",), "SVK": ("CZE", "HUN"), "CZE": ("SVK",), "ALB": ("ROU",), "NGA": ("GHA", "CMR"),
    "GHA": ("NGA",), "SLE": ("GIN", "NGA"), "GIN": ("SLE",), "ERI": ("AFG",), "MAR": ("SYR",),
    "UGA": ("NGA",), "CMR": ("NGA",), "CHN": ("VNM",), "VNM": ("CHN", "THA"), "IND": ("AFG",),
    "PHL": ("THA",), "THA": ("VNM", "PHL"), "AFG": ("SYR",), "SYR": ("AFG",), "BRA": ("COL",),
    "COL": ("VEN",), "VEN": ("COL",), "DOM": ("COL",), "SUR": ("NLD",), "NLD": ("SUR",),
    "USA": ("CAN",), "CAN": ("USA",), "AUS": ("USA",),
}

#: How a nationality may be written (the ``nationality`` format categories of a profile).
NATIONALITY_FORMATS: tuple[str, ...] = (
    "alpha3", "alpha2", "en_name", "nl_name", "nl_adj", "nl_adj_e", "en_adj", "unknown", "missing",
)


def english_name(alpha3: str) -> str:
    """The English name exactly as ``pycountry`` has it."""
    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:  # pragma: no cover - every code in COUNTRIES is real
        raise LookupError(alpha3)
    return str(country.name)


@lru_cache(maxsize=1)
def _dutch_catalogue() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])


def dutch_name(alpha3: str) -> str:
    """The Dutch name as ``pycountry``'s Dutch gettext catalogue gives it."""
    return _dutch_catalogue().gettext(english_name(alpha3))


@lru_cache(maxsize=1)
def nationality_table() -> npt.NDArray[np.object_]:
    """Strings per country (rows, :data:`CODES` order) and format (columns, :data:`NATIONALITY_FORMATS`).

    ``unknown`` and ``missing`` columns are filled in by the reporter (its unknown word, None).
    """
    table = np.full((len(CODES), len(NATIONALITY_FORMATS)), None, dtype=object)
    for i, code in enumerate(CODES):
        if code == UNKNOWN:
            row: list[str | None] = [None, None, "unknown", "onbekend", "onbekend", "onbekend", "unknown"]
        elif code == STATELESS:
            row = ["stateless", "stateless", "stateless", "staatloos", "staatloos", "staatloos", "stateless"]
        else:
            country = pycountry.countries.get(alpha_3=code)
            if country is None:  # pragma: no cover - every code in COUNTRIES is real
                raise LookupError(code)
            adj = NATIONALITY_ADJECTIVES[code]
            row = [code, str(country.alpha_2), english_name(code), dutch_name(code), adj.nl, adj.nl_inflected, adj.en]
        table[i, : len(row)] = row
    return table


def country_probs(group: str, year: int, form: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Country indices of ``group`` and their probabilities in ``year`` for ``form``.

    Year trend (ASSUMPTION, shaped by the brief): Hungary falls from 0.28 to 0.10 and Romania
    rises from 0.18 to 0.32 of the European group over 2014-2022; Ukraine is 0.02 before 2022
    and 0.08 from 2022.  Labour exploitation doubles Poland's weight (labour victims are mostly
    European, 001_4cb8d68f4a8ac831.txt, 2139-2144).
    """
    fy = figure_year(year)
    t = (fy - 2014) / 8.0
    idx = [i for i, c in enumerate(COUNTRIES) if c.group == group]
    weights = []
    for i in idx:
        c = COUNTRIES[i]
        w = c.weight
        if c.alpha3 == "HUN":
            w = 0.28 + (0.10 - 0.28) * t
        elif c.alpha3 == "ROU":
            w = 0.18 + (0.32 - 0.18) * t
        elif c.alpha3 == "UKR":
            w = 0.08 if year >= 2022 else 0.02
        if form == "labour" and c.alpha3 == "POL":
            w *= 2.0
        weights.append(w)
    p = np.asarray(weights, dtype=np.float64)
    return np.asarray(idx, dtype=np.int64), p / p.sum()
