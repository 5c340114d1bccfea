"""Privacy: attacks on encoded records and re-identification risk.

Never imported by the pipeline. The attacker is an honest-but-curious registry
with public background knowledge; see :mod:`linkage.privacy._report` for the
threat model in plain words.
"""

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
from linkage.privacy._dictionary import dictionary_attack, reference_dictionary_attack
from linkage.privacy._frequency import frequency_alignment
from linkage.privacy._graph_matching import (
    GraphMatch,
    graph_matching_attack,
    guesses_from_match,
    match_graphs,
    overlapping_plaintext,
    reference_token_fields,
)
from linkage.privacy._mining import MinedPatterns, mine_bit_patterns
from linkage.privacy._page import privacy_html
from linkage.privacy._pattern_mining import pattern_mining_attack
from linkage.privacy._profile_graph import (
    OLD_DEFAULT_HARDENING,
    AttackerGraph,
    ProfileMatch,
    attacker_graph,
    heldout_population,
    overlap_curve,
    profile_attack_report,
    profile_graph_attack,
    profile_graph_match,
    spectral_bands,
    worst_curve,
)
from linkage.privacy._reference import encode_reference, reference_view
from linkage.privacy._sweep import default_settings, hardened, privacy_sweep

__all__ = [
    "QI_COLUMNS",
    "OLD_DEFAULT_HARDENING",
    "AttackResult",
    "AttackerGraph",
    "ProfileMatch",
    "attacker_graph",
    "heldout_population",
    "overlap_curve",
    "profile_attack_report",
    "profile_graph_attack",
    "profile_graph_match",
    "spectral_bands",
    "worst_curve",
    "EncodedView",
    "GraphMatch",
    "MinedPatterns",
    "background_frequencies",
    "canonical_truth",
    "default_settings",
    "dictionary_attack",
    "encode_reference",
    "frequency_alignment",
    "graph_matching_attack",
    "guesses_from_match",
    "guessing_baseline",
    "overlapping_plaintext",
    "hardened",
    "match_graphs",
    "mine_bit_patterns",
    "pattern_mining_attack",
    "privacy_html",
    "privacy_sweep",
    "reference_dictionary_attack",
    "reference_token_fields",
    "reference_view",
    "score_recovery",
    "synthetic_population",
]
