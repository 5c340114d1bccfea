"""Record types both sides share: what the encoder produces and what the registry holds.

Plain columnar values (numpy arrays), no behaviour beyond their shape:

- :class:`EncodedRecords`: a reporter's filters with what they were made under,
  before they are signed into a submission;
- :class:`RegistryRecords`: every report the registry holds, one row each.

This module holds no key and imports nothing that does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from linkage.errors import MismatchError

if TYPE_CHECKING:  # pragma: no cover
    from linkage.submission import Submission

__all__ = ["EncodedRecords", "RegistryRecords", "ScoredPairs", "records_from_submissions"]


@dataclass(frozen=True)
class EncodedRecords:
    """Filters of a batch of records, with what they were made under.

    ``filters`` has shape ``(n, schema.words)`` and dtype ``uint64``;
    ``presence`` has shape ``(n,)`` and dtype ``uint16``; ``rows`` gives the
    1-based input row of each filter (it stays with the reporter).
    """

    filters: npt.NDArray[np.uint64]
    presence: npt.NDArray[np.uint16]
    rows: npt.NDArray[np.int64]
    schema_fingerprint: str
    key_id: str

    def __len__(self) -> int:
        return int(self.filters.shape[0])

    def __repr__(self) -> str:
        return (
            f"EncodedRecords(n={len(self)}, words={self.filters.shape[1]}, "
            f"schema={self.schema_fingerprint[:19]}..., key_id={self.key_id!r})"
        )


@dataclass(frozen=True)
class RegistryRecords:
    """All records the registry holds, as columns (one row per report)."""

    reporter: npt.NDArray[np.str_]
    record_id: npt.NDArray[np.str_]
    submission_id: npt.NDArray[np.str_]
    presence: npt.NDArray[np.uint16]
    filters: npt.NDArray[np.uint64]

    def __len__(self) -> int:
        return int(self.filters.shape[0])

    def keys(self) -> list[str]:
        """``reporter/record_id`` of every record, in row order."""
        return [f"{r}/{i}" for r, i in zip(self.reporter.tolist(), self.record_id.tolist(), strict=True)]


def records_from_submissions(subs: Sequence[Submission]) -> RegistryRecords:
    """Stack verified submissions into registry columns, sorted by (reporter, record id)."""
    if not subs:
        return RegistryRecords(
            np.zeros(0, "<U1"), np.zeros(0, "<U32"), np.zeros(0, "<U32"), np.zeros(0, np.uint16),
            np.zeros((0, 1), np.uint64),
        )
    words = {s.filters.shape[1] for s in subs}
    if len(words) != 1:
        raise MismatchError("submissions have different filter lengths")
    reporter = np.concatenate([np.full(len(s), s.reporter_id) for s in subs])
    record_id = np.concatenate([s.record_ids for s in subs])
    submission_id = np.concatenate([np.full(len(s), s.submission_id) for s in subs])
    presence = np.concatenate([s.presence for s in subs])
    filters = np.concatenate([s.filters for s in subs])
    order = np.lexsort((record_id, reporter))
    return RegistryRecords(
        reporter[order], record_id[order], submission_id[order], presence[order],
        np.ascontiguousarray(filters[order]),
    )


@dataclass(frozen=True)
class ScoredPairs:
    """Compared record pairs as columns: ``left[k] < right[k]`` index records, ``score[k]`` their Dice.

    What :mod:`linkage.compare` produces and :mod:`linkage.classify` and
    :mod:`linkage.estimate` consume; sorted by ``(left, right)`` when it comes
    from a kernel. Registry-internal: scores never leave the registry.
    """

    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        if not (len(self.left) == len(self.right) == len(self.score)):
            raise ValueError("left, right and score must have the same length")

    def __len__(self) -> int:
        return int(len(self.left))

    @classmethod
    def empty(cls) -> ScoredPairs:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))

    @classmethod
    def concat(cls, parts: Sequence[ScoredPairs]) -> ScoredPairs:
        """The pairs of every part, in order."""
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.left for p in parts]).astype(np.int64, copy=False),
            np.concatenate([p.right for p in parts]).astype(np.int64, copy=False),
            np.concatenate([p.score for p in parts]).astype(np.float64, copy=False),
        )

    def select(self, keep: npt.NDArray[np.bool_]) -> ScoredPairs:
        """The pairs where ``keep`` is true."""
        return ScoredPairs(self.left[keep], self.right[keep], self.score[keep])

    def as_tuple(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        return self.left, self.right, self.score
