"""Nationality: codes, English and Dutch names and adjectives, regions and groups."""

from __future__ import annotations

import csv
import gettext
from importlib import resources

import pycountry
import pytest

from linkage.errors import InvalidValue
from linkage.normalise import (
    CONTINENTS,
    NATIONALITY_GROUPS,
    STATELESS,
    nationality_codes,
    nationality_group,
    nationality_region,
    normalise_nationality,
)

# For each country the domain brief names: (code, spellings a reporter may send).
SPELLINGS: dict[str, list[str]] = {
    "ROU": ["RO", "ROU", "rou", "642", "Romania", "ROMANIA", "Roemenië", "Roemenie", "roemenië ",
            "Romanian", "Roemeens", "Roemeense", "Roemeen", "Roemeense nationaliteit", "Rumanian"],
    "POL": ["PL", "POL", "616", "Poland", "Polen", "Polish", "Pools", "Poolse", "Pool", "Pole"],
    "HUN": ["HU", "HUN", "348", "Hungary", "Hongarije", "Hungarian", "Hongaars", "Hongaarse", "Hongaar"],
    "BGR": ["BG", "BGR", "100", "Bulgaria", "Bulgarije", "Bulgarian", "Bulgaars", "Bulgaarse", "Bulgaar"],
    "NGA": ["NG", "NGA", "566", "Nigeria", "Federal Republic of Nigeria", "Nigerian", "Nigeriaans",
            "Nigeriaanse", "Nigeriaan"],
    "NLD": ["NL", "nl", "NLD", "528", "Netherlands", "The Netherlands", "the netherlands", "Nederland",
            "Holland", "Koninkrijk der Nederlanden", "Dutch", "Nederlands", "Nederlandse", "Nederlander",
            "Hollandse"],
    "UKR": ["UA", "UKR", "804", "Ukraine", "the Ukraine", "Oekraïne", "Oekraine", "Ukrainian",
            "Oekraïens", "Oekraïense", "Oekraiense", "Oekraïner"],
    "ERI": ["ER", "ERI", "232", "Eritrea", "State of Eritrea", "Eritrean", "Eritrees", "Eritrese", "Eritreeër"],
    "SYR": ["SY", "SYR", "760", "Syria", "Syrian Arab Republic", "Syrië", "Syrie", "Syrian", "Syrisch",
            "Syrische", "Syriër"],
    "VNM": ["VN", "VNM", "704", "Vietnam", "Viet Nam", "Socialist Republic of Viet Nam", "Vietnamese",
            "Vietnamees"],
    "BRA": ["BR", "BRA", "076", "76", "Brazil", "Brazilië", "Brazilie", "Brazilian", "Braziliaans",
            "Braziliaanse", "Braziliaan"],
    "MAR": ["MA", "MAR", "504", "Morocco", "Marokko", "Kingdom of Morocco", "Moroccan", "Marokkaans",
            "Marokkaanse", "Marokkaan"],
}


@pytest.mark.parametrize(
    ("code", "text"), [(code, text) for code, texts in SPELLINGS.items() for text in texts]
)
def test_brief_countries(code: str, text: str) -> None:
    assert normalise_nationality(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # historic entries keep their ISO 3166-3 code
        ("Joegoslavië", "YUG"),
        ("Yugoslavia", "YUG"),
        ("YUG", "YUG"),
        ("YU", "YUG"),
        ("Joegoslavische", "YUG"),
        ("Sovjet-Unie", "SUN"),
        ("Sovjetunie", "SUN"),
        ("Soviet Union", "SUN"),
        ("USSR", "SUN"),
        ("SU", "SUN"),
        ("Tsjecho-Slowakije", "CSK"),
        ("Czechoslovakia", "CSK"),
        ("Servië en Montenegro", "SCG"),
        ("Serbia and Montenegro", "SCG"),
        ("DDR", "DDR"),
        ("Oost-Duitsland", "DDR"),
        ("Nederlandse Antillen", "ANT"),
        ("Antilliaanse", "ANT"),
        ("Zaïre", "ZAR"),
        ("BUR", "BUR"),
        # old names still in use map to the current country
        ("Burma", "MMR"),
        ("Birma", "MMR"),
        ("Swaziland", "SWZ"),
        ("East Timor", "TLS"),
        # non-ISO entries
        ("Kosovo", "XKX"),
        ("XK", "XKX"),
        ("Kosovaarse", "XKX"),
        ("Tibet", "XTI"),
        ("Tibetaanse", "XTI"),
        ("Tsjetsjenië", "XCE"),
        ("Tsjetsjenie", "XCE"),
        ("Chechnya", "XCE"),
        ("Tsjetsjeense", "XCE"),
        # stateless is a known value
        ("stateless", STATELESS),
        ("Staatloos", STATELESS),
        ("stateloos", STATELESS),
        ("XXA", STATELESS),
        ("geen nationaliteit", STATELESS),
        # variants not in the catalogues
        ("Engeland", "GBR"),
        ("Groot-Brittannië", "GBR"),
        ("Schotse", "GBR"),
        ("UK", "GBR"),
        ("GB", "GBR"),
        ("Rusland", "RUS"),
        ("Russische Federatie", "RUS"),
        ("Wit-Rusland", "BLR"),
        ("Wit Rusland", "BLR"),
        ("Belarus", "BLR"),
        ("Tsjechië", "CZE"),
        ("Czech Republic", "CZE"),
        ("Ivoorkust", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d Ivoire", "CIV"),
        ("Ivorian", "CIV"),
        ("Congo", "COG"),
        ("Congo-Brazzaville", "COG"),
        ("DR Congo", "COD"),
        ("Democratische Republiek Congo", "COD"),
        ("Congo, The Democratic Republic of the", "COD"),
        ("Burger van Democratische Republiek Congo", "COD"),
        ("Korea", "KOR"),
        ("Zuid-Korea", "KOR"),
        ("Noord-Korea", "PRK"),
        ("Korea, Democratic People's Republic of", "PRK"),
        ("Verenigde Staten", "USA"),
        ("VS", "USA"),
        ("Amerikaanse", "USA"),
        ("Sint Maarten", "SXM"),
        ("Curaçao", "CUW"),
        ("Curacao", "CUW"),
        ("Aruba", "ABW"),
        ("Bonaire", "BES"),
        ("Georgië", "GEO"),
        ("Türkiye", "TUR"),
        ("Turkije", "TUR"),
        ("Turkse", "TUR"),
        ("Trinidad & Tobago", "TTO"),
        ("Bahama's", "BHS"),
        ("St. Lucia", "LCA"),
        ("Bosnia-Herzegovina", "BIH"),
        ("Bosnië en Herzegovina", "BIH"),
        ("Iran, Islamic Republic of", "IRN"),
        ("Islamic Republic of Iran", "IRN"),
        ("Niger", "NER"),
        ("Nigerese", "NER"),
        ("Nigerien", "NER"),
        ("Guinea", "GIN"),
        ("Guinee-Bissau", "GNB"),
        ("Equatoriaal-Guinea", "GNQ"),
        ("Papoea-Nieuw-Guinea", "PNG"),
        ("Sudan", "SDN"),
        ("Zuid-Soedan", "SSD"),
        ("Ghanese", "GHA"),
        ("Sierra Leonean", "SLE"),
        ("Afghaanse", "AFG"),
        ("Chinese", "CHN"),
        ("Thai", "THA"),
        ("Filipijnse", "PHL"),
        ("Surinaamse", "SUR"),
        ("Dominicaanse Republiek", "DOM"),
        ("Colombiaanse", "COL"),
        ("Albanese", "ALB"),
        ("Litouwse", "LTU"),
        ("Moldavische", "MDA"),
        ("Moldova, Republic of", "MDA"),
        ("Slowaakse", "SVK"),
        ("Sloveense", "SVN"),
        ("Eritreeër", "ERI"),
        ("Ethiopische", "ETH"),
        ("Somalische", "SOM"),
        ("Irakese", "IRQ"),
        ("Pakistaanse", "PAK"),
        ("Indiase", "IND"),
        ("Mongoolse", "MNG"),
    ],
)
def test_names_variants_and_historic(text: str, code: str) -> None:
    assert normalise_nationality(text) == code


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "?", "-", "onbekend", "Onbekend", "ONBEKEND", "unknown", "Unknown",
     "nationaliteit onbekend", "Nationaliteit onbekend", "onbekende nationaliteit", "unknown nationality",
     "n/a", "nvt", "n.v.t.", "XXX", "XX", "xx", "ZZ", "onb.", "onbekend/stateloos", "niet bekend"],
)
def test_unknown_is_none(text: str | None) -> None:
    assert normalise_nationality(text) is None


@pytest.mark.parametrize(
    "text",
    ["Klingon", "Europa", "Afrika", "Europees", "Afrikaans", "xyz", "QQQ", "999", "1234",
     "Roemenië en Polen", "asdfgh", "Nederlandse Antillen en Aruba", "the", "!!!", "Atlantis"],
)
def test_garbage_is_an_error(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        normalise_nationality(text)
    assert text.strip() not in str(info.value) or not text.strip()


def test_non_text() -> None:
    assert normalise_nationality(642) == "ROU"  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        normalise_nationality(["ROU"])  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        normalise_nationality(True)  # type: ignore[arg-type]


def _data_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("linkage.normalise").joinpath("data", name).read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


def test_every_adjective_maps_to_its_code() -> None:
    rows = _data_rows("nationality_adjectives.csv")
    assert len(rows) >= 200
    codes = set(nationality_codes())
    for row in rows:
        assert row["code"] in codes, row["code"]
        for column in ("en", "nl"):
            for form in filter(None, (row[column] or "").split("|")):
                assert normalise_nationality(form) == row["code"], (form, row["code"])


def test_every_variant_maps_to_its_code() -> None:
    rows = _data_rows("nationality_variants.csv")
    codes = set(nationality_codes())
    for row in rows:
        assert row["code"] in codes, row["code"]
        assert normalise_nationality(row["name"]) == row["code"], row


def test_adjective_table_covers_the_populous_countries() -> None:
    with_adjective = {row["code"] for row in _data_rows("nationality_adjectives.csv") if row["en"] and row["nl"]}
    europe_africa = {
        code for code in nationality_codes()
        if len(code) == 3 and nationality_region(code) in {"EU", "AF"}
        and pycountry.countries.get(alpha_3=code) is not None
    }
    # every sovereign or sizeable European and African country
    small = {"ALA", "GGY", "IMN", "JEY", "SJM", "FRO", "GIB", "VAT", "SMR", "LIE", "MCO", "AND",
             "IOT", "ATF", "MYT", "REU", "SHN", "ESH"}
    assert europe_africa - small <= with_adjective
    latin_asia = {"BRA", "COL", "VEN", "PER", "ARG", "MEX", "DOM", "SUR", "CHN", "IND", "PAK",
                  "AFG", "IRN", "IRQ", "VNM", "THA", "PHL", "IDN", "BGD", "LKA", "NPL", "MNG"}
    assert latin_asia <= with_adjective


def test_every_iso_country_name_maps_to_its_code() -> None:
    nl = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
    for c in pycountry.countries:
        assert normalise_nationality(c.alpha_2) == c.alpha_3
        assert normalise_nationality(c.alpha_3.lower()) == c.alpha_3
        assert normalise_nationality(c.numeric) == c.alpha_3
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name:
                assert normalise_nationality(name) == c.alpha_3, name
                assert normalise_nationality(nl.gettext(name)) == c.alpha_3, nl.gettext(name)


def test_every_code_has_a_region_and_group() -> None:
    codes = nationality_codes()
    assert {c.alpha_3 for c in pycountry.countries} <= set(codes)
    assert {"YUG", "SUN", "CSK", "SCG", "DDR", "ANT", "XKX", "XXA", "XTI", "XCE"} <= set(codes)
    for code in codes:
        assert nationality_region(code) in CONTINENTS
        assert nationality_group(code) in NATIONALITY_GROUPS
        assert normalise_nationality(code) == code  # every code is accepted as input


@pytest.mark.parametrize(
    ("code", "region", "group"),
    [
        ("NLD", "EU", "Nederland"),
        ("ROU", "EU", "Europa"),
        ("POL", "EU", "Europa"),
        ("HUN", "EU", "Europa"),
        ("BGR", "EU", "Europa"),
        ("UKR", "EU", "Europa"),
        ("RUS", "EU", "Europa"),
        ("TUR", "EU", "Europa"),
        ("CYP", "EU", "Europa"),
        ("NGA", "AF", "Afrika"),
        ("ERI", "AF", "Afrika"),
        ("MAR", "AF", "Afrika"),
        ("SYR", "AS", "Azië"),
        ("VNM", "AS", "Azië"),
        ("CHN", "AS", "Azië"),
        ("BRA", "SA", "Latijns-Amerika"),
        ("COL", "SA", "Latijns-Amerika"),
        ("SUR", "SA", "Latijns-Amerika"),
        ("MEX", "NA", "Latijns-Amerika"),
        ("DOM", "NA", "Latijns-Amerika"),
        ("CUW", "NA", "Latijns-Amerika"),
        ("ABW", "NA", "Latijns-Amerika"),
        ("USA", "NA", "Overig"),
        ("CAN", "NA", "Overig"),
        ("AUS", "OC", "Overig"),
        ("YUG", "EU", "Europa"),
        ("SUN", "EU", "Europa"),
        ("CSK", "EU", "Europa"),
        ("ANT", "NA", "Latijns-Amerika"),
        ("ZAR", "AF", "Afrika"),
        ("XKX", "EU", "Europa"),
        ("XTI", "AS", "Azië"),
        ("XCE", "EU", "Europa"),
        ("XXA", "XX", "Onbekend"),
    ],
)
def test_regions_and_groups(code: str, region: str, group: str) -> None:
    assert nationality_region(code) == region
    assert nationality_group(code) == group


def test_group_of_unknown() -> None:
    assert nationality_group(None) == "Onbekend"


@pytest.mark.parametrize("code", ["", "ZZZ", "ro", "Romania", "RO"])
def test_region_of_a_non_canonical_code_is_an_error(code: str) -> None:
    with pytest.raises(InvalidValue):
        nationality_region(code)
    with pytest.raises(InvalidValue):
        nationality_group(code)


def test_short_table_entries_do_not_shadow_codes() -> None:
    """A 2-3 letter adjective or variant that is also an ISO code must agree with it."""
    for row in _data_rows("nationality_adjectives.csv"):
        for column in ("en", "nl"):
            for form in filter(None, (row[column] or "").split("|")):
                if len(form) <= 3:
                    assert normalise_nationality(form) == row["code"]
