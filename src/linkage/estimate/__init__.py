"""Estimate: the true number of unique persons, with an interval, next to the number found.

Clustering finds persons; it also merges some different persons whose
quasi-identifiers collide by chance, and misses links where reporting errors
pushed a true pair's score down. This stage estimates the true count corrected for
both, from what the registry holds (filters and presence masks) and a
:class:`CountModel` learnt by simulation without the linkage key::

    model = build_count_model(schema, years=(2022,))       # ~10 s; save() / load_count_model()
    est = estimate_unique_persons(records.filters, records.presence, model, found=found)
    est["estimate"], est["interval"]

The same model gives each pair its probability of being one person
(:func:`match_probabilities`), which the built-in profile classifies on
(thresholds method ``posterior``); :func:`default_count_model` is the model
shipped for that profile.

How it works and what it does not cover: :mod:`linkage.estimate._estimate`.
"""

from linkage.estimate._estimate import estimate_unique_persons, evidence_floor, match_probabilities
from linkage.estimate._model import CountModel, build_count_model, default_count_model, load_count_model

__all__ = [
    "CountModel",
    "build_count_model",
    "default_count_model",
    "estimate_unique_persons",
    "evidence_floor",
    "load_count_model",
    "match_probabilities",
]
