"""Birth year as an inclusive interval ``(lo, hi)``, from a date, a year or an age.

Sources and their priority
==========================

:func:`birth_year_range` takes up to three sources. The **date of birth wins,
then the birth year, then the age**; the sources of lower priority are then
not looked at, so they may be missing, invalid or inconsistent with the one
used without an error (reporters' systems disagree often enough; the linkage
tolerates a year either way).

* A **date of birth** gives ``(y, y)``. Accepted: ``datetime.date``,
  ``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64`` and text in
  ISO order (``1990-05-17``, ``1990/05/17``, ``19900517``, with an optional
  time after it) or Dutch day-first order (``17-05-1990``, ``17/05/1990``,
  ``17.05.1990``, ``7-5-1990``). A day or month of ``00`` means unknown, as in
  the Dutch personal records database (``00-00-1990`` is 1990, and
  ``00-00-0000`` is unknown); ``05-1990``, ``1990-05`` and ``1990`` alone are
  accepted as year-only dates. Month names in Dutch or English, full or
  abbreviated, are understood: ``31 december 1990``, ``31-dec-1990``,
  ``31 mrt. 1990``, ``December 31, 1990``, ``mei 1990``. An eight-digit number
  is ``YYYYMMDD`` as in text. Two-digit years (``17-05-90``) are refused as
  ambiguous; month-first (US) order with digits is not supported
  (``05/17/1990`` fails, as month 17 does not exist). A bare number of five or
  more digits (``33238``) is refused: it may be an Excel serial date, but
  which one depends on the workbook's date system, which a CSV file does not
  carry; in an ``.xlsx`` file :mod:`linkage.intake` converts such cells with
  the workbook's own date system before they get here.
* A **birth year** gives ``(y, y)``: an ``int``, an integral ``float``
  (``1990.0``, as pandas reads a column with gaps) or text (``"1990"``).
* An **age** ``A`` at the report date ``D`` gives
  ``(D.year - A - age_uncertainty, D.year - A)``. Someone aged ``A`` on ``D``
  was born in ``D.year - A`` (birthday already passed that year) or in
  ``D.year - A - 1`` (not yet), so the default ``age_uncertainty=1`` covers
  exactly that; 2 or more adds slack for estimated ages, 0 trusts that the
  birthday has passed. An age is a whole number of years, an integral float,
  or text such as ``"23"``, ``"23 jaar"``, ``"23 years"``; a fractional age
  (``23.7``) is truncated to completed years. An estimated age (``~34``,
  ``ca. 34``, ``circa 34``, ``ongeveer 34``, ``± 34``, ``+/- 34``) is read as
  that age (``age_uncertainty`` already allows a year's slack; widen it in the
  schema for rough estimates); so is an estimated birth year (``ca. 1990``).
  An age range (``30-35``), an open age (``34+``) or an age band
  (``minderjarig``, ``adult``) is refused: it is not one age, and a wide
  interval would agree with many persons. An age needs a report date (a date
  or just a year); without one it is an error.

Unknown
=======

Missing cells and the texts of :data:`linkage.normalise.UNKNOWN_TEXTS`
(``onbekend``, ``unknown``, ``?``, ``-``, ``n.v.t.``, ...) are *unknown* in
every source, as is the date ``00-00-0000``: the next source is then used, as
for an empty cell.

Validation
==========

Raises :class:`~linkage.errors.InvalidValue` (reason only, never the value)
when the source used or a given report date cannot be parsed, when a birth year lies before
``min_year`` or after the report date (or after today when no report date is
given), when a date of birth lies after the report date, when a birth year
implies an age above ``max_age`` at the report date, or when an age is
negative or above ``max_age``. An age interval reaching below ``min_year`` is
clipped to start at ``min_year`` (an error only if it lies wholly before it).
All sources missing gives ``None``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from linkage.errors import InvalidValue
from linkage.normalise._text import is_missing, is_unknown_text

__all__ = ["BirthYearInvalid", "DateInput", "NumberInput", "birth_year_range", "resolve_birth_year"]

DateInput = str | dt.date | np.datetime64 | int | None
"""What a date of birth or report date may be given as (``pandas.Timestamp`` is a ``datetime``)."""
NumberInput = int | float | str | None
"""What a birth year or an age may be given as."""

_TIME_TAIL = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME_TAIL)
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME_TAIL)
_DMY_SHORT = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2}")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YM = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MY = re.compile(r"(\d{1,2})[-/.](\d{4})")
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
_AGE = re.compile(
    r"(\d{1,3}(?:[.,]\d+)?)\s*(?:jaar|jr\.?|j\.?|years?(?:\s+old)?|yrs?\.?|y\.?)?",
    re.IGNORECASE,
)
# Words and signs that mark an estimate ("~34", "ca. 34", "+/- 1990"): the number is read as given.
_APPROX = re.compile(
    r"(?:~|\u00b1|\+/-|\+-|ca\.?|circa|c\.|ongeveer|ong\.|plm\.?|pl\.m\.|approx\.?|approximately|about|around"
    r"|rond|est\.?|estimated|geschat)\s*",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\d{1,4}\s*(?:-|\u2013|/|tot|t/m|to|till|until)\s*\d{1,4}(?:\s*\D*)?", re.IGNORECASE)
_OPEN_AGE = re.compile(
    r"(?:[<>]=?\s*\d{1,3}|\d{1,3}\s*\+|\d{1,3}\s*(?:of|or)\s*(?:ouder|older|jonger|younger))(?:\s*\D*)?",
    re.IGNORECASE,
)
_AGE_BANDS = frozenset(
    {"minderjarig", "meerderjarig", "volwassen", "volwassene", "adolescent", "kind", "baby", "tiener", "jongere",
     "minor", "adult", "child", "teenager", "juvenile", "youth", "elderly", "bejaard", "oudere"}
)
_SERIAL = re.compile(r"\d{5,7}(?:\.0+)?")
_UNKNOWN_DATE = re.compile(r"0{1,2}[-/.]0{1,2}[-/.]0{4}|0{4}[-/.]0{1,2}[-/.]0{1,2}|0{8}")
_SERIAL_REASON = (
    "is a number, not a date (an Excel serial date? save the file as .xlsx, or format the column as dates)"
)

#: Month names and abbreviations (Dutch and English, lower case) -> month number.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "januari jan january",
        "februari feb febr february",
        "maart mrt mar maa march",
        "april apr",
        "mei may",
        "juni jun june",
        "juli jul july",
        "augustus aug august",
        "september sep sept",
        "oktober okt october oct",
        "november nov",
        "december dec",
    ),
    start=1,
):
    for _n in _names.split():
        MONTHS[_n] = _number
_MONTH = r"([a-z]{3,9})\.?"
_D_MONTH_Y = re.compile(r"(\d{1,2})(?:e|st|nd|rd|th)?[\s\-/.]*" + _MONTH + r"[\s\-/.,]*(\d{4})" + _TIME_TAIL)
_MONTH_D_Y = re.compile(_MONTH + r"[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]+(\d{4})" + _TIME_TAIL)
_MONTH_Y = re.compile(_MONTH + r"[\s\-/.,]*(\d{4})")


class BirthYearInvalid(InvalidValue):
    """An :class:`InvalidValue` that also says which source was wrong.

    ``source`` is one of ``"date_of_birth"``, ``"birth_year"``, ``"age"`` and
    ``"report_date"``; :func:`linkage.normalise.normalise_records` uses it to
    name the column.
    """

    def __init__(self, reason: str, source: str) -> None:
        super().__init__(reason)
        self.source = source


@dataclass(frozen=True)
class _Date:
    """A parsed date; ``date`` is ``None`` when only the year is known."""

    year: int
    date: dt.date | None


def _parse_date(value: object, what: str, source: str) -> _Date:
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise BirthYearInvalid(f"{what} is not a date", source)
        day = value.astype("datetime64[D]").item()
        if not isinstance(day, dt.date):
            raise BirthYearInvalid(f"{what} is not a valid date", source)
        value = day
    if isinstance(value, dt.datetime):  # before date: datetime is a date
        return _Date(value.year, value.date())
    if isinstance(value, dt.date):
        return _Date(value.year, value)
    if isinstance(value, bool):
        raise BirthYearInvalid(f"{what} is not a date", source)
    if isinstance(value, Integral):
        number = int(value)
        if 10_000_000 <= number <= 99_999_999:  # YYYYMMDD, as in text
            return _make_date(number // 10_000, number // 100 % 100, number % 100, what, source)
        if 10_000 <= number <= 9_999_999:
            raise BirthYearInvalid(f"{what} {_SERIAL_REASON}", source)
        return _Date(_check_year_number(number, what, source), None)
    if not isinstance(value, str):
        raise BirthYearInvalid(f"{what} is not a date", source)
    text = value.strip()
    m = _ISO.fullmatch(text) or _COMPACT.fullmatch(text)
    if m:
        return _make_date(int(m[1]), int(m[2]), int(m[3]), what, source)
    m = _DMY.fullmatch(text)
    if m:
        return _make_date(int(m[3]), int(m[2]), int(m[1]), what, source)
    if _DMY_SHORT.fullmatch(text):
        raise BirthYearInvalid(f"{what} has a two-digit year, which is ambiguous", source)
    m = _YM.fullmatch(text)
    if m:
        return _make_date(int(m[1]), int(m[2]), 0, what, source)
    m = _MY.fullmatch(text)
    if m:
        return _make_date(int(m[2]), int(m[1]), 0, what, source)
    m = _YEAR.fullmatch(text)
    if m:
        return _Date(int(m[1]), None)
    lowered = " ".join(text.lower().split())
    m = _D_MONTH_Y.fullmatch(lowered)
    if m:
        return _make_date(int(m[3]), _month(m[2], what, source), int(m[1]), what, source)
    m = _MONTH_D_Y.fullmatch(lowered)
    if m:
        return _make_date(int(m[3]), _month(m[1], what, source), int(m[2]), what, source)
    m = _MONTH_Y.fullmatch(lowered)
    if m:
        return _make_date(int(m[2]), _month(m[1], what, source), 0, what, source)
    if _SERIAL.fullmatch(text):
        raise BirthYearInvalid(f"{what} {_SERIAL_REASON}", source)
    raise BirthYearInvalid(f"{what} is not a recognised date", source)


def _month(name: str, what: str, source: str) -> int:
    try:
        return MONTHS[name]
    except KeyError:
        raise BirthYearInvalid(f"{what} has a month name that is not recognised", source) from None


def _make_date(year: int, month: int, day: int, what: str, source: str) -> _Date:
    if not 0 <= month <= 12 or not 0 <= day <= 31:
        raise BirthYearInvalid(f"{what} is not a valid date", source)
    if month == 0 or day == 0:  # 00 = unknown day or month
        return _Date(year, None)
    try:
        return _Date(year, dt.date(year, month, day))
    except ValueError:
        raise BirthYearInvalid(f"{what} is not a valid date", source) from None


def _check_year_number(year: int, what: str, source: str) -> int:
    if not 1000 <= year <= 9999:
        raise BirthYearInvalid(f"{what} is not a four-digit year", source)
    return year


def _parse_year(value: object) -> int:
    source = "birth_year"
    if isinstance(value, bool):
        raise BirthYearInvalid("birth year is not a year", source)
    if isinstance(value, Integral):
        return _check_year_number(int(value), "birth year", source)
    if isinstance(value, Real):
        f = float(value)
        if not math.isfinite(f) or not f.is_integer():
            raise BirthYearInvalid("birth year is not a whole number", source)
        return _check_year_number(int(f), "birth year", source)
    if isinstance(value, str):
        text = value.strip()
        approx = _APPROX.match(text)
        if approx:
            text = text[approx.end():]
        m = _YEAR.fullmatch(text)
        if m:
            return int(m[1])
        if _RANGE.fullmatch(text):
            raise BirthYearInvalid(
                "birth year is a range, not one year: give one year (an estimate such as ~1990 is fine) "
                "or leave the cell empty", source)
        raise BirthYearInvalid("birth year is not a four-digit year", source)
    raise BirthYearInvalid("birth year is not a year", source)


def _parse_age(value: object) -> int:
    source = "age"
    if isinstance(value, bool):
        raise BirthYearInvalid("age is not a number", source)
    if isinstance(value, Integral):
        age = float(int(value))
    elif isinstance(value, Real):
        age = float(value)
        if not math.isfinite(age):
            raise BirthYearInvalid("age is not a number", source)
    elif isinstance(value, str):
        text = value.strip()
        approx = _APPROX.match(text)
        if approx:
            text = text[approx.end():]
        if text.startswith("-") and not _RANGE.fullmatch(text.lstrip("-")):
            raise BirthYearInvalid("age is negative", source)
        m = _AGE.fullmatch(text)
        if not m:
            raise BirthYearInvalid(_age_reason(text), source)
        age = float(m[1].replace(",", "."))
    else:
        raise BirthYearInvalid("age is not a number", source)
    if age < 0:
        raise BirthYearInvalid("age is negative", source)
    return int(math.floor(age))


def _age_reason(text: str) -> str:
    """Why an age text is refused: a range, an open age, a band, or not a number."""
    if _RANGE.fullmatch(text):
        return ("age is a range, not one age: give one age (an estimate such as ~32 is fine) "
                "or leave the cell empty")
    if _OPEN_AGE.fullmatch(text):
        return "age is open-ended (such as 34+), not one age: give one age or leave the cell empty"
    if " ".join(text.lower().split()) in _AGE_BANDS:
        return "age is an age band, not an age: give the age in years or leave the cell empty"
    return "age is not a number of years"


def _unknown(value: object) -> bool:
    """Missing, or text saying it is unknown (``onbekend``, ``?``, ``00-00-0000``)."""
    if is_missing(value) or is_unknown_text(value):
        return True
    return isinstance(value, str) and _UNKNOWN_DATE.fullmatch(value.strip()) is not None


def resolve_birth_year(
    *,
    date_of_birth: object = None,
    birth_year: object = None,
    age: object = None,
    report_date: object = None,
    age_uncertainty: int = 1,
    min_year: int = 1900,
    max_age: int = 110,
    today: dt.date | None = None,
) -> tuple[int, int] | None:
    """:func:`birth_year_range` for arbitrary cell values; raises :class:`BirthYearInvalid`."""
    if age_uncertainty < 0:
        raise ValueError("age_uncertainty must not be negative")
    report: _Date | None = None
    if not _unknown(report_date):
        report = _parse_date(report_date, "report date", "report_date")
    ref_year = report.year if report is not None else (today or dt.date.today()).year
    after_ref = "after the report date" if report is not None else "in the future"

    if not _unknown(date_of_birth):
        source = "date_of_birth"
        dob = _parse_date(date_of_birth, "date of birth", source)
        if (
            report is not None
            and dob.date is not None
            and report.date is not None
            and dob.date > report.date
        ) or dob.year > ref_year:
            raise BirthYearInvalid(f"date of birth lies {after_ref}", source)
        return _checked(dob.year, dob.year, source, report, min_year, max_age)

    if not _unknown(birth_year):
        source = "birth_year"
        year = _parse_year(birth_year)
        if year > ref_year:
            raise BirthYearInvalid(f"birth year lies {after_ref}", source)
        return _checked(year, year, source, report, min_year, max_age)

    if not _unknown(age):
        source = "age"
        years = _parse_age(age)
        if years > max_age:
            raise BirthYearInvalid(f"age is above the maximum of {max_age}", source)
        if report is None:
            raise BirthYearInvalid("an age needs a report date", source)
        hi = report.year - years
        lo = hi - age_uncertainty
        if hi < min_year:
            raise BirthYearInvalid(f"age implies a birth year before {min_year}", source)
        return (max(lo, min_year), hi)
    return None


def _checked(
    lo: int, hi: int, source: str, report: _Date | None, min_year: int, max_age: int
) -> tuple[int, int]:
    what = "date of birth" if source == "date_of_birth" else "birth year"
    if lo < min_year:
        raise BirthYearInvalid(f"{what} lies before {min_year}", source)
    if report is not None and report.year - hi > max_age:
        raise BirthYearInvalid(
            f"{what} implies an age above {max_age} at the report date", source
        )
    return (lo, hi)


def birth_year_range(
    *,
    date_of_birth: DateInput = None,
    birth_year: NumberInput = None,
    age: NumberInput = None,
    report_date: DateInput = None,
    age_uncertainty: int = 1,
    min_year: int = 1900,
    max_age: int = 110,
) -> tuple[int, int] | None:
    """The inclusive interval ``(lo, hi)`` of possible birth years, or ``None``.

    ``birth_year_range(date_of_birth="17-05-1990")`` is ``(1990, 1990)``;
    ``birth_year_range(age=23, report_date="2024-03-01")`` is ``(2000, 2001)``.
    The date of birth wins over the year, the year over the age. Raises
    :class:`~linkage.errors.InvalidValue` for a value that cannot be used; see
    the module docstring for formats and checks.
    """
    return resolve_birth_year(
        date_of_birth=date_of_birth,
        birth_year=birth_year,
        age=age,
        report_date=report_date,
        age_uncertainty=age_uncertainty,
        min_year=min_year,
        max_age=max_age,
    )
