"""What the count needs from the compared pairs, gathered chunk by chunk (bounded memory).

The estimate and the match probabilities read three things from the pairs at or
above the evidence floor: per presence stratum, the (weighted) number of pairs
in each score bin; how many of them fall in strata the model lacks; and the
number of persons if every such pair were one person (a lower bound). All three
add up over chunks, so a run that streams its pairs never holds them all:
:class:`PairEvidence` gathers them, and :func:`linkage.estimate.estimate_unique_persons`
and :func:`linkage.estimate.match_probabilities` take it as ``evidence=``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.cluster import UnionFind
from linkage.estimate._count_model import NBINS, CountModel, score_bins, stratum_keys
from linkage.estimate._regions import evidence_floor
from linkage.records import ScoredPairs

__all__ = ["PairEvidence"]


class PairEvidence:
    """Counts of the pairs at or above a count model's evidence floor, over every chunk ``add``-ed.

    ``weights`` (per pair, a blocking's inverse inclusion probabilities) make
    the counts what all pairs would show (Horvitz-Thompson).
    """

    def __init__(self, presence: npt.NDArray[np.integer], model: CountModel) -> None:
        self.presence = np.asarray(presence, dtype=np.int64)
        self.model = model
        self.floor = evidence_floor(model)
        self.histograms: dict[int, npt.NDArray[np.float64]] = {}
        self.unmodelled_high = 0
        self._known = np.fromiter(model.strata.keys(), dtype=np.int64, count=len(model.strata))
        self._uf = UnionFind(len(self.presence))
        top = int(self.presence.max()) + 1 if len(self.presence) else 1
        self._dense = top if top <= 64 else 0  # presence patterns small enough for a dense (pair, bin) table
        if self._dense:
            known = np.zeros(top * top, bool)
            for k in self._known.tolist():
                a, b = divmod(int(k), 65536)
                if a < top and b < top:
                    known[a * top + b] = True
            self._known_dense = known
        self.cache: dict[Any, Any] = {}  # what match_probabilities derived from these counts (reset by add)

    def add(self, pairs: ScoredPairs, weights: npt.NDArray[np.float64] | None = None) -> None:
        keep = np.asarray(pairs.score, dtype=np.float64) >= self.floor
        if not keep.any():
            return
        self.cache.clear()
        li, ri, sc = pairs.left[keep], pairs.right[keep], pairs.score[keep]
        pa, pb = self.presence[li], self.presence[ri]
        bins = score_bins(sc)
        w = None if weights is None else np.asarray(weights, dtype=np.float64)[keep]
        size = self._dense
        if size:
            # few presence patterns: one bincount over (pattern pair, bin) cells, in pair order
            lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
            cell = (lo * size + hi) * NBINS + bins
            counts = np.bincount(cell, weights=w, minlength=size * size * NBINS).reshape(size * size, NBINS)
            for c in np.flatnonzero(counts.any(axis=1)).tolist():
                k = int(c // size) * 65536 + int(c % size)
                cur = self.histograms.get(k)
                self.histograms[k] = counts[c].astype(np.float64) if cur is None else cur + counts[c]
            st_known = self._known_dense[lo * size + hi]
            self.unmodelled_high += int(np.count_nonzero(~st_known))
        else:
            st = stratum_keys(pa, pb)
            order = np.argsort(st, kind="stable")
            keys, starts = np.unique(st[order], return_index=True)
            ends = np.append(starts[1:], len(order))
            for k, a, b in zip(keys.tolist(), starts.tolist(), ends.tolist(), strict=True):
                sel = order[a:b]
                h = np.bincount(bins[sel], weights=None if w is None else w[sel], minlength=NBINS).astype(np.float64)
                cur = self.histograms.get(int(k))
                self.histograms[int(k)] = h if cur is None else cur + h
            self.unmodelled_high += int(np.count_nonzero(~np.isin(st, self._known)))
        self._uf.add(li, ri)

    def observed(self, regions: Mapping[int, npt.NDArray[np.bool_]]) -> dict[int, float]:
        """(Weighted) pairs in each stratum's high-evidence region."""
        return {k: float(self.histograms[k][hi].sum()) for k, hi in regions.items() if k in self.histograms}

    def components(self) -> int:
        """Persons if every pair at or above the floor were one person."""
        return self._uf.components()
