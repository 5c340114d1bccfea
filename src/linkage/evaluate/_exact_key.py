"""Plaintext exact-key baseline: two initials + birth year + nationality equal => same person.

The simplest rule a registry could apply to the raw quasi-identifiers, and the
bar the encoded linkage must clear (issue: per-pair decisions at least as good
as plaintext). It works on the *normalised* records
(:func:`linkage.normalise.normalise_records`), so it sees exactly the values
the encoder sees:

* initials: both letters must be known (a record with one initial or none is
  left on its own);
* birth year: the upper end of the normalised interval (a date or a year give
  one year; an age at the report date gives ``report year - age``, what a
  person computing it by hand would write);
* nationality: the ISO code (stateless ``XXA`` is a value; unknown is missing).

Sex is not part of the key. Records lacking any key part stay single.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["exact_key_labels"]


def exact_key_labels(
    normalised: pd.DataFrame | Sequence[pd.DataFrame],
    *,
    initials: str = "initials",
    birth_year: str = "birth_year",
    nationality: str = "nationality",
) -> npt.NDArray[np.int64]:
    """A cluster label per record (records of several tables are stacked in order).

    Records with the same complete key share a label; every other record has
    a label of its own.
    """
    frames = [normalised] if isinstance(normalised, pd.DataFrame) else list(normalised)
    keys: list[str | None] = []
    for df in frames:
        for ini, by, nat in zip(df[initials].tolist(), df[birth_year].tolist(), df[nationality].tolist(),
                                strict=True):
            if not isinstance(ini, str) or len(ini) != 2 or by is None or not isinstance(nat, str):
                keys.append(None)
            else:
                keys.append(f"{ini}|{int(by[1])}|{nat}")
    n = len(keys)
    labels = np.empty(n, np.int64)
    seen: dict[str, int] = {}
    nxt = 0
    for i, k in enumerate(keys):
        if k is None:
            labels[i] = nxt
            nxt += 1
        else:
            if k not in seen:
                seen[k] = nxt
                nxt += 1
            labels[i] = seen[k]
    return labels
