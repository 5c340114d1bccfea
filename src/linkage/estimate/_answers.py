"""Reporters' answers calibrate the count: a validation sample of pairs and a model-assisted estimator.

A registry resolves doubt by asking the reporters whether two reports are one
person. Asked about a *sample chosen by design*, their answers measure how far
the count model is off on this data, whatever the reason.

**The sample** (:func:`validation_sample`). The frame is every compared pair at
or above the evidence floor (where true pairs can be told apart at all). The
pairs are put in bands by their match probability ``p_i`` under the fitted
model; a sample of ``size`` pairs is drawn without replacement within bands,
allocated in proportion to ``N_h * sqrt(pbar_h (1 - pbar_h) + 0.01)`` (Neyman
allocation with a floor, so near-certain bands are still checked), at least
two per non-empty band. Seeded: the same data and seed give the same sample,
whatever order the pairs arrive in (each pair's priority is a hash of its two
records and the seed; a band's sample is its pairs of lowest priority), so a
run that streams its pairs gathers the frame in a :class:`ValidationFrame`
holding only the counts and, per band, as many pairs as the sample can take.

**The estimator** (:func:`calibrate_with_answers`). With ``y_i`` the answer
(1 same, 0 different; "unknown" answers are left out and the band's weight
spread over the answered ones), the true pairs in the frame are estimated by
the difference estimator

    T = sum_frame p_i + sum_h N_h / n_h * sum_{i in s_h} (y_i - p_i)

(design-unbiased whatever the model; the model only makes the residuals small)
with variance ``sum_h N_h^2 (1 - n_h/N_h) var_h / n_h``, ``var_h`` the residuals'
variance in the band, at least the model's ``pbar_h (1 - pbar_h)`` (a few answers
that happen to agree must not claim certainty). The model's true
pairs ``M`` (every stratum, including the pairs scoring below the frame) are
corrected by replacing the model's frame share with ``T``:
``M' = M - sum_frame p_i + T``, and persons = reports - rho * M'. (Scaling
the whole of ``M`` by ``T / sum_frame p_i`` instead, a ratio estimator, was
worse on the development scenarios: the model overstates the frame's true
pairs because chance pairs there score higher than simulated, not because it
overstates true pairs everywhere.) The interval adds the answers' sampling
variance of ``T`` to the model's remaining uncertainty for the true pairs
below the frame. Answers also fix the answered pairs'
decisions (:func:`linkage.pipeline.dedup_records`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.errors import LinkageError
from linkage.estimate._estimate import CountEstimate

__all__ = ["ANSWERS", "ValidationFrame", "ValidationSample", "calibrate_with_answers", "validation_sample"]

ANSWERS = ("same", "different", "unknown")
BANDS = (0.0, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98, 1.0000001)


@dataclass(frozen=True)
class ValidationSample:
    """A stratified sample of compared pairs to ask reporters about, with what the estimator needs.

    ``left``/``right`` index records (``left < right``), ``band`` is each sampled
    pair's probability band; ``band_sizes`` and ``band_prob_sums`` describe the
    whole frame (pairs per band, sum of their match probabilities);
    ``prob`` is each sampled pair's probability.
    """

    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    prob: npt.NDArray[np.float64] = field(repr=False)
    band: npt.NDArray[np.int64] = field(repr=False)
    band_sizes: tuple[int, ...]
    band_prob_sums: tuple[float, ...]
    seed: int

    def __len__(self) -> int:
        return len(self.left)

    @property
    def frame_prob_sum(self) -> float:
        return float(sum(self.band_prob_sums))


def _priority(left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.float64]:
    """A uniform number per pair from (left, right, seed) alone (splitmix64), so the sample does not
    depend on the order or chunking in which pairs arrive."""
    with np.errstate(over="ignore"):
        x = (left.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ right.astype(np.uint64)
        x = x + np.uint64((seed * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return np.asarray((x >> np.uint64(11)).astype(np.float64) / float(1 << 53), dtype=np.float64)


def _band(prob: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    b = np.searchsorted(np.asarray(BANDS), prob, side="right") - 1
    return np.asarray(np.clip(b, 0, len(BANDS) - 2), dtype=np.int64)


class ValidationFrame:
    """The sampling frame gathered chunk by chunk: band sizes and probability sums of every pair, and
    per band the ``capacity`` pairs of lowest priority (enough for any sample up to that size)."""

    def __init__(self, capacity: int, seed: int = 0) -> None:
        self.capacity = int(capacity)
        self.seed = int(seed)
        nb = len(BANDS) - 1
        self.sizes = np.zeros(nb, dtype=np.int64)
        self.sums = np.zeros(nb, dtype=np.float64)
        self._keep: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64],
                               npt.NDArray[np.float64]]] = [
            (np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)) for _ in range(nb)]

    def add(self, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], prob: npt.NDArray[np.float64]) -> None:
        li = np.asarray(left, dtype=np.int64)
        ri = np.asarray(right, dtype=np.int64)
        p = np.clip(np.asarray(prob, dtype=np.float64), 0.0, 1.0)
        band = _band(p)
        nb = len(BANDS) - 1
        self.sizes += np.bincount(band, minlength=nb)
        self.sums += np.bincount(band, weights=p, minlength=nb)
        if self.capacity <= 0 or not len(p):
            return
        pri = _priority(li, ri, self.seed)
        for h in np.unique(band).tolist():
            sel = band == h
            u0, l0, r0, p0 = self._keep[h]
            u = np.concatenate([u0, pri[sel]])
            ll = np.concatenate([l0, li[sel]])
            rr = np.concatenate([r0, ri[sel]])
            pp = np.concatenate([p0, p[sel]])
            if len(u) > self.capacity:
                top = np.argpartition(u, self.capacity - 1)[: self.capacity]
                u, ll, rr, pp = u[top], ll[top], rr[top], pp[top]
            self._keep[h] = (u, ll, rr, pp)

    def sample(self, size: int) -> ValidationSample:
        """Draw ``size`` pairs (at most the frame, at most the capacity), stratified by band (module docstring)."""
        if size < 0:
            raise LinkageError("the validation sample size must be 0 or more")
        sizes = self.sizes
        nb = len(sizes)
        take = np.zeros(nb, dtype=np.int64)
        size = int(min(size, int(sizes.sum()), self.capacity))
        if size > 0:
            pbar = np.divide(self.sums, sizes, out=np.zeros(nb), where=sizes > 0)
            weight = sizes * np.sqrt(pbar * (1.0 - pbar) + 0.01)
            take = np.minimum(np.minimum(sizes, 2), size // max(int(np.count_nonzero(sizes)), 1))
            rest = size - int(take.sum())
            while rest > 0:
                room = sizes - take
                w = np.where(room > 0, weight, 0.0)
                if w.sum() <= 0:
                    break
                want = np.floor(rest * w / w.sum()).astype(np.int64)
                if want.sum() == 0:
                    want[int(np.argmax(w))] = 1
                take += np.minimum(want, room)
                rest = size - int(take.sum())
        parts_l, parts_r, parts_p, parts_b = [], [], [], []
        for h in range(nb):
            if take[h]:
                u, ll, rr, pp = self._keep[h]
                first = np.argsort(u, kind="stable")[: int(take[h])]
                order = first[np.lexsort((rr[first], ll[first]))]
                parts_l.append(ll[order])
                parts_r.append(rr[order])
                parts_p.append(pp[order])
                parts_b.append(np.full(len(order), h, dtype=np.int64))
        return ValidationSample(_cat(parts_l, np.int64), _cat(parts_r, np.int64), _cat(parts_p, np.float64),
                                _cat(parts_b, np.int64), tuple(int(x) for x in sizes),
                                tuple(float(x) for x in self.sums), self.seed)


def _cat(parts: list[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def validation_sample(
    left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], prob: npt.NDArray[np.float64], size: int,
    *, seed: int = 0,
) -> ValidationSample:
    """Draw ``size`` pairs from the frame (``left``, ``right``, match probability ``prob``), stratified by band."""
    if size < 0:
        raise LinkageError("the validation sample size must be 0 or more")
    frame = ValidationFrame(size, seed)
    frame.add(left, right, prob)
    return frame.sample(size)


def calibrate_with_answers(
    estimate: CountEstimate, sample: ValidationSample, answers: Mapping[tuple[int, int], str],
) -> CountEstimate:
    """The estimate corrected by the answers to the validation sample (see the module docstring).

    ``estimate`` is a :class:`~linkage.estimate.CountEstimate` from the same run;
    ``answers`` maps a record pair ``(left, right)`` (``left < right``) to
    ``same``, ``different`` or ``unknown``; pairs outside the sample are ignored
    here (they still fix decisions). Returns a new ``CountEstimate`` whose
    ``answers`` field says what was used; with no usable answer the estimate
    comes back unchanged apart from that field.
    """
    nb = len(sample.band_sizes)
    y = np.full(len(sample), np.nan)
    for i, (a, b) in enumerate(zip(sample.left.tolist(), sample.right.tolist(), strict=True)):
        v = answers.get((min(a, b), max(a, b)))
        if v is None:
            continue
        if v not in ANSWERS:
            raise LinkageError(f"an answer must be one of {', '.join(ANSWERS)}")
        if v != "unknown":
            y[i] = 1.0 if v == "same" else 0.0
    used = ~np.isnan(y)
    info: dict[str, Any] = {"sample": len(sample), "answered": int(used.sum()),
                            "same": int(np.nansum(y)), "different": int(used.sum() - np.nansum(y)),
                            "seed": sample.seed}
    frame_p = sample.frame_prob_sum
    if not used.any() or frame_p <= 0:
        return dataclasses.replace(estimate, answers={**info, "applied": False})
    correction = 0.0
    variance = 0.0
    for h in range(nb):
        sel = used & (sample.band == h)
        n_h = int(sel.sum())
        big_n = sample.band_sizes[h]
        if n_h == 0 or big_n == 0:
            continue
        r = y[sel] - sample.prob[sel]
        correction += big_n * float(r.mean())
        # a few answers can all agree by chance (variance 0): never below the model's own Bernoulli variance
        pbar = sample.band_prob_sums[h] / big_n
        var_h = max(float(r.var(ddof=1)) if n_h > 1 else 0.25, pbar * (1.0 - pbar))
        variance += big_n**2 * (1.0 - n_h / big_n) * var_h / n_h
    frame_true = max(frame_p + correction, 0.0)
    model_pairs = float(estimate.true_pairs_identified + estimate.true_pairs_modelled)
    # the answers replace the model's true pairs in the frame; the model still speaks for those below it
    corrected = max(model_pairs - frame_p, 0.0) + frame_true
    rho = float(estimate.rho)
    reports = int(estimate.reports)
    persons = reports - rho * corrected
    # The model's remaining uncertainty: its own interval, for the share of true pairs outside the frame.
    lo, hi = estimate.interval
    z = _z(float(estimate.level))
    sd_model = max(hi - lo, 0.0) / (2.0 * z)
    outside = min(max(1.0 - frame_p / model_pairs, 0.0), 1.0) if model_pairs > 0 else 1.0
    sd = float(np.sqrt((rho**2) * variance + sd_model**2 * outside))
    bounds = estimate.bounds if estimate.bounds is not None else (float(min(reports, 1)), float(reports))
    persons = float(np.clip(persons, *bounds))
    new_lo = float(np.clip(persons - z * sd, bounds[0], persons))
    new_hi = float(np.clip(persons + z * sd, persons, bounds[1]))
    scale = corrected / model_pairs if model_pairs > 0 else 1.0
    info.update({"applied": True, "frame_true_pairs": round(frame_true, 1),
                 "frame_true_pairs_sd": round(float(np.sqrt(variance)), 2), "frame_model_pairs": round(frame_p, 1),
                 "estimate_before": estimate.estimate, "interval_before": list(estimate.interval),
                 "method": "difference estimator over probability bands for the true pairs the answers can "
                           "check; the model's for those below the evidence floor"})
    return dataclasses.replace(
        estimate, estimate=round(persons, 1), interval=(round(new_lo, 1), round(new_hi, 1)), answers=info,
        true_pairs_identified=round(estimate.true_pairs_identified * scale, 1),
        true_pairs_modelled=round(estimate.true_pairs_modelled * scale, 1),
    )


def _z(level: float) -> float:
    from statistics import NormalDist

    return float(NormalDist().inv_cdf(0.5 + level / 2.0))
