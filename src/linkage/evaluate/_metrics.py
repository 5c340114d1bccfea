"""Linkage quality metrics over clusterings given as labels on the same items.

- pairwise precision / recall / F1: over all pairs of items placed together;
- B-cubed precision / recall / F1 (Bagga & Baldwin 1998): per item, the share
  of its found cluster that is truly its person, and of its true person found
  with it, averaged over items;
- count error: found minus true number of unique persons, in % of the truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def _codes(labels: Sequence[Any] | pd.Series | np.ndarray) -> np.ndarray:
    series = labels if isinstance(labels, pd.Series) else pd.Series(list(labels))
    codes: np.ndarray = pd.factorize(series)[0]
    return codes


def _pairs(counts: np.ndarray) -> int:
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


def pairwise_metrics(found: Sequence[Any] | np.ndarray, truth: Sequence[Any] | np.ndarray) -> dict[str, float]:
    """Pairwise precision, recall and F1 of ``found`` against ``truth``."""
    f, t = _codes(found), _codes(truth)
    if len(f) != len(t):
        raise ValueError("found and truth must label the same items")
    joint = pd.Series(f * (int(t.max()) + 1 if len(t) else 1) + t).value_counts().to_numpy()
    tp = _pairs(joint)
    found_pairs = _pairs(np.bincount(f)) if len(f) else 0
    true_pairs = _pairs(np.bincount(t)) if len(t) else 0
    precision = tp / found_pairs if found_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "true_pairs": true_pairs, "found_pairs": found_pairs, "true_positive_pairs": tp}


def pairwise_from_pairs(found: set[tuple[Any, Any]], truth: set[tuple[Any, Any]]) -> dict[str, float]:
    """Pairwise metrics from explicit sets of (sorted) pairs."""
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "true_pairs": len(truth), "found_pairs": len(found), "true_positive_pairs": tp}


def bcubed_metrics(found: Sequence[Any] | np.ndarray, truth: Sequence[Any] | np.ndarray) -> dict[str, float]:
    """B-cubed precision, recall and F1."""
    f, t = _codes(found), _codes(truth)
    n = len(f)
    if n == 0:
        return {"bcubed_precision": 1.0, "bcubed_recall": 1.0, "bcubed_f1": 1.0}
    df = pd.DataFrame({"f": f, "t": t})
    joint = df.groupby(["f", "t"]).size().rename("ft").reset_index()
    joint["fs"] = joint["f"].map(df.groupby("f").size())
    joint["ts"] = joint["t"].map(df.groupby("t").size())
    # each of the ft items in cell (f, t) has precision ft/fs and recall ft/ts
    p = float((joint["ft"] * joint["ft"] / joint["fs"]).sum() / n)
    r = float((joint["ft"] * joint["ft"] / joint["ts"]).sum() / n)
    return {"bcubed_precision": p, "bcubed_recall": r, "bcubed_f1": 2 * p * r / (p + r) if p + r else 0.0}


def count_error(found_unique: int, true_unique: int) -> float:
    """(found - true) / true, in percent."""
    return 100.0 * (found_unique - true_unique) / true_unique if true_unique else 0.0


def all_metrics(found: Sequence[Any] | np.ndarray, truth: Sequence[Any] | np.ndarray) -> dict[str, float]:
    """Pairwise, B-cubed and count metrics in one dict."""
    out = pairwise_metrics(found, truth)
    out.update(bcubed_metrics(found, truth))
    fu, tu = int(pd.Series(list(found)).nunique()), int(pd.Series(list(truth)).nunique())
    out.update({"found_unique": fu, "true_unique": tu, "count_error_pct": count_error(fu, tu)})
    return out
