"""Seeded random streams and the few draws the generator needs, all from uniforms.

Only :meth:`numpy.random.Generator.random` is used (PCG64 doubles, whose stream
numpy keeps stable), with inverse-CDF sampling on top, so that the frozen data
sets do not depend on how a numpy version implements ``choice`` or ``normal``.
Each part of the generator has its own stream (:func:`stream`), so that changing
one part (say, the error rates) leaves the others' draws as they were.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# stream ids (never reorder: they are part of the frozen data sets)
S_VOLUME, S_PERSONS, S_NAMES, S_EPISODES, S_RENDER, S_ERRORS, S_MESSY, S_FAMILY = range(8)


def stream(seed: int, part: int, sub: int = 0) -> np.random.Generator:
    """The random stream of one part of the generator for ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(part, sub))))


def categorical(rng: np.random.Generator, weights: npt.ArrayLike, n: int) -> I64:
    """``n`` draws of indices into ``weights`` (not necessarily normalised)."""
    w = np.asarray(weights, dtype=np.float64)
    c = np.cumsum(w)
    if n == 0:
        return np.zeros(0, np.int64)
    idx = np.searchsorted(c, rng.random(n) * c[-1], side="right")
    out: I64 = np.minimum(idx, len(w) - 1).astype(np.int64)
    return out


def categorical_rows(rng: np.random.Generator, weights: F64) -> I64:
    """One draw per row of a 2-d ``weights`` array (rows need not be normalised)."""
    c = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * c[:, -1]
    idx = (c <= u[:, None]).sum(axis=1)
    out: I64 = np.minimum(idx, weights.shape[1] - 1).astype(np.int64)
    return out


def bernoulli(rng: np.random.Generator, p: npt.ArrayLike, n: int) -> B:
    """``n`` independent coin flips with probability ``p`` (a scalar or one per flip)."""
    return rng.random(n) < np.asarray(p, dtype=np.float64)


def exponential_days(rng: np.random.Generator, mean: float, n: int) -> I64:
    """Whole days, exponentially distributed with ``mean`` (floored)."""
    return np.floor(-mean * np.log1p(-rng.random(n))).astype(np.int64)
