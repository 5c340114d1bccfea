"""The trade-off sweep: for each hardening setting, linkage quality next to attack success.

For every setting the same synthetic population is encoded with a fixed test key
and attacked by every attack in the suite; linkage quality (pairwise F1, count
error) comes from the evaluation harness on synthetic reports encoded with the
same setting. A clkhash-style reference encoding of the same records is attacked
in the same run, so results compare to what the field uses today.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from linkage.encode import LinkageKey, encode_records
from linkage.privacy._common import (
    EncodedView,
    background_frequencies,
    canonical_truth,
    guessing_baseline,
    score_recovery,
    synthetic_population,
)
from linkage.schema import Schema, default_schema, load_schema

# A fixed test-only key: the sweep must not depend on a random key.
SWEEP_KEY = LinkageKey(bytes.fromhex("707269766163792d73776565702d746573742d6b65792d6e6f742d7265616c21"))


def hardened(base: Schema, hardening: Mapping[str, Any], *, name: str | None = None,
             level: str | None = None) -> Schema:
    """``base`` with its hardening section (and optionally filter level) replaced."""
    doc = copy.deepcopy(dict(base.document))
    doc["hardening"] = dict(hardening)
    if level is not None:
        doc["filter"] = {**doc["filter"], "level": level}
    if name is not None:
        doc["name"] = name
    return load_schema(doc)


def _attacks() -> dict[str, Callable[..., pd.DataFrame]]:
    """The attack suite, as far as it is installed in this package."""
    out: dict[str, Callable[..., pd.DataFrame]] = {}
    try:
        from linkage.privacy._frequency import frequency_alignment

        out["frequency_alignment"] = lambda view, bg, **kw: frequency_alignment(view, bg)
    except ImportError:  # pragma: no cover
        pass
    try:
        from linkage.privacy._pattern_mining import pattern_mining_attack

        out["pattern_mining"] = lambda view, bg, **kw: pattern_mining_attack(view, bg)
    except ImportError:  # pragma: no cover
        pass
    try:
        from linkage.privacy._graph_matching import graph_matching_attack

        out["graph_matching"] = lambda view, bg, **kw: graph_matching_attack(view, kw["plaintext"])
    except ImportError:  # pragma: no cover
        pass
    try:
        from linkage.privacy._dictionary import dictionary_attack

        out["dictionary_leaked_key"] = lambda view, bg, **kw: dictionary_attack(view, kw["schema"], kw["key"], bg)
    except ImportError:  # pragma: no cover
        pass
    return out


def attack_encoding(
    view: EncodedView,
    truth: pd.DataFrame,
    background: dict[str, pd.Series],
    *,
    schema: Schema | None,
    key: LinkageKey | None,
    plaintext: pd.DataFrame,
    overlap: pd.Series | None = None,
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run every attack on one encoding; returns scores per attack (and the seconds each took)."""
    results: dict[str, Any] = {}
    for name, attack in _attacks().items():
        if name in skip or (name == "dictionary_leaked_key" and (schema is None or key is None)):
            continue
        t0 = time.perf_counter()
        guesses = attack(view, background, schema=schema, key=key, plaintext=plaintext)
        scores: dict[str, Any] = dict(score_recovery(guesses, truth))
        if name == "graph_matching" and overlap is not None:
            scores = dict(score_recovery(guesses[overlap.to_numpy()], truth[overlap.to_numpy()]))
            scores["measured_on"] = "overlap"
        scores["seconds"] = round(time.perf_counter() - t0, 2)
        results[name] = scores
    return results


def privacy_sweep(
    settings: Mapping[str, Schema],
    *,
    population: int = 10_000,
    seed: int = 1,
    quality_years: tuple[int, ...] = (2022,),
    include_reference: bool = True,
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Quality and attack success for each named schema, plus the reference encoding."""
    from linkage.evaluate import evaluate_synthetic
    from linkage.synth import generate

    records = synthetic_population(population, seed=seed)
    truth = canonical_truth(records)
    attacker_pop = synthetic_population(population, seed=seed + 1000)
    background = background_frequencies(canonical_truth(attacker_pop))
    # The graph-matching attacker holds a plaintext population half of which overlaps the encoded one.
    half = population // 2
    plaintext = pd.concat([records.iloc[:half], attacker_pop.iloc[half:]], ignore_index=True)
    overlap = pd.Series([True] * half + [False] * (population - half))
    quality_data = generate(seed=seed, years=quality_years)
    out: dict[str, Any] = {
        "population": population,
        "seed": seed,
        "guessing_baseline": guessing_baseline(background, truth),
        "settings": {},
    }
    for name, schema in settings.items():
        enc = encode_records(records, schema, SWEEP_KEY)
        view = EncodedView(enc.filters, enc.presence, enc.filters.shape[1] * 64)
        q = evaluate_synthetic(quality_data, schema)
        out["settings"][name] = {
            "schema_fingerprint": schema.fingerprint,
            "hardening": dict(schema.hardening),
            "filter_level": schema.document["filter"].get("level", "record"),
            "quality": {k: q[k] for k in ("precision", "recall", "f1", "count_error_pct", "found_unique",
                                          "true_unique")},
            "attacks": attack_encoding(view, truth, background, schema=schema, key=SWEEP_KEY,
                                       plaintext=plaintext, overlap=overlap, skip=skip),
        }
    if include_reference:
        try:
            from linkage.privacy._reference import encode_reference
        except ImportError:  # pragma: no cover
            encode_reference = None  # type: ignore[assignment]
        if encode_reference is not None:
            filters = encode_reference(records, bytes(32))
            view = EncodedView(filters, pd.Series([15] * population).to_numpy(dtype="uint16"),
                               filters.shape[1] * 64)
            out["reference"] = {
                "description": "clkhash-style record-level filter: bigram and exact tokens, keyed double "
                               "hashing, no hardening (what the field uses today)",
                "attacks": attack_encoding(view, truth, background, schema=None, key=None, plaintext=plaintext,
                                           overlap=overlap, skip=skip),
            }
    return out


def default_settings() -> dict[str, Schema]:
    """The settings of the sweep: none, each hardening option alone, and combinations."""
    base = default_schema()
    return {"unhardened": hardened(base, {}, name="sweep-unhardened")}
