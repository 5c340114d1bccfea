"""Initials: the first letter of the first given name and of the surname.

The rule
========

Canonical initials are one or two uppercase ASCII letters ``A``-``Z``:

1. the first letter of the **first given name**, then
2. the first letter of the **surname**, ignoring surname prefixes.

This is what "de eerste twee initialen" means in what FairWork sends CoMensha:
``Jan van der Berg`` is ``JB``, ``Ana-Maria Popescu`` is ``AP``. Further given
names never count (``Ana Maria Popescu`` is ``AP`` too). One letter means only
one initial is known (a mononym, or a record with only a given name or only a
surname); ``None`` means nothing is known.

Transliteration
---------------

Names are NFKC-normalised and transliterated with ``anyascii`` before the
first letter is taken: ``Şerban Ionuţ`` is ``SI``, ``Олена Шевченко`` is
``OS``, ``Łukasz Żółć`` is ``LZ``, ``Đỗ Thị Lan`` is ``DL``. Cyrillic follows
anyascii's scheme: Х gives ``K``, Ж ``Z``, Ч ``C``, Ш and Щ ``S``, Ю and Я
``Y``, Є ``I``; a reporter who typed a Dutch or German transliteration
(``Joelija``, ``Julija``) gets another first letter than one who kept the
Cyrillic (``Юлия`` gives ``Y``): deciding which letters count as close is the
encoder's business, not this module's. In Arabic script the article ``ال`` at
the start of a word is dropped (as ``al-`` is in Latin script); short vowels
are not written in Arabic script, so a name like ``علي`` (Ali) gives another
letter than its Latin spelling, and reporters should send the Latin spelling
where they have it.

Surname prefixes
----------------

A surname's leading prefixes are skipped, as Dutch sorting does
(``van der Berg`` sorts under B), as long as a word remains after them:

* Dutch (the voorvoegsels of the Dutch personal records database): ``van``,
  ``de``, ``der``, ``den``, ``het``, ``'t``, ``te``, ``ten``, ``ter``, ``'s``,
  and the multi-word ones ``in 't``, ``in de``, ``op de``, ``op den``,
  ``op 't``, ``aan de``, ``aan den``, ``aan het``, ``bij de``, ``uit de``,
  ``uit den``, ``uit het``, ``onder de``, ``over de``, ``voor de``,
  ``voor den``, ``voor in 't`` and the like (``in``, ``op``, ``aan``,
  ``bij``, ``uit``, ``onder``, ``over``, ``voor``, ``tot``, ``toe``, and the
  German ``auf``, ``aus`` and ``und`` (``von und zu``), count only when
  followed by another prefix, never on their own);
* German: ``von``, ``vom``, ``zu``, ``zum``, ``zur``, ``dem``, ``am``, ``im``;
* French, Italian, Spanish, Portuguese: ``du``, ``des``, ``d'``, ``l'``,
  ``le``, ``la``, ``les``, ``da``, ``di``, ``do``, ``dos``, ``das``, ``del``,
  ``della``, ``delle``, ``dei``, ``degli``, ``dal``, ``dalla``, ``lo``,
  ``los``, ``las``;
* Arabic articles: ``al`` and ``el`` as separate words, and ``al-``, ``el-``,
  ``ad-``, ``ar-``, ``as-``, ``ash-``, ``at-``, ``az-``, ``an-``, ``ul-``
  attached with a hyphen (``al-Hassan`` is H).

Kept as part of the surname on purpose: ``O'`` (``O'Brien`` is O), ``Mc`` and
``Mac``, and the patronymic words ``ben``, ``bin``, ``ibn``, ``bint``,
``abu``, ``ould`` (``Ben Ali`` is B): they carry the name, not an article.
A surname that is nothing but prefixes keeps its first letter (the Vietnamese
surname ``Le`` is L).

Name forms
----------

* :func:`initials_from_parts` takes given names and surname separately; a
  surname written Dutch-register style with the prefix after a comma
  (``Berg, van der``) is understood.
* :func:`initials_from_name` takes one full name. ``Surname, Given names``
  (a comma) is understood: ``Popescu, Ana-Maria`` is ``AP``, and so is
  ``Berg, Jan van der`` -> ``JB``. Without a comma the first word is the first
  given name and the **last word is the surname** (after dropping ``jr``/``sr``
  suffixes): ``Jean de Dieu Habimana`` is ``JH``, ``Maria de la Cruz`` is
  ``MC``. A full name that *starts* with a Dutch or German surname prefix
  (``van``, ``de``, ``der``, ``den``, ``ter``, ``ten``, ``te``, ``'t``,
  ``'s``, ``het``, ``von``, ``in 't``, ``op de``, ...) is read in the Dutch
  register's surname-first order: the prefixes and the next word are the
  surname, a word after them the first given name (``van der Berg Jan`` is
  ``JB``, ``de Vries`` is ``V``). Other particles (``el``, ``al``, ``da``,
  ``le``) do not trigger this, as they also start given names (``El Hadji``,
  ``Al``) and family-name-first Vietnamese names (``Le``). Where several
  words form the surname without a prefix (``José García López``) the last
  one counts; other names written surname first without a comma
  (``POPESCU Ana``, Chinese and Vietnamese order) cannot be told apart from
  given-name-first order. Send given names and surname in
  separate columns where you have them. A full name of one word gives one
  letter.
* :func:`parse_initials` takes initials as a reporter typed them: ``A.M.``,
  ``am``, ``A M``, ``A. M.`` are all ``AM``; ``A.`` is ``A``. Letters run
  together in one case (``AM``, ``amp``) are one initial each; a mixed-case
  abbreviation (``Th.``, ``Chr.``) is one initial. Dutch lowercase prefix
  abbreviations between capitals are skipped (``J.v.d.B.`` is ``JB``).
  **Three or more initials are read as the given-name initials followed by the
  surname initial**, so the first and the last are kept: ``A.M.P.`` (Ana Maria
  Popescu) is ``AP``. Text with a word of four or more letters is read as a
  full name (``Ana Popescu`` in the initials column is ``AP``).

Unknown and invalid
-------------------

Empty or all-space text and the placeholders ``?``, ``-``, ``onbekend``,
``unknown``, ``nvt``, ``n/a``, ``N.N.`` (nomen nescio) and ``X``/``XX``/
``XXX`` mean *unknown* and give ``None`` (a placeholder must never become a
value that all unknown persons share). Words that are such placeholders are
dropped from names (``Ana N.N.`` is ``A``). Text that is not unknown but has
no letter A-Z after transliteration (``123``, ``#!``) raises
:class:`~linkage.errors.InvalidValue`; the message never contains the text.
"""

from __future__ import annotations

import re

from linkage.errors import InvalidValue
from linkage.normalise._text import to_ascii

__all__ = ["initials_from_name", "initials_from_parts", "parse_initials"]

# Placeholders for an unknown name, compared after lowercasing and removing
# spaces and dots ("N.N." -> "nn", "x . x" -> "xx").
_UNKNOWN = frozenset(
    {
        "", "?", "??", "???", "-", "--", "---", "_", "onbekend", "unknown",
        "nietbekend", "notknown", "nvt", "n/a", "nn", "x", "xx", "xxx",
    }
)

# Prefix words that are skipped wherever they stand at the start of a surname.
_PARTICLES = frozenset(
    {
        # Dutch
        "van", "de", "der", "den", "het", "'t", "t", "te", "ten", "ter", "'s",
        # German
        "von", "vom", "zu", "zum", "zur", "dem", "am", "im",
        # French, Italian, Spanish, Portuguese
        "du", "des", "d'", "l'", "le", "la", "les", "da", "di", "do", "dos",
        "das", "del", "della", "delle", "dei", "degli", "dal", "dalla", "lo",
        "los", "las",
        # Arabic articles
        "al", "el",
    }
)
# Words that are prefixes only when another prefix follows them ("in 't",
# "op de", "voor in 't"): on their own they may well be a name.
_LEADING_PARTICLES = frozenset(
    {
        "in", "op", "aan", "bij", "uit", "uijt", "onder", "over", "voor", "tot", "toe",
        "auf", "aus", "und",
    }
)
# Prefixes glued to the surname: "d'Ancona", "l'Estrange", "al-Hassan", "'s-Gravesande".
_ATTACHED = re.compile(
    r"^(?:d'|l'|'t-|'s-|(?:al|el|ad|ar|as|ash|at|az|an|ul)-)(?=[a-z])",
    re.IGNORECASE,
)
# Prefixes that, as the first word of a full name, mark it as surname first:
# no Dutch or German given name is one of these words.
_SURNAME_FIRST = frozenset(
    {"van", "von", "vom", "de", "der", "den", "ter", "ten", "te", "'t", "t", "'s", "het",
     "zum", "zur", "in", "op", "aan", "uit", "bij", "voor", "onder", "over"}
)
# Generational suffixes ignored at the end of a full name.
_SUFFIXES = frozenset({"jr", "sr", "junior", "senior", "ii", "iii", "iv"})
# The Arabic article at the start of a word of at least two more letters.
_ARABIC_ARTICLE = re.compile(r"(?<![^\s\-])\u0627\u0644(?=\w\w)")
# Apostrophe-like characters that may survive transliteration.
_APOSTROPHES = re.compile(r"[`\u00b4]")
_LETTER = re.compile(r"[A-Za-z]")
_LETTER_RUNS = re.compile(r"[A-Za-z]+")
# Lowercase Dutch prefix abbreviations skipped inside mixed-case initials.
_PREFIX_ABBREVIATIONS = frozenset(
    {"v", "d", "vd", "t", "s", "de", "der", "den", "van", "te", "ten", "ter", "het"}
)


def _is_unknown(text: str) -> bool:
    compact = text.strip().lower().replace(" ", "").replace(".", "")
    return compact in _UNKNOWN


def _words(text: str) -> list[str]:
    """Transliterated words of ``text``: placeholders and letterless words dropped."""
    text = _ARABIC_ARTICLE.sub("", text)
    ascii_text = _APOSTROPHES.sub("'", to_ascii(text))
    return [
        w
        for w in ascii_text.split()
        if _LETTER.search(w) is not None and not _is_unknown(w)
    ]


def _first_letter(word: str) -> str:
    match = _LETTER.search(word)
    if match is None:  # pragma: no cover - _words keeps only words with a letter
        raise InvalidValue("a name word has no letter")
    return match.group().upper()


def _particle_run(words: list[str], start: int) -> int:
    """Number of prefix words at ``words[start:]`` (0 if none)."""
    i = start
    while i < len(words):
        w = words[i].lower()
        if w in _PARTICLES:
            i += 1
        elif w in _LEADING_PARTICLES and i + 1 < len(words) and (
            words[i + 1].lower() in _PARTICLES or words[i + 1].lower() in _LEADING_PARTICLES
        ):
            i += 1
        else:
            break
    return i - start


def _surname_initial(words: list[str]) -> str:
    """Initial of a surname given as its words, prefixes skipped."""
    skip = _particle_run(words, 0)
    core = words[skip] if skip < len(words) else words[0]
    return _first_letter(_ATTACHED.sub("", core))


def _no_letters(what: str) -> InvalidValue:
    return InvalidValue(f"no letter A-Z in {what} after transliteration")


def given_name_initial(given_names: str | None) -> str | None:
    """The initial of the first given name, or ``None`` (unknown or placeholder words only)."""
    if given_names is None or _is_unknown(given_names):
        return None
    words = _words(given_names)
    if not words:
        if _LETTER.search(to_ascii(given_names)) is None:
            raise _no_letters("the given names")
        return None  # only placeholder words
    return _first_letter(words[0])


def surname_initial(surname: str | None) -> str | None:
    """The initial of a surname, Dutch prefixes (van der, de, ...) skipped, or ``None``."""
    if surname is None or _is_unknown(surname):
        return None
    # "Berg, van der": the Dutch register's prefix-after-comma form.
    head = surname.split(",", 1)[0]
    words = _words(head) if head.strip() else []
    if not words:
        words = _words(surname)
    if not words:
        if _LETTER.search(to_ascii(surname)) is None:
            raise _no_letters("the surname")
        return None
    return _surname_initial(words)


def _check_text(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(f"{what} must be text")
    return value


def initials_from_parts(given_names: str | None, surname: str | None) -> str | None:
    """Initials from given names and surname in separate fields.

    ``initials_from_parts("Jan", "van der Berg")`` is ``"JB"``. Either part may
    be ``None``, empty or a placeholder; the result then has one letter, or is
    ``None`` when neither part is known. See the module docstring for the rule.
    """
    given = given_name_initial(_check_text(given_names, "given names"))
    sur = surname_initial(_check_text(surname, "surname"))
    result = (given or "") + (sur or "")
    return result or None


def initials_from_name(full_name: str) -> str | None:
    """Initials from one full name: ``"Ana-Maria Popescu"`` gives ``"AP"``.

    ``"Surname, Given names"`` is understood; without a comma the first word is
    the given name and the last word the surname. See the module docstring.
    """
    text = _check_text(full_name, "a full name")
    if text is None or _is_unknown(text):
        return None
    if "," in text:
        surname, _, rest = text.partition(",")
        given_parts = [p for p in rest.split(",") if _words(p)]
        # Skip a part that is only prefixes ("Berg, van der, Jan").
        given = next(
            (p for p in given_parts if _particle_run(_words(p), 0) < len(_words(p))),
            given_parts[0] if given_parts else None,
        )
        if surname.strip() or given is not None:
            try:
                return initials_from_parts(given, surname if surname.strip() else None)
            except InvalidValue:
                pass  # fall through: judge the name as a whole
    words = _words(text.replace(",", " "))
    if not words:
        if _LETTER.search(to_ascii(text)) is None:
            raise _no_letters("the name")
        return None
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    skip = _particle_run(words, 0)
    if 0 < skip < len(words) and words[0].lower() in _SURNAME_FIRST:
        # Dutch register order without a comma: "van der Berg Jan", "de Vries".
        surname_initial = _surname_initial(words[: skip + 1])
        given_words = words[skip + 1 :]
        return (_first_letter(given_words[0]) if given_words else "") + surname_initial
    first = _first_letter(words[0])
    if len(words) == 1:
        return first
    return first + _surname_initial(words[-1:])


def parse_initials(text: str) -> str | None:
    """Initials as a reporter typed them: ``"A.M."``, ``"am"``, ``"A M"`` give ``"AM"``.

    Three or more initials keep the first and the last (``"A.M.P."`` is
    ``"AP"``); see the module docstring for the rule.
    """
    raw = _check_text(text, "initials")
    if raw is None or _is_unknown(raw):
        return None
    ascii_text = to_ascii(_ARABIC_ARTICLE.sub("", raw))
    runs = _LETTER_RUNS.findall(ascii_text)
    if not runs:
        raise _no_letters("the initials")
    if any(len(r) >= 4 for r in runs):
        return initials_from_name(raw)
    mixed_case = any(c.isupper() for c in ascii_text) and any(c.islower() for c in ascii_text)
    letters: list[str] = []
    for run in runs:
        if mixed_case and run.islower() and run in _PREFIX_ABBREVIATIONS:
            continue  # "J.v.d.B.": lowercase Dutch prefix abbreviations
        if run.isupper() or run.islower():
            letters.extend(run.upper())  # "AM", "am": one initial per letter
        else:
            letters.append(run[0].upper())  # "Th", "Chr": one abbreviated name
    if not letters:  # only prefix abbreviations: keep them after all
        letters = [r[0].upper() for r in runs]
    if len(letters) <= 2:
        return "".join(letters)
    return letters[0] + letters[-1]
