"""Evaluate: linkage quality against ground truth (synthetic data, FEBRL)."""

from linkage.evaluate._metrics import (
    all_metrics,
    bcubed_metrics,
    count_error,
    pairwise_from_pairs,
    pairwise_metrics,
)

__all__ = ["all_metrics", "bcubed_metrics", "count_error", "pairwise_from_pairs", "pairwise_metrics"]
