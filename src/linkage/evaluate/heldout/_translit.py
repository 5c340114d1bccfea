"""Romanisation of Cyrillic names under the schemes reporters actually use.

Each scheme is a letter table applied to lower-case Cyrillic, with word-initial
forms where the scheme has them (Ukrainian passports write Є, Ї, Й, Ю, Я as
Ye, Yi, Y, Yu, Ya at the start of a word and ie, i, i, iu, ia inside it). The
Ukrainian and Bulgarian readings of Г, И and Щ differ, so a table is chosen per
language. Schemes:

==========  ==============================================================
passport    Ukraine: KMU 2010 (Cabinet resolution 55); Bulgaria: the
            Streamlined System (2009 Transliteration Act)
english     a Russian-style English reading (Г as G, И as I): the form a
            person gets from a Russian-speaking interpreter (Galina for Галина)
dutch       Dutch (Taalunie) practice: zj, ch, tsj, sj, joe, ja, j, oe
german      German (Duden) practice: w, sch, s, ch, z, tsch, ju, ja, j
french      French practice: j, kh, tch, ch, iou, ia, ou
scholarly   scientific transliteration with háčeks (ž, č, š, šč)
==========  ==============================================================

The first letter of a name can differ between schemes (Х: Kh, Ch, H; Ж: Zh,
Zj, Sch, J, Ž; Ч: Ch, Tsj, Tsch, Tch, Č; Ю: Yu, Joe, Ju, Iou; Г: H, G),
which is what makes these names hard to link on initials.
"""

from __future__ import annotations

from functools import cache

SCHEMES: tuple[str, ...] = ("passport", "english", "dutch", "german", "french", "scholarly")

_COMMON = {
    "а": "a", "б": "b", "д": "d", "е": "e", "з": "z", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "ь": "", "ъ": "a", "'": "", "’": "",
    "ґ": "g", "і": "i", "в": "v",
}

# (inside a word, at the start of a word) per scheme and language ("uk" or "bg")
_TABLES: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}


def _table(inside: dict[str, str], initial: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    merged = {**_COMMON, **inside}
    init = initial or {}
    return {k: (v, init.get(k, v)) for k, v in merged.items()}


_TABLES[("passport", "uk")] = _table(
    {"г": "h", "є": "ie", "ж": "zh", "и": "y", "ї": "i", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
     "щ": "shch", "ю": "iu", "я": "ia"},
    {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"},
)
_TABLES[("passport", "bg")] = _table(
    {"г": "g", "ж": "zh", "и": "i", "й": "y", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ю": "yu",
     "я": "ya", "ь": "y"},
)
for _lang, _g, _i, _shch in (("uk", "g", "i", "shch"), ("bg", "g", "i", "sht")):
    _TABLES[("english", _lang)] = _table(
        {"г": _g, "є": "ye", "ж": "zh", "и": _i, "ї": "yi", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
         "щ": _shch, "ю": "yu", "я": "ya", "е": "e"},
    )
for _lang, _g, _y, _shch in (("uk", "h", "y", "sjtsj"), ("bg", "g", "i", "sjt")):
    _TABLES[("dutch", _lang)] = _table(
        {"г": _g, "є": "je", "ж": "zj", "и": _y, "ї": "ji", "й": "j", "х": "ch", "ц": "ts", "ч": "tsj", "ш": "sj",
         "щ": _shch, "ю": "joe", "я": "ja", "у": "oe"},
    )
for _lang, _g, _y, _shch in (("uk", "h", "y", "schtsch"), ("bg", "g", "i", "scht")):
    _TABLES[("german", _lang)] = _table(
        {"в": "w", "г": _g, "є": "je", "ж": "sch", "з": "s", "и": _y, "ї": "ji", "й": "j", "х": "ch", "ц": "z",
         "ч": "tsch", "ш": "sch", "щ": _shch, "ю": "ju", "я": "ja"},
    )
for _lang, _g, _y, _shch in (("uk", "h", "y", "chtch"), ("bg", "g", "i", "cht")):
    _TABLES[("french", _lang)] = _table(
        {"г": _g, "є": "ie", "ж": "j", "и": _y, "ї": "ï", "й": "ï", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch",
         "щ": _shch, "ю": "iou", "я": "ia", "у": "ou"},
        {"й": "i"},
    )
for _lang, _g, _y, _shch in (("uk", "h", "y", "šč"), ("bg", "g", "i", "št")):
    _TABLES[("scholarly", _lang)] = _table(
        {"г": _g, "є": "je", "ж": "ž", "и": _y, "ї": "ji", "й": "j", "х": "ch", "ц": "c", "ч": "č", "ш": "š",
         "щ": _shch, "ю": "ju", "я": "ja"},
    )


@cache
def romanise(text: str, scheme: str, language: str) -> str:
    """``text`` (Cyrillic) in Latin letters under ``scheme`` for ``language`` (``uk`` or ``bg``).

    Every word is capitalised; characters outside the table (spaces, hyphens)
    are kept.
    """
    table = _TABLES[(scheme, language)]
    out: list[str] = []
    start = True
    for ch in text:
        low = ch.lower()
        if low in table:
            inside, initial = table[low]
            piece = initial if start else inside
            out.append(piece.capitalize() if start else piece)
            start = False if piece or not start else start
        else:
            out.append(ch)
            start = not ch.isalpha()
    return "".join(out)
