"""linkage: privacy-preserving record linkage for counting persons across reporters.

Reporter side (holds raw records and the linkage key)::

    import linkage
    schema = linkage.default_schema()
    key = linkage.read_linkage_key("linkage.secret")
    encoded = linkage.encode_dataframe(df, schema, key)            # normalise + encode
    id_map = linkage.write_submission("police.lnk", encoded, schema,
                                      reporter_id="police", signing_key=sk)

Registry side (holds submissions and reporters' public keys, never the key)::

    trusted = linkage.load_trusted_keys("trusted/")
    result = linkage.run_dedup(["police.lnk", "fairwork.lnk"], trusted, schema, "out/")
    result.summary.unique_persons

Every error raised on purpose derives from :class:`LinkageError`.

Names load lazily (module ``__getattr__``): ``import linkage`` loads nothing
but this table, and using a registry function never loads the reporter side's
key code. ``docs/architecture.md`` maps the packages.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from linkage.encode import (
        LinkageKey,
        encode_dataframe,
        encode_records,
        generate_linkage_key,
        linkage_key_from_env,
        read_linkage_key,
        write_linkage_key,
    )
    from linkage.errors import (
        ColumnError,
        InputError,
        InvalidValue,
        KeyFileError,
        KeyMaterialError,
        LinkageError,
        MismatchError,
        Problem,
        SchemaError,
        SignatureError,
        StoreError,
        SubmissionError,
    )
    from linkage.intake import read_table
    from linkage.normalise import normalise_records
    from linkage.pipeline import DedupResult, check_table, dedup_records, encode_file, encode_table, run_dedup
    from linkage.records import EncodedRecords, RegistryRecords, records_from_submissions
    from linkage.schema import FieldSpec, Schema, default_schema, json_schema, load_schema
    from linkage.store import SQLiteStore
    from linkage.submission import (
        Submission,
        describe_submission,
        generate_signing_key,
        load_trusted_keys,
        read_public_key,
        read_signing_key,
        read_submission,
        write_signing_key,
        write_submission,
    )

_WHERE: dict[str, str] = {
    # errors
    **{name: "linkage.errors" for name in (
        "ColumnError", "InputError", "InvalidValue", "KeyFileError", "KeyMaterialError", "LinkageError",
        "MismatchError",
        "Problem", "SchemaError", "SignatureError", "StoreError", "SubmissionError",
    )},
    # the contract
    **{name: "linkage.schema" for name in ("FieldSpec", "Schema", "default_schema", "json_schema", "load_schema")},
    # shared record types
    **{name: "linkage.records" for name in ("EncodedRecords", "RegistryRecords", "records_from_submissions")},
    # reporter side
    "read_table": "linkage.intake",
    "normalise_records": "linkage.normalise",
    **{name: "linkage.encode" for name in (
        "LinkageKey", "encode_dataframe", "encode_records", "generate_linkage_key", "linkage_key_from_env",
        "read_linkage_key", "write_linkage_key",
    )},
    "encode_table": "linkage.pipeline",
    "encode_file": "linkage.pipeline",
    "check_table": "linkage.pipeline",
    # the signed file and reporters' signing keys
    **{name: "linkage.submission" for name in (
        "Submission", "describe_submission", "generate_signing_key", "load_trusted_keys", "read_public_key",
        "read_signing_key", "read_submission", "write_signing_key", "write_submission",
    )},
    # registry side
    "SQLiteStore": "linkage.store",
    **{name: "linkage.pipeline" for name in ("DedupResult", "dedup_records", "run_dedup")},
}

try:
    __version__ = version("linkage")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ColumnError",
    "DedupResult",
    "EncodedRecords",
    "FieldSpec",
    "InputError",
    "InvalidValue",
    "KeyFileError",
    "KeyMaterialError",
    "LinkageError",
    "LinkageKey",
    "MismatchError",
    "Problem",
    "RegistryRecords",
    "SQLiteStore",
    "Schema",
    "SchemaError",
    "SignatureError",
    "StoreError",
    "Submission",
    "SubmissionError",
    "__version__",
    "check_table",
    "dedup_records",
    "default_schema",
    "describe_submission",
    "encode_dataframe",
    "encode_file",
    "encode_records",
    "encode_table",
    "generate_linkage_key",
    "generate_signing_key",
    "json_schema",
    "linkage_key_from_env",
    "load_schema",
    "load_trusted_keys",
    "normalise_records",
    "read_linkage_key",
    "read_public_key",
    "read_signing_key",
    "read_submission",
    "read_table",
    "records_from_submissions",
    "run_dedup",
    "write_linkage_key",
    "write_signing_key",
    "write_submission",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        if name == "KeyError_":  # deprecated alias, see linkage.errors
            return getattr(importlib.import_module("linkage.errors"), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
