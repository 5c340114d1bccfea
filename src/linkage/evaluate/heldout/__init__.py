"""Held-out scenarios: CoMensha-like data the count method was not built on.

The bundled count model and the development data come from :mod:`linkage.synth`.
A method tuned there can be right there and wrong elsewhere, so this generator
is written apart from it and never imports it: other name lists and cultures
(:mod:`._names`: West African, Moroccan, Eritrean, Vietnamese, Chinese,
Brazilian and Spanish, Dutch with prefixes, Romanian, Hungarian, Polish,
Bulgarian and Ukrainian in Cyrillic under six romanisation schemes), other
name-frequency laws (:mod:`._laws`: a power law, or a Pitman-Yor draw), its own
reporter mix, volumes and duplicate mechanics (:mod:`._reporting`), its own
error model (:mod:`._render`: keyboard slips that may hit the first letter,
swapped name order, nicknames, second given name first, transliteration
variants, day/month swaps, naive ages, confused nationalities, whole columns
left out), siblings and twins, undocumented persons registered on 1 January
(:mod:`._population`), and FEBRL 1-4 as single files (:mod:`._febrl_single`).

Usage::

    from linkage.evaluate import heldout

    data = heldout.family_dataset("siblings", "15001")     # a frozen held-out data set
    data.tables["police"]                                  # a reporter's raw table
    data.truth                                             # report -> person, year
    heldout.dataset_sha256(data)                           # what scenarios.json freezes
    heldout.generate(heldout.ScenarioParams(error_scale=2), seed=5)
    heldout.generate(params, seed=5, messy=True)           # plus values today's reader refuses

By default every value is one today's normaliser accepts; ``messy=True``
adds the values listed in :data:`MESSY_KINDS` (nationality ``XX``, sex ``O``,
``W`` and ``NB``, ``onbekend`` and Dutch month names as dates, two-digit
years, ``~34`` ages, Windows-1252 files) and changes nothing else.

The families, their parameters and seeds are in :data:`FAMILIES`; the frozen
list with every held-out data set's hash is
``benchmarks/quality/heldout/scenarios.json`` (:func:`load_scenarios`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkage.evaluate.heldout._dataset import (
    TRUTH_COLUMNS,
    HeldoutData,
    canonical_csv,
    dataset_sha256,
    generate,
    write_tables,
)
from linkage.evaluate.heldout._families import (
    FAMILIES,
    Family,
    family_dataset,
    family_from_dict,
)
from linkage.evaluate.heldout._febrl_single import febrl_single
from linkage.evaluate.heldout._measure import (
    encode_dataset,
    measure_dataset,
    run_heldout,
    summarise_family,
)
from linkage.evaluate.heldout._params import ScenarioParams
from linkage.evaluate.heldout._render import INPUT_COLUMNS, MESSY_KINDS, PROFILES
from linkage.evaluate.heldout._reporting import REPORTERS


@dataclass(frozen=True)
class Scenarios:
    """The frozen scenario list: families (as listed) and each held-out data set's SHA-256."""

    version: int
    families: dict[str, Family]
    sha256: dict[tuple[str, str], str]
    raw: dict[str, Any]


def load_scenarios(path: str | os.PathLike[str]) -> Scenarios:
    """Read ``scenarios.json``."""
    raw = json.loads(Path(path).read_text("utf-8"))
    families: dict[str, Family] = {}
    hashes: dict[tuple[str, str], str] = {}
    for item in raw["families"]:
        fam = family_from_dict(item)
        families[fam.name] = fam
        for h in item["heldout"]:
            hashes[(fam.name, str(h["id"]))] = str(h["sha256"])
    return Scenarios(version=int(raw["version"]), families=families, sha256=hashes, raw=raw)


__all__ = [
    "FAMILIES",
    "INPUT_COLUMNS",
    "MESSY_KINDS",
    "PROFILES",
    "REPORTERS",
    "TRUTH_COLUMNS",
    "Family",
    "HeldoutData",
    "ScenarioParams",
    "Scenarios",
    "canonical_csv",
    "dataset_sha256",
    "encode_dataset",
    "family_dataset",
    "family_from_dict",
    "febrl_single",
    "generate",
    "load_scenarios",
    "measure_dataset",
    "run_heldout",
    "summarise_family",
    "write_tables",
]
