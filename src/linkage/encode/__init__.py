"""Encoding (reporter side): canonical values -> keyed Bloom filters.

Recipe functions only. The raw primitives (bit positions of a token, packing)
live in :mod:`linkage.hazmat` for attacks and benchmarks.
"""

from linkage.encode._bloom import EncodedRecords, encode_dataframe, encode_records
from linkage.encode._keys import (
    LinkageKey,
    generate_linkage_key,
    generate_signing_key,
    linkage_key_from_env,
    looks_like_key_file,
    public_key_id,
    read_linkage_key,
    read_public_key,
    read_signing_key,
    write_linkage_key,
    write_signing_key,
)

__all__ = [
    "EncodedRecords",
    "LinkageKey",
    "encode_dataframe",
    "encode_records",
    "generate_linkage_key",
    "generate_signing_key",
    "linkage_key_from_env",
    "looks_like_key_file",
    "public_key_id",
    "read_linkage_key",
    "read_public_key",
    "read_signing_key",
    "write_linkage_key",
    "write_signing_key",
]
