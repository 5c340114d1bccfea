"""Privacy: attacks on encoded records and re-identification risk (never imported by the pipeline)."""

from linkage.privacy._common import (
    QI_COLUMNS,
    AttackResult,
    EncodedView,
    background_frequencies,
    canonical_truth,
    guessing_baseline,
    score_recovery,
    synthetic_population,
)

__all__ = [
    "QI_COLUMNS",
    "AttackResult",
    "EncodedView",
    "background_frequencies",
    "canonical_truth",
    "synthetic_population",
    "guessing_baseline",
    "score_recovery",
]
