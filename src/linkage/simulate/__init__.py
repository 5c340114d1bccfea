"""Simulate: learn a count model from synthetic reports, without the registry's key.

The registry cannot see quasi-identifiers, so it learns how chance pairs and
true pairs score by simulation: synthetic years from :mod:`linkage.synth`,
encoded under a *throwaway* key derived from the replicate number and
discarded. The result is a :class:`linkage.estimate.CountModel` (plain data,
saved as JSON) that the registry's dedup uses; this package itself is never
imported on the registry path::

    model = build_count_model(schema, years=(2022,))   # ~10 s
    model.save("model-2022.json")
"""

from linkage.simulate._build import build_count_model

__all__ = ["build_count_model"]
