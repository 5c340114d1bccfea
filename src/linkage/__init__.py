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
    result.summary["unique_persons"]

Every error raised on purpose derives from :class:`LinkageError`.
"""

from importlib.metadata import PackageNotFoundError, version

from linkage.encode import (
    EncodedRecords,
    LinkageKey,
    encode_dataframe,
    encode_records,
    generate_linkage_key,
    generate_signing_key,
    linkage_key_from_env,
    read_linkage_key,
    read_public_key,
    read_signing_key,
    write_linkage_key,
    write_signing_key,
)
from linkage.errors import (
    InputError,
    InvalidValue,
    KeyError_,
    KeyFileError,
    LinkageError,
    MismatchError,
    Problem,
    SchemaError,
    SignatureError,
    StoreError,
    SubmissionError,
)
from linkage.normalise import normalise_records
from linkage.pipeline import DedupResult, dedup_records, encode_table, read_table, run_dedup
from linkage.schema import FieldSpec, Schema, default_schema, json_schema, load_schema
from linkage.store import RegistryRecords, SQLiteStore, records_from_submissions
from linkage.submission import (
    Submission,
    describe_submission,
    load_trusted_keys,
    read_submission,
    write_submission,
)

try:
    __version__ = version("linkage")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DedupResult",
    "EncodedRecords",
    "FieldSpec",
    "InputError",
    "InvalidValue",
    "KeyError_",
    "KeyFileError",
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
    "dedup_records",
    "default_schema",
    "describe_submission",
    "encode_dataframe",
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
