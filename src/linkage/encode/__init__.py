"""Encoding (reporter side): canonical values -> keyed Bloom filters.

Recipe functions only: :func:`encode_records` / :func:`encode_dataframe` take a
:class:`LinkageKey` and nothing less. The linkage secret lives in this package
alone (``_secret.py``); registry code never imports it. The raw primitives (bit
positions of a token, packing, the hardening steps one by one) are behind
:mod:`linkage.encode.hazmat`, for the attack suite and benchmarks.
"""

from linkage.encode._bloom import encode_dataframe, encode_records
from linkage.encode._secret import (
    LinkageKey,
    generate_linkage_key,
    linkage_key_from_env,
    read_linkage_key,
    write_linkage_key,
)
from linkage.records import EncodedRecords

__all__ = [
    "EncodedRecords",
    "LinkageKey",
    "encode_dataframe",
    "encode_records",
    "generate_linkage_key",
    "linkage_key_from_env",
    "read_linkage_key",
    "write_linkage_key",
]
