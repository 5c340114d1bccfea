"""Nationalities of the held-out generator: mixes, naming cultures, spellings, confusions.

Our own table (no ``pycountry`` lookups, so a catalogue update cannot change a
frozen data set). Every written form below is one that today's normaliser reads
as the code on its left (checked by a test).
"""

from __future__ import annotations

# code: (English name, Dutch name, Dutch adjective (inflected), English adjective, group)
# group: NL, EU, AF, AS, LA, XX (unknown or stateless)
COUNTRIES: dict[str, tuple[str, str, str, str, str]] = {
    "NLD": ("Netherlands", "Nederland", "Nederlandse", "Dutch", "NL"),
    "ROU": ("Romania", "Roemenië", "Roemeense", "Romanian", "EU"),
    "MDA": ("Moldova", "Moldavië", "Moldavische", "Moldovan", "EU"),
    "HUN": ("Hungary", "Hongarije", "Hongaarse", "Hungarian", "EU"),
    "POL": ("Poland", "Polen", "Poolse", "Polish", "EU"),
    "BGR": ("Bulgaria", "Bulgarije", "Bulgaarse", "Bulgarian", "EU"),
    "UKR": ("Ukraine", "Oekraïne", "Oekraïense", "Ukrainian", "EU"),
    "RUS": ("Russia", "Rusland", "Russische", "Russian", "EU"),
    "MKD": ("North Macedonia", "Noord-Macedonië", "Macedonische", "Macedonian", "EU"),
    "ESP": ("Spain", "Spanje", "Spaanse", "Spanish", "EU"),
    "PRT": ("Portugal", "Portugal", "Portugese", "Portuguese", "EU"),
    "NGA": ("Nigeria", "Nigeria", "Nigeriaanse", "Nigerian", "AF"),
    "GHA": ("Ghana", "Ghana", "Ghanese", "Ghanaian", "AF"),
    "SLE": ("Sierra Leone", "Sierra Leone", "Sierra Leoonse", "Sierra Leonean", "AF"),
    "GIN": ("Guinea", "Guinee", "Guinese", "Guinean", "AF"),
    "MAR": ("Morocco", "Marokko", "Marokkaanse", "Moroccan", "AF"),
    "DZA": ("Algeria", "Algerije", "Algerijnse", "Algerian", "AF"),
    "ERI": ("Eritrea", "Eritrea", "Eritrese", "Eritrean", "AF"),
    "ETH": ("Ethiopia", "Ethiopië", "Ethiopische", "Ethiopian", "AF"),
    "SYR": ("Syria", "Syrië", "Syrische", "Syrian", "AS"),
    "IRQ": ("Iraq", "Irak", "Iraakse", "Iraqi", "AS"),
    "VNM": ("Vietnam", "Vietnam", "Vietnamese", "Vietnamese", "AS"),
    "CHN": ("China", "China", "Chinese", "Chinese", "AS"),
    "TWN": ("Taiwan", "Taiwan", "Taiwanese", "Taiwanese", "AS"),
    "BRA": ("Brazil", "Brazilië", "Braziliaanse", "Brazilian", "LA"),
    "COL": ("Colombia", "Colombia", "Colombiaanse", "Colombian", "LA"),
    "VEN": ("Venezuela", "Venezuela", "Venezolaanse", "Venezuelan", "LA"),
    "DOM": ("Dominican Republic", "Dominicaanse Republiek", "Dominicaanse", "Dominican", "LA"),
    "HTI": ("Haiti", "Haïti", "Haïtiaanse", "Haitian", "LA"),
    "SUR": ("Suriname", "Suriname", "Surinaamse", "Surinamese", "LA"),
    "XXA": ("stateless", "staatloos", "staatloos", "stateless", "XX"),
}
#: alpha-2 codes for the alpha-2 writing style
ALPHA2: dict[str, str] = {
    "NLD": "NL", "ROU": "RO", "MDA": "MD", "HUN": "HU", "POL": "PL", "BGR": "BG", "UKR": "UA", "RUS": "RU",
    "MKD": "MK", "ESP": "ES", "PRT": "PT", "NGA": "NG", "GHA": "GH", "SLE": "SL", "GIN": "GN", "MAR": "MA",
    "DZA": "DZ", "ERI": "ER", "ETH": "ET", "SYR": "SY", "IRQ": "IQ", "VNM": "VN", "CHN": "CN", "TWN": "TW",
    "BRA": "BR", "COL": "CO", "VEN": "VE", "DOM": "DO", "HTI": "HT", "SUR": "SR", "XXA": "XXA",
}

#: the nationality a reporter writes by mistake (a neighbour, a minority's kin state, a transit country)
CONFUSED_WITH: dict[str, tuple[str, ...]] = {
    "ROU": ("MDA", "HUN"), "MDA": ("ROU", "UKR"), "HUN": ("ROU",), "UKR": ("RUS", "MDA"), "BGR": ("MKD", "ROU"),
    "POL": ("UKR",), "NGA": ("GHA",), "GHA": ("NGA",), "SLE": ("GIN",), "GIN": ("SLE",), "MAR": ("DZA",),
    "DZA": ("MAR",), "ERI": ("ETH",), "ETH": ("ERI",), "SYR": ("IRQ",), "VNM": ("CHN",), "CHN": ("TWN", "VNM"),
    "BRA": ("PRT",), "COL": ("VEN",), "VEN": ("COL",), "DOM": ("HTI",), "ESP": ("COL",), "SUR": ("NLD",),
    "NLD": ("SUR",), "XXA": ("SYR", "ERI"),
}

#: naming cultures per nationality (weights); ``None`` is nationality unknown
CULTURE_MIX: dict[str | None, dict[str, float]] = {
    "NLD": {"dutch": 0.8, "arabic": 0.1, "west_african": 0.04, "hispanic": 0.03, "chinese": 0.01,
            "vietnamese": 0.02},
    "ROU": {"romanian": 0.9, "hungarian": 0.1}, "MDA": {"romanian": 0.85, "ukrainian": 0.15},
    "HUN": {"hungarian": 1.0}, "POL": {"polish": 1.0}, "BGR": {"bulgarian": 1.0}, "UKR": {"ukrainian": 1.0},
    "RUS": {"ukrainian": 1.0}, "MKD": {"bulgarian": 1.0}, "ESP": {"hispanic": 1.0}, "PRT": {"brazilian": 1.0},
    "NGA": {"west_african": 1.0}, "GHA": {"west_african": 1.0}, "SLE": {"west_african": 0.8, "arabic": 0.2},
    "GIN": {"west_african": 0.6, "arabic": 0.4}, "MAR": {"arabic": 1.0}, "DZA": {"arabic": 1.0},
    "ERI": {"eritrean": 1.0}, "ETH": {"eritrean": 1.0}, "SYR": {"arabic": 1.0}, "IRQ": {"arabic": 1.0},
    "VNM": {"vietnamese": 1.0}, "CHN": {"chinese": 1.0}, "TWN": {"chinese": 1.0}, "BRA": {"brazilian": 1.0},
    "COL": {"hispanic": 1.0}, "VEN": {"hispanic": 1.0}, "DOM": {"hispanic": 1.0}, "HTI": {"hispanic": 1.0},
    "SUR": {"dutch": 0.6, "hispanic": 0.2, "west_african": 0.2},
    "XXA": {"arabic": 0.5, "eritrean": 0.3, "ukrainian": 0.2},
    None: {"arabic": 0.3, "eritrean": 0.2, "west_african": 0.3, "romanian": 0.2},
}

#: nationality mixes of new persons (code or None for unknown: weight)
MIXES: dict[str, dict[str | None, float]] = {
    "default": {
        "NLD": 0.22, "ROU": 0.09, "MDA": 0.01, "HUN": 0.035, "POL": 0.06, "BGR": 0.04, "UKR": 0.05, "NGA": 0.10,
        "GHA": 0.02, "SLE": 0.01, "GIN": 0.01, "MAR": 0.035, "DZA": 0.01, "SYR": 0.015, "ERI": 0.04, "ETH": 0.01,
        "VNM": 0.04, "CHN": 0.03, "BRA": 0.03, "COL": 0.02, "VEN": 0.01, "DOM": 0.01, "ESP": 0.005, "SUR": 0.01,
        "XXA": 0.01, None: 0.02,
    },
    "africa_asia": {
        "NGA": 0.20, "ERI": 0.10, "GHA": 0.04, "SLE": 0.02, "GIN": 0.03, "MAR": 0.06, "SYR": 0.04, "ETH": 0.03,
        "VNM": 0.10, "CHN": 0.08, "NLD": 0.15, "ROU": 0.04, "BRA": 0.04, "XXA": 0.03, None: 0.04,
    },
    "east_europe": {
        "ROU": 0.22, "BGR": 0.12, "UKR": 0.14, "POL": 0.10, "HUN": 0.10, "MDA": 0.04, "NLD": 0.15, "NGA": 0.05,
        "VNM": 0.03, "BRA": 0.03, "XXA": 0.01, None: 0.01,
    },
}
#: the nationality a ``dominant: "seeded"`` scenario picks from, per seed
DOMINANT_CHOICES: tuple[str, ...] = ("NGA", "ROU", "UKR", "ERI", "VNM", "HUN", "BRA", "POL", "CHN", "BGR")

GROUPS: tuple[str, ...] = ("NL", "EU", "AF", "AS", "LA", "XX")


def group_of(code: str | None) -> str:
    return "XX" if code is None else COUNTRIES[code][4]
