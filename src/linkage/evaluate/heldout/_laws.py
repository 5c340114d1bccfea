"""Name-frequency laws: how often each name of a list is given.

* ``power``: the name of rank ``r`` (1 = most common) has weight ``r ** -s``.
  Real given-name and surname frequencies fall roughly like this over the
  common names, with ``s`` near 1 (and higher where a few names dominate).
* ``pitman_yor``: a Pitman-Yor (two-parameter Chinese restaurant) draw over the
  persons of one data set: each new person takes a name already given with
  weight ``n_k - d`` (``n_k`` persons have it), or a fresh draw from the power
  law with weight ``theta + d * K`` (``K`` names given so far). With discount
  ``d`` near 0.5 and a small ``theta`` a few names become very common in one
  data set, the way one community's names cluster in one year's reports.

Where a culture has published shares of its surnames (Vietnamese, Chinese),
those shares are the base weights instead of the power law.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from linkage.evaluate.heldout._rand import I64, categorical


def power_weights(n: int, exponent: float) -> npt.NDArray[np.float64]:
    """Normalised weights ``r ** -exponent`` for ranks 1..n."""
    w: npt.NDArray[np.float64] = np.arange(1, n + 1, dtype=np.float64) ** -float(exponent)
    out: npt.NDArray[np.float64] = w / w.sum()
    return out


def pitman_yor(
    rng: np.random.Generator, n: int, base: npt.NDArray[np.float64], discount: float, concentration: float
) -> I64:
    """``n`` draws of list indices from a Pitman-Yor process with base distribution ``base``.

    Sequential (each draw depends on the ones before), so meant for the few
    thousand persons of one data set rather than a million.
    """
    if not 0.0 <= discount < 1.0 or concentration <= -discount:
        raise ValueError("Pitman-Yor needs 0 <= discount < 1 and concentration > -discount")
    out = np.zeros(n, np.int64)
    fresh = categorical(rng, base, n)  # a base draw for every person, used when a new name is opened
    u = rng.random(n)
    v = rng.random(n)
    table_name: list[int] = []
    table_count: list[float] = []
    for i in range(n):
        k = len(table_name)
        p_new = (concentration + discount * k) / (concentration + i) if i else 1.0
        if u[i] < p_new:
            table_name.append(int(fresh[i]))
            table_count.append(1.0)
            out[i] = fresh[i]
            continue
        w = np.asarray(table_count) - discount
        c = np.cumsum(w)
        j = min(int(np.searchsorted(c, v[i] * c[-1], side="right")), k - 1)
        table_count[j] += 1.0
        out[i] = table_name[j]
    return out
