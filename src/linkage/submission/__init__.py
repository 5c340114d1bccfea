"""The signed submission file that crosses the trust boundary (write, read, verify)."""

from linkage.submission._format import (
    FORMAT_VERSION,
    Submission,
    describe_submission,
    load_trusted_keys,
    read_submission,
    write_submission,
)

__all__ = [
    "FORMAT_VERSION",
    "Submission",
    "describe_submission",
    "load_trusted_keys",
    "read_submission",
    "write_submission",
]
