"""Generate src/linkage/normalise/data/regions.csv (a development tool).

Every nationality code ``linkage.normalise`` can return gets a continent code
and a CoMensha statistics group. The continents follow the UN M.49 geographic
regions, with the Americas split the traditional way: Northern America,
Central America and the Caribbean are ``NA``, South America is ``SA``.
The sub-region lists below are written out by hand from M.49 (as CLDR uses
it, so Taiwan is in Eastern Asia and Kosovo in Southern Europe), with these
documented deviations:

* Cyprus (EU member state) and Turkey are Europe, as Dutch statistics count
  them, not Western Asia;
* Antarctica and the uninhabited Antarctic territories count as Oceania, as
  CLDR's "Outlying Oceania" does (nobody has their nationality anyway);
* stateless (``XXA``) has the continent ``XX`` and the group ``Onbekend``,
  matching CoMensha's "Onbekend/Stateloos".

The statistics group is ``Nederland`` for NLD, ``Europa``, ``Afrika`` and
``Azië`` by continent, ``Latijns-Amerika`` for M.49's "Latin America and the
Caribbean" (South America, Central America including Mexico, the Caribbean,
including Aruba, Curaçao, Sint Maarten and Bonaire), and ``Overig`` for
Northern America and Oceania.

Run from the repository root: ``python tools/make_regions.py``. It needs
pycountry (a runtime dependency). If babel is installed it also cross-checks
the continents against the IANA time zones of each territory and prints any
disagreement to review; the runtime never needs babel.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "src" / "linkage" / "normalise" / "data" / "regions.csv"

# UN M.49 sub-regions by ISO alpha-2 code: (continent, sub-region code, members).
SUBREGIONS: list[tuple[str, str, str]] = [
    ("AF", "015", "DZ EG LY MA SD TN EH"),  # Northern Africa
    ("AF", "014", "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW"),  # Eastern
    ("AF", "017", "AO CM CF TD CG CD GQ GA ST"),  # Middle Africa
    ("AF", "018", "BW SZ LS NA ZA"),  # Southern Africa
    ("AF", "011", "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"),  # Western Africa
    ("NA", "029", "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI"),
    ("NA", "013", "BZ CR SV GT HN MX NI PA"),  # Central America
    ("SA", "005", "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE"),  # South America
    ("NA", "021", "BM CA GL PM US"),  # Northern America
    ("AS", "143", "KZ KG TJ TM UZ"),  # Central Asia
    ("AS", "030", "CN HK MO KP JP MN KR TW"),  # Eastern Asia
    ("AS", "035", "BN KH ID LA MY MM PH SG TH TL VN"),  # South-eastern Asia
    ("AS", "034", "AF BD BT IN IR MV NP PK LK"),  # Southern Asia
    ("AS", "145", "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"),  # Western Asia
    ("EU", "151", "BY BG CZ HU PL MD RO RU SK UA"),  # Eastern Europe
    ("EU", "154", "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB"),  # Northern Europe
    ("EU", "039", "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES"),  # Southern Europe
    ("EU", "155", "AT BE FR DE LI LU MC NL CH"),  # Western Europe
    ("OC", "053", "AU CX CC HM NZ NF"),  # Australia and New Zealand
    ("OC", "054", "FJ NC PG SB VU"),  # Melanesia
    ("OC", "057", "GU KI MH FM NR MP PW UM"),  # Micronesia
    ("OC", "061", "AS CK PF NU PN WS TK TO TV WF"),  # Polynesia
    ("OC", "QO", "AQ"),  # Antarctica: CLDR's Outlying Oceania
]

OVERRIDES = {"CY": "EU", "TR": "EU"}  # see the module docstring
LATIN_AMERICA = {"005", "013", "029"}

# Historic (ISO 3166-3) codes: (alpha-3, continent, sub-region).
HISTORIC = [
    ("AFI", "AF", "014"), ("ANT", "NA", "029"), ("ATB", "OC", "QO"), ("ATN", "OC", "QO"),
    ("BUR", "AS", "035"), ("BYS", "EU", "151"), ("CSK", "EU", "151"), ("CTE", "OC", "057"),
    ("DDR", "EU", "155"), ("DHY", "AF", "011"), ("FXX", "EU", "155"), ("GEL", "OC", "057"),
    ("HVO", "AF", "011"), ("JTN", "OC", "057"), ("MID", "OC", "057"), ("NHB", "OC", "054"),
    ("NTZ", "AS", "145"), ("PCI", "OC", "057"), ("PCZ", "NA", "013"), ("PUS", "OC", "057"),
    ("RHO", "AF", "014"), ("SCG", "EU", "039"), ("SKM", "AS", "034"), ("SUN", "EU", "151"),
    ("TMP", "AS", "035"), ("VDR", "AS", "035"), ("WAK", "OC", "057"), ("YMD", "AS", "145"),
    ("YUG", "EU", "039"), ("ZAR", "AF", "017"),
]

# Codes outside ISO 3166 that the normaliser returns.
SPECIAL = [
    ("XKX", "Kosovo", "EU", "039"),
    ("XTI", "Tibet", "AS", "030"),
    ("XCE", "Chechnya", "EU", "151"),
    ("XXA", "Stateless", "XX", ""),
]


def group(code: str, continent: str, subregion: str) -> str:
    if code == "NLD":
        return "Nederland"
    if continent == "XX":
        return "Onbekend"
    if subregion in LATIN_AMERICA:
        return "Latijns-Amerika"
    return {"EU": "Europa", "AF": "Afrika", "AS": "Azië"}.get(continent, "Overig")


def rows() -> list[tuple[str, str, str, str]]:
    by_alpha2: dict[str, tuple[str, str]] = {}
    for continent, sub, members in SUBREGIONS:
        for a2 in members.split():
            if a2 in by_alpha2:
                raise SystemExit(f"{a2} listed twice")
            by_alpha2[a2] = (OVERRIDES.get(a2, continent), sub)
    out: list[tuple[str, str, str, str]] = []
    current = {c.alpha_2: c for c in pycountry.countries}
    missing = sorted(set(current) - set(by_alpha2))
    extra = sorted(set(by_alpha2) - set(current))
    if missing or extra:
        raise SystemExit(f"not covered: {missing}; unknown: {extra}")
    for a2, c in current.items():
        continent, sub = by_alpha2[a2]
        name = getattr(c, "common_name", None) or c.name
        out.append((c.alpha_3, name, continent, group(c.alpha_3, continent, sub)))
    historic = {c.alpha_3: c for c in pycountry.historic_countries}
    current_a3 = {c.alpha_3 for c in pycountry.countries}
    listed = {h[0] for h in HISTORIC}
    wanted = {a3 for a3 in historic if a3 not in current_a3}
    if listed != wanted:
        raise SystemExit(f"historic list differs: {sorted(listed ^ wanted)}")
    for a3, continent, sub in HISTORIC:
        out.append((a3, historic[a3].name, continent, group(a3, continent, sub)))
    for a3, name, continent, sub in SPECIAL:
        out.append((a3, name, continent, group(a3, continent, sub)))
    return sorted(out)


def cross_check() -> None:
    try:
        from babel.core import get_global
    except ImportError:
        print("babel not installed: skipping the time-zone cross-check", file=sys.stderr)
        return
    zones = get_global("territory_zones")
    prefix_continent = {"Europe": "EU", "Africa": "AF", "Asia": "AS", "Australia": "OC", "Pacific": "OC"}
    for c in pycountry.countries:
        tz = zones.get(c.alpha_2)
        if not tz:
            continue
        prefixes = {z.split("/")[0] for z in tz}
        expected = {prefix_continent[p] for p in prefixes if p in prefix_continent}
        if "America" in prefixes:
            expected |= {"NA", "SA"}
        got = next(r[2] for r in rows_cache if r[0] == c.alpha_3)
        if expected and got not in expected:
            print(f"review {c.alpha_3} ({c.name}): {got}, time zones {sorted(tz)}", file=sys.stderr)


rows_cache: list[tuple[str, str, str, str]] = []

if __name__ == "__main__":
    rows_cache = rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "continent", "group"])
        writer.writerows(rows_cache)
    print(f"wrote {len(rows_cache)} rows to {OUT}", file=sys.stderr)
    cross_check()
