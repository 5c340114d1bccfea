"""Normalise raw quasi-identifiers into canonical values, on the reporter's machine.

The first stage of the reporter side: a reporter's raw table (or single
values) goes in, canonical values that the encoder turns into keyed Bloom
filters come out.

* initials: :func:`initials_from_parts`, :func:`initials_from_name`,
  :func:`parse_initials` -- one or two letters ``A``-``Z``: the first given
  name's initial and the surname's, prefixes such as ``van der`` skipped;
* birth year: :func:`birth_year_range` -- an inclusive interval ``(lo, hi)``
  from a date of birth, a birth year or an age at the report date;
* nationality: :func:`normalise_nationality` -- ISO 3166 alpha-3 (historic
  entries keep their ISO 3166-3 code, ``XXA`` is stateless, ``XKX`` Kosovo,
  ``XTI`` Tibet, ``XCE`` Chechnya); :func:`nationality_region` and
  :func:`nationality_group` give its continent and CoMensha statistics group;
* sex: :func:`normalise_sex` -- ``"M"``, ``"F"``, ``"X"`` or ``None``;
* a whole table: :func:`normalise_records` (strict), :func:`normalise_table`
  (with the ``invalid`` policy for bad cells and per-field counts of what
  went in).

Unknown is ``None`` everywhere and is never an error (:data:`UNKNOWN_TEXTS`
such as ``onbekend`` mean unknown in every field); a value that cannot be
understood raises :class:`~linkage.errors.InvalidValue` (single values) or one
:class:`~linkage.errors.InputError` naming every bad row and column (tables).
No message ever contains the value. The rules each function follows are
written out in the docstrings of the private modules beside this file.
"""

from linkage.normalise import cells  # noqa: E402, I001  (public helpers for field types)
from linkage.normalise._birth_year import BirthYearInvalid, birth_year_range, resolve_birth_year
from linkage.normalise._initials import (
    given_name_initial,
    initials_from_name,
    initials_from_parts,
    parse_initials,
    surname_initial,
)
from linkage.normalise._nationality import (
    CONTINENTS,
    NATIONALITY_GROUPS,
    STATELESS,
    nationality_codes,
    nationality_group,
    nationality_region,
    normalise_nationality,
    resolve_nationality,
)
from linkage.normalise._birth_year import MONTHS
from linkage.normalise._records import (
    INVALID_POLICIES,
    FieldCounts,
    InvalidPolicy,
    NormalisedTable,
    RejectedCell,
    normalise_records,
    normalise_table,
)
from linkage.normalise._sex import normalise_sex, resolve_sex
from linkage.normalise._text import UNKNOWN_TEXTS, is_missing, is_unknown_text, to_ascii
from linkage.normalise import tables  # noqa: E402  (the rules as data, for the reporter page)

__all__ = [
    "BirthYearInvalid",
    "CONTINENTS",
    "INVALID_POLICIES",
    "MONTHS",
    "NATIONALITY_GROUPS",
    "STATELESS",
    "UNKNOWN_TEXTS",
    "FieldCounts",
    "InvalidPolicy",
    "NormalisedTable",
    "RejectedCell",
    "birth_year_range",
    "cells",
    "given_name_initial",
    "initials_from_name",
    "initials_from_parts",
    "is_missing",
    "is_unknown_text",
    "nationality_codes",
    "nationality_group",
    "nationality_region",
    "normalise_nationality",
    "normalise_records",
    "normalise_table",
    "normalise_sex",
    "parse_initials",
    "resolve_birth_year",
    "resolve_nationality",
    "resolve_sex",
    "surname_initial",
    "tables",
    "to_ascii",
]
