"""The normaliser's rules as plain data, for a second implementation that must follow them exactly.

The offline reporter page (:mod:`linkage.reporter_page`) normalises in the
browser; it embeds what :func:`portable_rules` returns, so the word lists,
code tables and catalogue names it uses are the very ones this package uses,
not a copy that could drift. The regular expressions and the order of the
rules are written out again in the page's script and tested against this
package value by value (``tests/reporter_page/``).
"""

from __future__ import annotations

from typing import Any

from linkage.normalise import _birth_year, _initials, _nationality, _sex, _text

__all__ = ["portable_rules"]


def _sorted(values: Any) -> list[Any]:
    return sorted(values)


def portable_rules() -> dict[str, Any]:
    """Every table and word list the normaliser reads values with, as JSON-ready data."""
    tables = _nationality._tables()
    return {
        "unknown_texts": _sorted(_text.UNKNOWN_TEXTS),
        "initials": {
            "unknown": _sorted(_initials._UNKNOWN),
            "particles": _sorted(_initials._PARTICLES),
            "leading_particles": _sorted(_initials._LEADING_PARTICLES),
            "surname_first": _sorted(_initials._SURNAME_FIRST),
            "suffixes": _sorted(_initials._SUFFIXES),
            "prefix_abbreviations": _sorted(_initials._PREFIX_ABBREVIATIONS),
        },
        "sex": {
            "values": dict(sorted(_sex._VALUES.items())),
            "ambiguous": dict(sorted(_sex._AMBIGUOUS.items())),
        },
        "birth_year": {
            "months": dict(sorted(_birth_year.MONTHS.items())),
            "age_bands": _sorted(_birth_year._AGE_BANDS),
        },
        "nationality": {
            "codes": dict(sorted(tables.codes.items())),
            "names": dict(sorted(tables.names.items())),
            "continents": {code: row[0] for code, row in sorted(tables.regions.items())},
            "unknown_light": _sorted(_nationality._UNKNOWN_LIGHT),
            "unknown_keys": _sorted(_nationality._UNKNOWN_KEYS),
            "filler": _sorted(_nationality._FILLER),
            "special_reasons": dict(sorted(_nationality._SPECIAL_REASONS.items())),
        },
    }
