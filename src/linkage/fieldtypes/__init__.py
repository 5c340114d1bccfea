"""Field types: one module per kind of quasi-identifier, each saying how it is read,
normalised, tokenised, salted and enumerated (see :class:`FieldType`).

Built in: :mod:`~linkage.fieldtypes.initials`, :mod:`~linkage.fieldtypes.year`,
:mod:`~linkage.fieldtypes.country`, :mod:`~linkage.fieldtypes.sex`,
:mod:`~linkage.fieldtypes.text`. A new type is one module that subclasses
:class:`FieldType` and calls :func:`register_field_type`; the linkage schema's
JSON Schema, normalisation, encoding, salting and the attack suite's dictionary
then know it.
"""

import importlib

from linkage.fieldtypes._base import (
    ColumnReader,
    FieldType,
    background_order,
    field_type,
    field_type_names,
    read_single_column,
    register_field_type,
    unregister_field_type,
)

#: Built-in types, registered in this order (each module registers itself on import).
BUILT_IN = ("initials", "year", "country", "sex", "text")
for _name in BUILT_IN:
    importlib.import_module(f"linkage.fieldtypes.{_name}")

from linkage.fieldtypes import country, initials, sex, text, year  # noqa: E402  (already imported above)

__all__ = [
    "BUILT_IN",
    "ColumnReader",
    "FieldType",
    "background_order",
    "country",
    "field_type",
    "field_type_names",
    "initials",
    "read_single_column",
    "register_field_type",
    "sex",
    "text",
    "unregister_field_type",
    "year",
]
