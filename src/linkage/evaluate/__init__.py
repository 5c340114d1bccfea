"""Evaluate: linkage quality against ground truth (synthetic data, FEBRL), and its report."""

from linkage.evaluate._coverage import count_coverage
from linkage.evaluate._exact_key import exact_key_labels
from linkage.evaluate._febrl import load_febrl, reduce_febrl
from linkage.evaluate._metrics import (
    all_metrics,
    bcubed_metrics,
    count_error,
    pairwise_from_pairs,
    pairwise_metrics,
)
from linkage.evaluate._run import evaluate_febrl, evaluate_synthetic, profile
from linkage.evaluate._suite import quality_html, run_quality

__all__ = [
    "all_metrics",
    "bcubed_metrics",
    "count_coverage",
    "count_error",
    "evaluate_febrl",
    "evaluate_synthetic",
    "exact_key_labels",
    "load_febrl",
    "pairwise_from_pairs",
    "pairwise_metrics",
    "profile",
    "quality_html",
    "reduce_febrl",
    "run_quality",
]
