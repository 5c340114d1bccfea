"""Estimate: the true number of unique persons, with an interval, next to the number found.

Clustering finds persons; it also merges some different persons whose
quasi-identifiers collide by chance, and misses links where reporting errors
pushed a true pair's score down. This stage estimates the true count corrected for
both, from what the registry holds (filters and presence masks) and a
:class:`CountModel` learnt by simulation without the linkage key::

    model = default_count_model(schema)      # or load_count_model("model.json")
    est = estimate_unique_persons(records.filters, records.presence, model, found=found)
    est.estimate, est.interval

The same model gives each pair its probability of being one person
(:func:`match_probabilities`), which the built-in profile classifies on
(thresholds method ``posterior``). Building a model for another schema or year
is :func:`linkage.simulate.build_count_model` (``linkage count-model``): the
simulator is kept apart, so that the registry path never loads the synthetic
generator or the encoder.

Reporters' answers to a validation sample of pairs correct the estimate
(:func:`validation_sample`, :func:`calibrate_with_answers`; :mod:`linkage.estimate._answers`).

How it works and what it does not cover: :mod:`linkage.estimate._estimate`.
"""

from linkage.estimate._answers import (
    ANSWERS,
    ValidationFrame,
    ValidationSample,
    calibrate_with_answers,
    validation_sample,
)
from linkage.estimate._count_model import (
    FLOOR,
    MIN_SIM_TRUE_PAIRS,
    NBINS,
    STEP,
    CountModel,
    default_count_model,
    load_count_model,
    pair_totals,
    score_bins,
    stratum_keys,
)
from linkage.estimate._estimate import (
    CountEstimate,
    bootstrap_persons,
    estimate_unique_persons,
    evidence_floor,
    match_probabilities,
)
from linkage.estimate._evidence import PairEvidence
from linkage.estimate._periods import PeriodCount, PeriodCounts, estimate_periods

__all__ = [
    "ANSWERS",
    "PairEvidence",
    "PeriodCount",
    "PeriodCounts",
    "FLOOR",
    "MIN_SIM_TRUE_PAIRS",
    "NBINS",
    "STEP",
    "ValidationFrame",
    "ValidationSample",
    "CountEstimate",
    "CountModel",
    "bootstrap_persons",
    "calibrate_with_answers",
    "default_count_model",
    "estimate_periods",
    "estimate_unique_persons",
    "evidence_floor",
    "load_count_model",
    "match_probabilities",
    "pair_totals",
    "score_bins",
    "stratum_keys",
    "validation_sample",
]
