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
never enters: :func:`build_count_model` takes none and accepts none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.errors import LinkageError, MismatchError
from linkage.schema import Schema

__all__ = ["CountModel", "build_count_model", "default_count_model", "load_count_model", "stratum_keys"]

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
        p = Path(path)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), separators=(",", ":")), encoding="utf-8")
        tmp.replace(p)


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


def _true_pair_strata(truth: npt.NDArray[Any], presence: npt.NDArray[np.int64]) -> dict[int, int]:
    _, inv, cnt = np.unique(truth, return_inverse=True, return_counts=True)
    order = np.argsort(inv, kind="stable")
    starts = np.concatenate([[0], np.cumsum(cnt)])
    out: dict[int, int] = {}
    for g in np.flatnonzero(cnt > 1).tolist():
        idx = order[starts[g] : starts[g + 1]]
        a, b = np.triu_indices(len(idx), 1)
        keys, c = np.unique(stratum_keys(presence[idx[a]], presence[idx[b]]), return_counts=True)
        for k, n in zip(keys.tolist(), c.tolist(), strict=True):
            out[k] = out.get(k, 0) + n
    return out


def _simulate(
    schema: Schema, year: int, seed: int, profiles: Mapping[str, Any] | None, key_label: str
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[Any]]:
    """One simulated year: filters, presence masks and true person ids, under a throwaway key."""
    from linkage.encode import LinkageKey, encode_records
    from linkage.normalise import normalise_records
    from linkage.synth import generate, reporter_tables

    data = generate(seed=seed, years=(year,), profiles=profiles)
    # A throwaway key derived from the label (so a model rebuilds identically); scores
    # depend on how inputs relate, not on which key encoded them.
    key = LinkageKey(hashlib.sha256(key_label.encode()).digest())
    filters, presence, truth = [], [], []
    for rep, table in sorted(reporter_tables(data).items()):
        rows = data.reports[data.reports["reporter"] == rep]
        enc = encode_records(normalise_records(table, schema), schema, key)
        filters.append(enc.filters)
        presence.append(enc.presence.astype(np.int64))
        truth.append(rows["person_id"].astype(str).to_numpy())
    del key
    return np.ascontiguousarray(np.concatenate(filters)), np.concatenate(presence), np.concatenate(truth)


def build_count_model(
    schema: Schema,
    *,
    years: Iterable[int] = (2022,),
    replicates: int = 40,
    seed: int = 10_000,
    calibration: int = 20,
    profiles: Mapping[str, Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> CountModel:
    """Simulate ``replicates`` synthetic submission rounds per year and learn the score model.

    Each replicate is one year's reports from every reporter (:func:`linkage.synth.generate`
    with seed ``seed + i``; keep ``seed`` away from the seeds of data you evaluate on),
    normalised and encoded under a throwaway key derived from the replicate, which
    is discarded afterwards. Takes about 0.2 s per replicate-year on one core.

    Then ``calibration`` further simulated years per year (seeds from
    ``seed + 100,000``) are counted with the model; the root mean square of
    their errors in units of the bootstrap's standard error becomes
    ``interval_inflation`` (at least 1). The bootstrap misses some of the spread
    between data sets (how duplicates cluster into pairs and triples varies
    more than the replicates' resampling shows); this puts it back, as measured
    under the model.
    """
    from linkage.compare import dice_upper_triangle

    years = tuple(int(y) for y in years)
    if replicates < 1 or not years:
        raise LinkageError("a count model needs at least one replicate and one year")
    u_counts: dict[int, npt.NDArray[np.int64]] = {}
    m_counts: dict[int, npt.NDArray[np.int64]] = {}
    n_non: dict[int, int] = {}
    n_match: dict[int, int] = {}
    reductions: list[int] = []
    reports: list[int] = []
    pattern_records: dict[int, int] = {}
    per_rep_u: dict[int, dict[int, npt.NDArray[np.int64]]] = {}
    per_rep_n: dict[int, dict[int, int]] = {}
    per_rep_m: dict[int, dict[int, int]] = {}
    pairs: list[int] = []
    total = replicates * len(years)
    done = 0
    for year in years:
        for r in range(replicates):
            f, p, t = _simulate(schema, year, seed + r, profiles, f"linkage-count-model/{seed}/{year}/{r}")
            li, ri, sc = dice_upper_triangle(f, FLOOR)
            st = stratum_keys(p[li], p[ri])
            bins = score_bins(sc)
            same = t[li] == t[ri]
            rep_n = pair_totals(p)
            for k, c in _true_pair_strata(t, p).items():
                n_match[k] = n_match.get(k, 0) + c
                rep_n[k] -= c
                per_rep_m.setdefault(k, {})[done] = c
            for k, c in rep_n.items():
                n_non[k] = n_non.get(k, 0) + c
                per_rep_n.setdefault(k, {})[done] = c
            for k in np.unique(st).tolist():
                sel = st == k
                hist = np.bincount(bins[sel & ~same], minlength=NBINS)
                u_counts[k] = u_counts.get(k, np.zeros(NBINS, np.int64)) + hist
                per_rep_u.setdefault(k, {})[done] = hist
                m_counts[k] = m_counts.get(k, np.zeros(NBINS, np.int64)) + np.bincount(
                    bins[sel & same], minlength=NBINS
                )
            _, cnt = np.unique(t, return_counts=True)
            reductions.append(int(len(t) - len(cnt)))
            reports.append(len(t))
            pats, pc = np.unique(p, return_counts=True)
            for k, c in zip(pats.tolist(), pc.tolist(), strict=True):
                pattern_records[k] = pattern_records.get(k, 0) + c
            pairs.append(int((cnt * (cnt - 1) // 2).sum()))
            done += 1
            if progress is not None:
                progress("count model", done, total)
    zero = np.zeros(NBINS, np.int64)
    keys = set(n_non) | set(n_match)
    strata = {
        k: (u_counts.get(k, zero.copy()), m_counts.get(k, zero.copy()), n_non.get(k, 0), n_match.get(k, 0))
        for k in sorted(keys)
    }
    # Chance pairs cluster (a common tuple shared by k persons makes k(k-1)/2 pairs), so
    # their counts vary more between data sets than Poisson; the estimator measures that
    # spread on the replicates of the strata it can identify.
    replicate_u = {
        k: (np.array([per_rep_u.get(k, {}).get(r, zero) for r in range(total)], dtype=np.int64),
            np.array([per_rep_n.get(k, {}).get(r, 0) for r in range(total)], dtype=np.int64))
        for k in sorted(keys) if n_match.get(k, 0) >= MIN_SIM_TRUE_PAIRS
    }
    replicate_match = {
        k: np.array([v.get(r, 0) for r in range(total)], dtype=np.int64) for k, v in sorted(per_rep_m.items())
    }
    model = CountModel(
        schema_fingerprint=schema.fingerprint,
        years=years,
        replicates=replicates,
        seed=seed,
        strata=strata,
        reductions=tuple(reductions),
        true_pairs=tuple(pairs),
        reports=tuple(reports),
        pattern_records=pattern_records,
        replicate_u=replicate_u,
        replicate_match=replicate_match,
    )
    if calibration > 0:
        model = dataclasses.replace(model, interval_inflation=_calibrate(model, schema, calibration, profiles))
    return model


def _calibrate(model: CountModel, schema: Schema, sets: int, profiles: Mapping[str, Any] | None) -> float:
    """RMS of held-out errors over the bootstrap standard error (at least 1)."""
    from linkage.estimate._estimate import _bootstrap

    z = []
    for year in model.years:
        for i in range(sets):
            cal_seed = model.seed + 100_000 + i
            f, p, t = _simulate(schema, year, cal_seed, profiles, f"linkage-count-model/calibration/{year}/{i}")
            point, sims = _bootstrap(f, p, model, draws=200, seed=i)
            sd = float(np.std(sims))
            if sd > 0:
                z.append((point - len(set(t.tolist()))) / sd)
    return round(max(1.0, float(np.sqrt(np.mean(np.square(z))))) if z else 1.0, 3)


# Shipped models: rebuilt exactly by build_count_model(schema, years=(2022,), replicates=40, seed=10_000).
BUNDLED = {"comensha-default": "comensha-default-2022.json",
           "comensha-default-unhardened": "comensha-default-unhardened-2022.json"}


def default_count_model(schema: Schema) -> CountModel:
    """The count model shipped for the built-in profile (and its unhardened comparison profile).

    Built for 2022 with 40 replicates from seed 10,000. Raises
    :class:`~linkage.errors.MismatchError` for any other schema: build a model for
    it with :func:`build_count_model` (or ``linkage count-model``).
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
