"""The count model: how chance pairs and true pairs score, per presence class, learnt by simulation.

A registry cannot see quasi-identifiers, so it cannot count chance collisions
(two persons sharing initials, birth year and nationality) directly. What it
can do without the key is simulate: generate synthetic reports calibrated to the
domain brief (:mod:`linkage.synth`), encode them under the same schema with a
*throwaway* key derived from the replicate number and discarded (Dice scores of keyed Bloom filters do
not depend on which key was used, only on how the inputs relate), and record,
for every pair of presence patterns (which fields each record has),

- ``u``: the share of pairs of different persons in each score bin, and
- ``m``: the share of pairs of the same person in each score bin,

plus how many reports fewer there are than persons per true pair (``rho``: 1
when every duplicate is a pair, 2/3 for a triple). The registry's linkage key
never enters: :func:`linkage.simulate.build_count_model` takes none and accepts none.

This module is the model as data (JSON in, JSON out, the bundled models); the
simulator that builds one lives in :mod:`linkage.simulate`, which the registry
path never imports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.errors import LinkageError, MismatchError
from linkage.files import atomic_write_bytes
from linkage.schema import Schema

__all__ = [
    "FLOOR",
    "MIN_SIM_TRUE_PAIRS",
    "NBINS",
    "STEP",
    "CountModel",
    "default_count_model",
    "load_count_model",
    "pair_totals",
    "score_bins",
    "stratum_keys",
]

FORMAT = "linkage-count-model/2"
FLOOR = 0.3
STEP = 0.02
NBINS = int(round((1.0 - FLOOR) / STEP)) + 1
MIN_SIM_TRUE_PAIRS = 20  # fewer simulated true pairs in a stratum: its region is not trusted


def score_bins(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Bin index of each score (bins of width STEP from FLOOR; 1.0 falls in the last bin)."""
    b = np.floor((np.asarray(scores, dtype=np.float64) - FLOOR) / STEP + 1e-9).astype(np.int64)
    return np.clip(b, 0, NBINS - 1)


def stratum_keys(pa: npt.NDArray[np.integer], pb: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """One integer per unordered pair of presence masks."""
    a = np.asarray(pa, dtype=np.int64)
    b = np.asarray(pb, dtype=np.int64)
    return np.minimum(a, b) * 65536 + np.maximum(a, b)


def pair_totals(presence: npt.NDArray[np.integer]) -> dict[int, int]:
    """Number of record pairs per presence stratum (all pairs, not only candidates)."""
    pats, cnt = np.unique(np.asarray(presence, dtype=np.int64), return_counts=True)
    out: dict[int, int] = {}
    for i, a in enumerate(pats.tolist()):
        out[a * 65536 + a] = int(cnt[i] * (cnt[i] - 1) // 2)
        for j in range(i + 1, len(pats)):
            out[a * 65536 + int(pats[j])] = int(cnt[i] * cnt[j])
    return {k: v for k, v in out.items() if v}


@dataclass(frozen=True, eq=False)
class CountModel:
    """Simulated score distributions per presence stratum (see module docstring).

    ``strata`` maps a stratum key to ``(u_counts, m_counts, n_nonmatch, n_match)``:
    score-bin counts of chance pairs and true pairs above ``FLOOR`` and the total
    numbers of such pairs (all scores). ``reductions``, ``true_pairs`` and ``reports``
    hold, per simulated replicate, reports minus persons, the number of true pairs and
    the number of reports; ``pattern_records`` the number of simulated records per
    presence mask (all replicates), to scale modelled strata to the data's size.
    """

    schema_fingerprint: str
    years: tuple[int, ...]
    replicates: int
    seed: int
    strata: Mapping[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int, int]] = field(repr=False)
    reductions: tuple[int, ...] = field(repr=False)
    true_pairs: tuple[int, ...] = field(repr=False)
    reports: tuple[int, ...] = field(repr=False)
    pattern_records: Mapping[int, int] = field(repr=False)
    replicate_u: Mapping[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = field(repr=False)
    replicate_match: Mapping[int, npt.NDArray[np.int64]] = field(repr=False)
    interval_inflation: float = 1.0

    @property
    def rho(self) -> float:
        """Reports fewer than persons, per true pair, over all replicates."""
        pairs = sum(self.true_pairs)
        return sum(self.reductions) / pairs if pairs else 1.0

    def check(self, schema: Schema) -> None:
        if schema.fingerprint != self.schema_fingerprint:
            raise MismatchError(
                "the count model was built for another schema (fingerprints differ); rebuild it with this schema"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "schema_fingerprint": self.schema_fingerprint,
            "years": list(self.years),
            "replicates": self.replicates,
            "seed": self.seed,
            "floor": FLOOR,
            "step": STEP,
            "reductions": list(self.reductions),
            "true_pairs": list(self.true_pairs),
            "reports": list(self.reports),
            "pattern_records": {str(k): v for k, v in sorted(self.pattern_records.items())},
            "replicate_u": {
                str(k): {"u": u.tolist(), "n": n.tolist()} for k, (u, n) in sorted(self.replicate_u.items())
            },
            "replicate_match": {str(k): v.tolist() for k, v in sorted(self.replicate_match.items())},
            "interval_inflation": self.interval_inflation,
            "strata": {
                str(k): {"u": u.tolist(), "m": m.tolist(), "n_nonmatch": nu, "n_match": nm}
                for k, (u, m, nu, nm) in sorted(self.strata.items())
            },
        }

    def save(self, path: str | Path) -> None:
        """Write the model as JSON, atomically, mode 0600 (replaces an earlier model, never a key file)."""
        data = json.dumps(self.to_dict(), separators=(",", ":")).encode("utf-8")
        atomic_write_bytes(Path(path), [data], overwrite=True)


def load_count_model(source: str | Path | Mapping[str, Any]) -> CountModel:
    """A count model from a JSON file written by :meth:`CountModel.save` (or its dict)."""
    if isinstance(source, Mapping):
        d: Any = source
    else:
        try:
            d = json.loads(Path(source).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LinkageError(f"count model file {Path(source).name!r} does not exist") from None
        except (OSError, ValueError) as exc:
            raise LinkageError(f"cannot read count model file {Path(source).name!r} ({type(exc).__name__})") from None
    try:
        if d.get("format") != FORMAT or d.get("floor") != FLOOR or d.get("step") != STEP:
            raise LinkageError(f"not a {FORMAT} file, or built with other score bins")
        strata = {}
        for k, v in d["strata"].items():
            u = np.asarray(v["u"], dtype=np.int64)
            m = np.asarray(v["m"], dtype=np.int64)
            if u.shape != (NBINS,) or m.shape != (NBINS,):
                raise LinkageError("count model has score histograms of the wrong length")
            strata[int(k)] = (u, m, int(v["n_nonmatch"]), int(v["n_match"]))
        return CountModel(
            schema_fingerprint=str(d["schema_fingerprint"]),
            years=tuple(int(y) for y in d["years"]),
            replicates=int(d["replicates"]),
            seed=int(d["seed"]),
            strata=strata,
            reductions=tuple(int(x) for x in d["reductions"]),
            true_pairs=tuple(int(x) for x in d["true_pairs"]),
            reports=tuple(int(x) for x in d["reports"]),
            pattern_records={int(k): int(v) for k, v in d["pattern_records"].items()},
            replicate_u={int(k): (np.asarray(v["u"], dtype=np.int64).reshape(-1, NBINS),
                                  np.asarray(v["n"], dtype=np.int64)) for k, v in d["replicate_u"].items()},
            replicate_match={int(k): np.asarray(v, dtype=np.int64) for k, v in d["replicate_match"].items()},
            interval_inflation=float(d["interval_inflation"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LinkageError(f"count model is malformed ({type(exc).__name__})") from None


# Shipped models: rebuilt exactly by build_count_model(schema, years=(2022,), replicates=40, seed=10_000).
BUNDLED = {"comensha-default": "comensha-default-2022.json",
           "comensha-default-unhardened": "comensha-default-unhardened-2022.json"}


def default_count_model(schema: Schema) -> CountModel:
    """The count model shipped for the built-in profile (and its unhardened comparison profile).

    Built for 2022 with 40 replicates from seed 10,000. Raises
    :class:`~linkage.errors.MismatchError` for any other schema: build a model for
    it with :func:`linkage.simulate.build_count_model` (or ``linkage count-model``).
    """
    name = BUNDLED.get(schema.name)
    if name is not None:
        text = resources.files("linkage.estimate").joinpath("models", name).read_text("utf-8")
        model = load_count_model(json.loads(text))
        if model.schema_fingerprint == schema.fingerprint:
            return model
    raise MismatchError(
        "this schema classifies pairs with a count model (thresholds method 'posterior') and no bundled "
        "model fits it; build one with 'linkage count-model' and pass it (--count-model)"
    )
