"""The signed submission file that crosses the trust boundary (write, read, verify).

Reporters sign with their Ed25519 key (:func:`generate_signing_key`,
:func:`write_signing_key`, :func:`read_signing_key`); the registry verifies
against the reporters' public keys (:func:`load_trusted_keys`) before it parses
anything (:func:`read_submission`). No linkage secret is involved.
"""

from linkage.submission._format import (
    FORMAT_VERSION,
    HEADER_SCHEMA,
    SignedSubmission,
    Submission,
    SubmissionHeader,
    describe_submission,
    parse_period,
    read_submission,
    sign_submission,
    write_submission,
)
from linkage.submission._signing import (
    REPORTER_ID_PATTERN,
    generate_signing_key,
    load_trusted_keys,
    public_key_id,
    public_pem,
    read_public_key,
    read_signing_key,
    sign_answers,
    verify_answers,
    write_signing_key,
)

__all__ = [
    "FORMAT_VERSION",
    "HEADER_SCHEMA",
    "REPORTER_ID_PATTERN",
    "SignedSubmission",
    "Submission",
    "SubmissionHeader",
    "describe_submission",
    "generate_signing_key",
    "load_trusted_keys",
    "parse_period",
    "public_key_id",
    "public_pem",
    "read_public_key",
    "read_signing_key",
    "read_submission",
    "sign_answers",
    "sign_submission",
    "verify_answers",
    "write_signing_key",
    "write_submission",
]
