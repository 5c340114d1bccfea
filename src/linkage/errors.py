"""One exception tree for the whole library.

Every error raised on purpose by ``linkage`` derives from :class:`LinkageError`.
Messages name the row and the field a problem is in, never the value: an error
message may end up in a log file, a ticket or a terminal someone is watching.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LinkageError",
    "SchemaError",
    "InputError",
    "ColumnError",
    "InvalidValue",
    "Problem",
    "KeyMaterialError",
    "KeyFileError",
    "SubmissionError",
    "SignatureError",
    "MismatchError",
    "StoreError",
    "describe_headers",
]


class LinkageError(Exception):
    """Base class of every error ``linkage`` raises on purpose."""


class SchemaError(LinkageError):
    """A linkage schema is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        where = f" {source!r}" if source else ""
        super().__init__(f"invalid linkage schema{where} ({len(self.problems)} problem(s)):\n{lines}")


@dataclass(frozen=True)
class Problem:
    """One bad input cell: where it is and what is wrong, never what it holds."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, field {self.field!r}: {self.reason}"


class InputError(LinkageError):
    """Input records are invalid. ``problems`` names row and field of each one.

    Rows are numbered from 1 for the first data row, as a spreadsheet user
    would count them below the header.
    """

    MAX_LISTED = 20

    def __init__(self, problems: Sequence[Problem], report: Any = None) -> None:
        self.problems = list(problems)
        #: What the run read before it refused (:class:`linkage.pipeline.EncodeReport`), when known.
        self.report = report
        shown = self.problems[: self.MAX_LISTED]
        lines = "\n".join(f"  - {p}" for p in shown)
        more = len(self.problems) - len(shown)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} invalid input value(s):\n{lines}{tail}")


class ColumnError(LinkageError):
    """A reporter's table cannot be read as records: no recognised column, two columns for one input
    column, a mapping to a column that is not there, or no records at all.

    ``found`` lists the table's column headers. The message names them (headers
    are not values), except a header that looks like a value (it holds a digit,
    or is longer than 60 characters: a file without a header row), which is
    shown as ``column N``.
    """

    def __init__(self, message: str, found: Sequence[str] = ()) -> None:
        self.found = [str(h) for h in found]
        shown = describe_headers(self.found)
        super().__init__(f"{message}; the file's columns: {shown}" if self.found else message)


def describe_headers(headers: Sequence[str]) -> str:
    """Headers for a message: quoted, except those that look like a value (``column N``)."""
    if not headers:
        return "(none)"
    out = []
    hidden = False
    for i, h in enumerate(headers, start=1):
        text = str(h).strip()
        if any(c.isdigit() for c in text) or len(text) > 60:
            out.append(f"column {i}")
            hidden = True
        else:
            out.append(repr(text))
    tail = " (a header with digits is not shown: is the first row data? the file needs a header row)" \
        if hidden else ""
    return ", ".join(out) + tail


class InvalidValue(LinkageError):
    """One value cannot be normalised. The message gives the reason, never the value.

    Raised by the scalar normalisers; :func:`linkage.normalise.normalise_records`
    collects these into one :class:`InputError` that adds row and field.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class KeyMaterialError(LinkageError):
    """Key material (the linkage secret or a signing key) is missing, malformed or used where it must not be."""


class KeyFileError(KeyMaterialError):
    """A key file cannot be read, has the wrong format or unsafe permissions."""


class SubmissionError(LinkageError):
    """A submission file is malformed, truncated or otherwise unusable."""


class SignatureError(SubmissionError):
    """A submission's signature does not verify against any trusted reporter key.

    Deliberately says nothing about why (cf. ``cryptography.exceptions.InvalidSignature``).
    """


class MismatchError(LinkageError):
    """Two things that must have been made alike were not: schema fingerprint, key id (epoch),
    format version or filter length, between submissions, a store, a schema or a count model.
    Never compared, never mixed."""


class StoreError(LinkageError):
    """The registry store cannot be opened, read or written."""


def __getattr__(name: str) -> type[LinkageError]:
    # Deprecated names, kept for one release (see docs/architecture.md, "Deprecations").
    if name == "KeyError_":
        import warnings

        warnings.warn(
            "linkage.errors.KeyError_ is deprecated; use KeyMaterialError", DeprecationWarning, stacklevel=2
        )
        return KeyMaterialError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
