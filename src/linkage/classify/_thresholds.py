"""Choosing thresholds without labels.

``valley``
    The scores of candidate pairs form a large pile of chance agreement that
    falls off steeply from the floor, and a smaller pile of true matches near 1.
    The match threshold is put at the emptiest part of the histogram between
    them: the bin of lowest (lightly smoothed) count above the floor, the lowest
    such bin on ties. The review band reaches ``review_width`` below it. On
    FEBRL3 with every field this finds 0.65, where labels would also put it.

``fixed``
    The schema's numbers.

Both return a :class:`ThresholdChoice` that records how the numbers were found,
for the run manifest and the quality report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class ThresholdChoice:
    match: float
    review: float
    method: str
    details: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def valley_threshold(
    scores: npt.NDArray[np.float64],
    floor: float,
    *,
    bin_width: float = 0.025,
    review_width: float = 0.1,
    min_threshold: float = 0.5,
) -> ThresholdChoice:
    """Match threshold at the least populated score bin above ``floor`` (see module docs)."""
    s = np.asarray(scores, dtype=np.float64)
    s = s[s >= floor]
    start = max(floor, min_threshold)
    edges = np.round(np.arange(start, 1.0 + bin_width / 2, bin_width), 6)
    if len(edges) < 3 or len(s) == 0:
        return ThresholdChoice(max(start, 0.9), max(start - review_width, floor), "valley",
                               {"reason": "too few candidate pairs; fell back to 0.9"})
    counts = np.histogram(s, bins=np.append(edges[:-1], 1.0 + 1e-9))[0].astype(np.float64)
    # light smoothing (a 3-bin moving average) so one empty bin in a busy region is not a valley
    padded = np.concatenate([[counts[0]], counts, [counts[-1]]])
    smooth = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    # never put the threshold in the first bin (the falling edge of the chance pile) or the last
    inner = smooth[1:-1]
    k = int(np.argmin(inner)) + 1
    match = float(edges[k])
    review = float(max(floor, round(match - review_width, 6)))
    return ThresholdChoice(
        match,
        review,
        "valley",
        {"bin_width": bin_width, "floor": floor, "bin_counts": counts.astype(int).tolist(),
         "bin_starts": edges[:-1].tolist(), "valley_bin": k},
    )


def fixed_thresholds(match: float, review: float) -> ThresholdChoice:
    return ThresholdChoice(match, review, "fixed", {})
