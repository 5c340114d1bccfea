"""Linkage schema: the versioned contract shared by reporters and the registry."""

from linkage.schema._schema import (
    EXTRA_SOURCES,
    LOCAL_ONLY_KEYS,
    MIGRATIONS,
    SCHEMA_VERSION,
    FieldSpec,
    Hardening,
    Schema,
    default_schema,
    fingerprint_of,
    json_schema,
    load_schema,
    migrate,
    schema_to_json,
    sources_of,
)

__all__ = [
    "EXTRA_SOURCES",
    "LOCAL_ONLY_KEYS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "FieldSpec",
    "Hardening",
    "Schema",
    "default_schema",
    "fingerprint_of",
    "json_schema",
    "load_schema",
    "migrate",
    "schema_to_json",
    "sources_of",
]
