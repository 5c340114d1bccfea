"""Where the data can speak for a stratum: its high-evidence score region, and the evidence floor.

Kept apart from the estimator so that what gathers the evidence
(:mod:`linkage.estimate._evidence`) and what uses it
(:mod:`linkage.estimate._estimate`) both import it without importing each other.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from linkage.estimate._count_model import FLOOR, MIN_SIM_TRUE_PAIRS, STEP, CountModel

__all__ = ["LIKELIHOOD_RATIO", "MIN_MASS", "evidence_floor"]

LIKELIHOOD_RATIO = 2000.0
MIN_MASS = 0.3


@functools.lru_cache(maxsize=32)
def _regions(model: CountModel) -> dict[int, npt.NDArray[np.bool_]]:
    """The high-evidence region of every identifiable stratum (cached per model object; do not modify).

    The region is the upper tail of score bins in which true pairs are more than
    ``LIKELIHOOD_RATIO`` times as likely as chance pairs, with the chance share taken
    at an upper bound (one more simulated chance pair than seen), so a bin is not
    picked because the simulation happened to see no chance pair in it. Bins empty
    on both sides do not break the tail.
    """
    out = {}
    for k, (u_c, m_c, n_non, n_match) in model.strata.items():
        if n_match < MIN_SIM_TRUE_PAIRS or n_non == 0:
            continue
        m = m_c / n_match
        ok = (m > LIKELIHOOD_RATIO * (u_c + 1.0) / n_non) | ((m_c == 0) & (u_c == 0))
        tail = np.flip(np.cumprod(np.flip(ok))).astype(bool)
        if m[tail].sum() >= MIN_MASS:
            out[k] = tail
    return out


def evidence_floor(model: CountModel) -> float:
    """The lowest score in any stratum's high-evidence region (just above 1.0 if there is none).

    :func:`match_probabilities` and :func:`estimate_unique_persons` need every pair
    scoring at least this much.
    """
    lows = [FLOOR + STEP * int(np.flatnonzero(h)[0]) for h in _regions(model).values()]
    return min(lows) - 1e-9 if lows else 1.0 + 1e-9
