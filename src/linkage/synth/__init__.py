"""tmp"""
from linkage.synth._generate import SynthData, generate, reporter_tables, true_clusters, true_pairs, truth_unique_persons
from linkage.synth._reporters import SynthError, default_profiles, profile_table
__all__ = ["SynthData", "generate", "reporter_tables", "true_clusters", "true_pairs", "truth_unique_persons", "SynthError", "default_profiles", "profile_table"]
