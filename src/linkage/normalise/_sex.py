"""Sex: ``"M"``, ``"F"``, ``"X"`` or ``None`` (unknown).

Accepted spellings (case-insensitive, surrounding spaces and trailing dots
ignored, Dutch and English):

* ``M``: ``M``, ``man``, ``male``, ``mannelijk``, ``jongen``, ``boy``, ``men``,
  ``mannen``, ``jongeman``, ISO/IEC 5218 code ``1``;
* ``F``: ``F``, ``V`` (vrouw), ``W`` (woman, German *weiblich*), ``vrouw``,
  ``female``, ``vrouwelijk``, ``woman``, ``meisje``, ``girl``, ``women``,
  ``vrouwen``, ISO/IEC 5218 code ``2``;
* ``X`` (neither, or other): ``X``, ``other``, ``anders``, ``overig``,
  ``overige``, ``non-binary``/``nonbinary``, ``non-binair``/``niet-binair``,
  ``divers``, ``intersex``/``interseksueel``, ``genderqueer``,
  ``genderneutraal``/``gender neutral``;
* unknown (``None``): empty text, ``?``, ``-``, ``U``, ``onbekend``, ``onb.``,
  ``unknown``, ``niet bekend``, ``not known``, ``nvt``/``n.v.t.``, ``n/a``,
  ``niet opgegeven``, ``not stated``, and ISO/IEC 5218 codes ``0``
  (not known) and ``9`` (not applicable).

Decisions: ``U`` is unknown (as in HL7's administrative gender). ``O`` is
**refused as ambiguous**: it means *onbekend* (unknown) on Dutch forms but
*other* on English ones, and guessing either way would silently put persons in
the wrong block. ``NB`` (and ``n.b.``) is **refused as ambiguous** for the
same reason: *non-binary* (X) in English, *niet bekend* (unknown) on Dutch
forms. ``transgender`` is refused too: it says nothing about which
of M, F or X to record, so the reporter has to choose. Anything else raises
:class:`~linkage.errors.InvalidValue` with a reason that never contains the
value.
"""

from __future__ import annotations

from numbers import Integral

from linkage.errors import InvalidValue
from linkage.normalise._text import is_missing

__all__ = ["normalise_sex", "resolve_sex"]

_VALUES: dict[str, str | None] = {}
for _code, _words in {
    "M": "m man male mannelijk jongen boy men mannen jongeman 1",
    "F": "f v w vrouw female vrouwelijk woman meisje girl women vrouwen 2",
    "X": (
        "x other anders overig overige non-binary nonbinary non-binair nonbinair "
        "niet-binair non_binary divers intersex interseksueel genderqueer "
        "genderneutraal gender-neutral genderneutral"
    ),
}.items():
    for _w in _words.split():
        _VALUES[_w] = _code
for _w in ("?", "??", "-", "u", "onbekend", "onb", "unknown", "nvt", "n.v.t", "n/a", "0", "9"):
    _VALUES[_w] = None
for _phrase, _code2 in {
    "niet bekend": None,
    "not known": None,
    "niet opgegeven": None,
    "not stated": None,
    "non binary": "X",
    "non binair": "X",
    "niet binair": "X",
    "gender neutral": "X",
}.items():
    _VALUES[_phrase] = _code2

_AMBIGUOUS = {
    "o": "ambiguous sex code O (other in English, onbekend in Dutch): use X for other, "
         "or leave the cell empty for unknown",
    "nb": "ambiguous sex code NB (non-binary in English, niet bekend in Dutch): use X for non-binary, "
          "or leave the cell empty for unknown",
    "n.b": "ambiguous sex code NB (non-binary in English, niet bekend in Dutch): use X for non-binary, "
           "or leave the cell empty for unknown",
}


def resolve_sex(value: object) -> str | None:
    """:func:`normalise_sex` for any cell value (numbers are ISO/IEC 5218 codes)."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise InvalidValue("not a recognised sex; use M, F or X")
    if isinstance(value, Integral):
        value = str(int(value))
    elif isinstance(value, float) and value.is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        raise InvalidValue("sex must be text")
    key = " ".join(value.strip().lower().split()).rstrip(".")
    if key in _AMBIGUOUS:
        raise InvalidValue(_AMBIGUOUS[key])
    try:
        return _VALUES[key]
    except KeyError:
        raise InvalidValue("not a recognised sex; use M, F or X") from None


def normalise_sex(text: str | None) -> str | None:
    """``"M"``, ``"F"``, ``"X"`` or ``None`` for unknown.

    ``normalise_sex("Vrouw")`` is ``"F"``, ``normalise_sex("onbekend")`` is
    ``None``. See the module docstring for every accepted spelling.
    """
    return resolve_sex(text)
