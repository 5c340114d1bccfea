"""The profile graph attack: the attacker encodes its own register and aligns the two similarity graphs.

Written after an outside review (issue 17) showed that an attacker who uses the
library's public encoder under keys of its own beats the calibrated
graph-matching attack of :mod:`linkage.privacy._graph_matching` by far. The
attacker is the honest-but-curious registry. It holds

- the victim's filters and presence masks, as submissions expose them;
- a plaintext *register*: canonical records of persons some of whom (the
  overlap) are among the encoded ones;
- the public schema and the public encoder, which it runs under keys it makes
  up itself. It never holds the victim's key.

Why that works: salting, folding and BLIP change *which* bits a token sets, not
*how many* two records share. Encoding the register with the same schema under
another key gives a similarity graph whose pair scores follow the victim's
scale and block structure (salt bands included); averaging it over several
attacker keys removes the collisions of any one key. The steps:

1. **Graphs.** The victim graph is the all-pairs Dice of the victim filters.
   The attacker graph is the all-pairs Dice of the register's filters,
   averaged over ``attacker_keys`` keys.
2. **Profile features.** Per node, from its row of the graph: its ``top_k``
   highest scores in order, its degree at several thresholds (quantiles of the
   victim's scores, the same thresholds on both sides: the scales agree), the
   row's mean and spread, and the size of its group of identical filters.
3. **Assignment.** A minimum-cost one-to-one assignment (Hungarian) between
   victim and register nodes on those features, within each presence mask
   (presence travels in the clear).
4. **Seed and extend, to convergence.** Matches that are mutual nearest
   neighbours with the clearest margin become anchors; every node's new
   feature vector is its similarity to the anchors (victim Dice to the victim
   anchors, attacker Dice to their register partners); nodes are assigned
   again. Right anchors agree with each other and wrong ones do not, so each
   round fixes more. It stops when the assignment no longer changes (or after
   ``max_rounds``).

Each encoded record gets the values of its register partner as guesses;
success counts on the overlap only (others cannot be re-identified from the
register). :func:`spectral_bands` adds the register-free part: spectral
clustering of the victim's Dice graph names each record's salt band (its
birth decade) when the salt splits the graph into blocks.

Cost: quadratic memory (two ``n x n`` float32 graphs: 650 MB at 9,000
records) and a few seconds per round at that size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.encode import LinkageKey, encode_records
from linkage.privacy._common import QI_COLUMNS, EncodedView
from linkage.schema import Schema

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

OLD_DEFAULT_HARDENING: dict[str, Any] = {"salt": {"field": "birth_year", "band": 10}, "fold": True,
                                         "blip_epsilon": 80}
"""The default profile's hardening before issue 17 (salt per 10-year band, XOR fold, BLIP epsilon 80)."""

_DEGREE_QUANTILES = (0.9, 0.97, 0.99, 0.997, 0.999)
_ROW_BLOCK = 2048


def _scipy() -> Any:
    try:
        import scipy.cluster.vq
        import scipy.optimize
        import scipy.sparse
        import scipy.sparse.linalg
    except ImportError as exc:  # pragma: no cover - scipy comes with the test and baseline extras
        raise ImportError("the profile graph attack needs SciPy: pip install scipy") from exc
    return scipy


# --------------------------------------------------------------------------- graphs


def dice_matrix(filters: npt.NDArray[np.uint64]) -> F32:
    """All-pairs Dice of packed filters as a dense ``(n, n)`` float32 matrix (diagonal 1, empty pairs 0).

    Counts come from a float32 matrix product of the unpacked bits (exact: a
    filter has at most 65,536 bits).
    """
    n, words = filters.shape
    as_bytes = np.ascontiguousarray(filters.astype("<u8", copy=False)).view(np.uint8).reshape(n, words * 8)
    bits = np.unpackbits(as_bytes, axis=1, bitorder="little").astype(np.float32)
    pc = bits.sum(axis=1)
    out = np.empty((n, n), dtype=np.float32)
    for s in range(0, n, _ROW_BLOCK):
        e = min(n, s + _ROW_BLOCK)
        inter = bits[s:e] @ bits.T
        tot = pc[s:e, None] + pc[None, :]
        np.divide(2.0 * inter, tot, out=out[s:e], where=tot > 0)
        out[s:e][tot == 0] = 0.0
    np.fill_diagonal(out, 1.0)
    return out


def identical_group_sizes(filters: npt.NDArray[np.uint64], presence: npt.NDArray[np.integer[Any]]) -> I64:
    """Per record, how many records (itself included) have exactly its filter and presence mask."""
    both = np.concatenate([filters, np.asarray(presence, dtype=np.uint64)[:, None]], axis=1)
    _, inv, counts = np.unique(both, axis=0, return_inverse=True, return_counts=True)
    return np.asarray(counts[np.asarray(inv).ravel()], dtype=np.int64)


def attacker_keys(count: int, seed: int = 0) -> list[LinkageKey]:
    """``count`` keys the attacker makes up (derived from ``seed``; never the victim's)."""
    return [LinkageKey(hashlib.sha256(f"attacker-key/{seed}/{i}".encode()).digest()) for i in range(count)]


@dataclass(frozen=True)
class AttackerGraph:
    """The attacker's own similarity graph of its register, averaged over its keys."""

    similarity: F32
    identical: F64  # mean identical-filter group size over the keys
    presence: npt.NDArray[np.int64]
    keys: int


def attacker_graph(register: pd.DataFrame, schema: Schema, *, keys: int = 16, seed: int = 0) -> AttackerGraph:
    """Encode ``register`` (canonical records) under ``keys`` attacker keys; average the Dice graphs."""
    if keys < 1:
        raise ValueError("the attacker needs at least one key")
    n = len(register)
    total = np.zeros((n, n), dtype=np.float32)
    identical = np.zeros(n, dtype=np.float64)
    presence = np.zeros(n, dtype=np.int64)
    for key in attacker_keys(keys, seed):
        enc = encode_records(register, schema, key)
        total += dice_matrix(enc.filters)
        identical += identical_group_sizes(enc.filters, enc.presence)
        presence = enc.presence.astype(np.int64)
    total /= np.float32(keys)
    return AttackerGraph(total, identical / keys, presence, keys)


# --------------------------------------------------------------------------- features


def profile_features(sim: F32, identical: F64, thresholds: Sequence[float], top_k: int) -> F64:
    """Per node: top-k scores (sorted), degree shares at ``thresholds``, row mean and spread, identical group."""
    n = len(sim)
    k = max(1, min(top_k, n - 1))
    cols: list[F64] = []
    top = np.empty((n, k), dtype=np.float64)
    deg = np.empty((n, len(thresholds)), dtype=np.float64)
    mean = np.empty(n, dtype=np.float64)
    spread = np.empty(n, dtype=np.float64)
    for s in range(0, n, _ROW_BLOCK):
        e = min(n, s + _ROW_BLOCK)
        block = sim[s:e].astype(np.float64)
        block[np.arange(e - s), np.arange(s, e)] = -np.inf  # leave the node itself out
        part = -np.partition(-block, k - 1, axis=1)[:, :k]
        top[s:e] = -np.sort(-part, axis=1)
        finite = np.where(np.isfinite(block), block, 0.0)
        for t, thr in enumerate(thresholds):
            deg[s:e, t] = (block >= thr).sum(axis=1) / max(n - 1, 1)
        mean[s:e] = finite.sum(axis=1) / max(n - 1, 1)
        spread[s:e] = np.sqrt(np.maximum((finite**2).sum(axis=1) / max(n - 1, 1) - mean[s:e] ** 2, 0.0))
    cols.extend([top, np.sqrt(deg), mean[:, None], spread[:, None], np.log(identical)[:, None]])
    return np.concatenate(cols, axis=1)


def _thresholds(sim: F32, rng: np.random.Generator) -> list[float]:
    n = len(sim)
    a = rng.integers(0, n, size=200_000)
    b = rng.integers(0, n, size=200_000)
    keep = a != b
    sample = sim[a[keep], b[keep]].astype(np.float64)
    return [float(np.quantile(sample, q)) for q in _DEGREE_QUANTILES]


# --------------------------------------------------------------------------- assignment


def _sq_distances(xe: npt.NDArray[np.floating[Any]], xr: npt.NDArray[np.floating[Any]]) -> F32:
    """Squared Euclidean distances, in float32 (the matrix product dominates the attack's time)."""
    a = np.asarray(xe, dtype=np.float32)
    b = np.asarray(xr, dtype=np.float32)
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - np.float32(2.0) * (a @ b.T)
    return np.asarray(np.maximum(d, np.float32(0.0)), dtype=np.float32)


@dataclass
class _Assignment:
    partner: I64  # register row per victim row (-1: none)
    mutual: Bools  # the pair are each other's nearest neighbours
    margin: F64  # second-nearest minus nearest distance of the victim row (larger: surer)


def _assign(
    xe: npt.NDArray[np.floating[Any]], xr: npt.NDArray[np.floating[Any]], group_e: I64, group_r: I64,
    hungarian: bool,
) -> _Assignment:
    """One-to-one assignment within presence groups (Hungarian), with nearest-neighbour confidence."""
    scipy = _scipy()
    ne = len(xe)
    partner = np.full(ne, -1, dtype=np.int64)
    mutual = np.zeros(ne, dtype=bool)
    margin = np.zeros(ne, dtype=np.float64)
    for g in np.unique(group_e):
        ei = np.flatnonzero(group_e == g)
        rj = np.flatnonzero(group_r == g)
        if len(rj) == 0:
            continue
        d = _sq_distances(xe[ei], xr[rj])
        if hungarian:
            r_ind, c_ind = scipy.optimize.linear_sum_assignment(d)
            partner[ei[r_ind]] = rj[c_ind]
        else:
            partner[ei] = rj[np.argmin(d, axis=1)]
        row_best = np.argmin(d, axis=1)
        col_best = np.argmin(d, axis=0)
        mutual[ei] = (col_best[row_best] == np.arange(len(ei))) & (rj[row_best] == partner[ei])
        if d.shape[1] > 1:
            two = np.partition(d, 1, axis=1)[:, :2]
            margin[ei] = np.sqrt(two[:, 1]) - np.sqrt(two[:, 0])
    return _Assignment(partner, mutual, margin)


@dataclass(frozen=True)
class ProfileMatch:
    """The attacker's alignment: ``register_row[i]`` is the register row matched to victim record ``i``."""

    register_row: I64
    mutual: Bools
    rounds: list[dict[str, Any]]
    converged: bool
    details: dict[str, Any] = field(default_factory=dict)


def profile_graph_match(
    view: EncodedView,
    register: pd.DataFrame,
    schema: Schema,
    *,
    graph: AttackerGraph | None = None,
    victim_graph: F32 | None = None,
    keys: int = 16,
    top_k: int = 16,
    anchors: int = 1000,
    max_rounds: int = 60,
    use_presence: bool = True,
    hungarian_rounds: bool = False,
    schedules: Sequence[tuple[int, float]] = ((1_000_000, 1.0), (50, 1.25)),
    seed: int = 0,
) -> ProfileMatch:
    """Align the victim's Dice graph with the attacker's own-key graph of ``register`` (module docstring).

    ``graph`` (from :func:`attacker_graph`) and ``victim_graph`` (from
    :func:`dice_matrix`) may be passed to reuse them across runs. ``anchors``
    caps the anchors per round; ``use_presence=False`` ignores presence masks
    (to measure what they give away). ``schedules`` are the anchor schedules
    tried from the same start, each ``(first anchors, growth per round)``: all
    confident matches at once, and a slow start from the 50 most confident
    growing by a quarter a round (better when the register overlaps little).
    The attacker keeps the one that ends with the most mutual matches (it never
    sees the truth).
    """
    rng = np.random.default_rng(seed)
    g = attacker_graph(register, schema, keys=keys, seed=seed) if graph is None else graph
    sv = dice_matrix(view.filters) if victim_graph is None else victim_graph
    sr = g.similarity
    ne, nr = len(sv), len(sr)
    if ne < 2 or nr < 2:
        return ProfileMatch(np.full(ne, -1, np.int64), np.zeros(ne, bool), [], True,
                            {"reason": "fewer than two records on a side"})
    pe = np.asarray(view.presence, dtype=np.int64)
    group_e = pe if use_presence else np.zeros(ne, np.int64)
    group_r = g.presence if use_presence else np.zeros(nr, np.int64)

    thresholds = _thresholds(sv, rng)
    ident_e = identical_group_sizes(view.filters, view.presence).astype(np.float64)
    fe = profile_features(sv, ident_e, thresholds, top_k)
    fr = profile_features(sr, g.identical, thresholds, top_k)
    mu, sd = fe.mean(axis=0), fe.std(axis=0)
    sd = np.where(sd > 1e-12, sd, 1.0)
    fe, fr = (fe - mu) / sd, (fr - mu) / sd
    start = _assign(fe, fr, group_e, group_r, hungarian=True)
    cap = max(2, min(anchors, ne, nr))
    best: tuple[int, _Assignment, list[dict[str, Any]], bool, str] | None = None
    for first, grow in schedules:
        label = f"first {first}, growth {grow:g}"
        current, history, converged = _seed_and_extend(
            start, sv, sr, group_e, group_r, cap=cap, first=min(cap, first), growth=grow,
            max_rounds=max_rounds, hungarian_rounds=hungarian_rounds)
        history = [{"round": 0, "features": "profile", "anchors": 0, "mutual": int(start.mutual.sum())},
                   *history]
        for h in history:
            h["schedule"] = label
        score = int(current.mutual.sum())
        if best is None or score > best[0]:
            best = (score, current, history, converged, label)
    assert best is not None
    _, current, history, converged, label = best
    return ProfileMatch(current.partner, current.mutual, history, converged,
                        {"attacker_keys": g.keys, "top_k": top_k, "thresholds": thresholds,
                         "presence_groups": bool(use_presence), "schedule": label})


def _seed_and_extend(
    start: _Assignment, sv: F32, sr: F32, group_e: I64, group_r: I64, *, cap: int, first: int, growth: float,
    max_rounds: int, hungarian_rounds: bool,
) -> tuple[_Assignment, list[dict[str, Any]], bool]:
    """Rounds of anchors -> features -> assignment until nothing changes; a last one-to-one assignment."""
    current = start
    history: list[dict[str, Any]] = []
    converged = False
    n_anchor = first
    previous: I64 | None = None
    for rnd in range(1, max_rounds + 1):
        cand = np.flatnonzero(current.mutual & (current.partner >= 0))
        if len(cand) < 2:
            break
        av = cand[np.argsort(-current.margin[cand], kind="stable")][:n_anchor]
        ar = current.partner[av]
        nxt = _assign(sv[:, av], sr[:, ar], group_e, group_r,
                      hungarian=hungarian_rounds)
        changed = int((nxt.partner != current.partner).sum())
        history.append({"round": rnd, "features": "anchors", "anchors": len(av),
                        "mutual": int(nxt.mutual.sum()), "changed": changed})
        current = nxt
        grown = min(cap, int(np.ceil(n_anchor * growth)))
        if changed == 0 and grown == n_anchor and previous is not None and np.array_equal(previous, av):
            converged = True
            break
        previous = av
        n_anchor = grown
    if not hungarian_rounds and history:
        # the converged anchors, once more with a one-to-one assignment
        cand = np.flatnonzero(current.mutual & (current.partner >= 0))
        if len(cand) >= 2:
            av = cand[np.argsort(-current.margin[cand], kind="stable")][:n_anchor]
            current = _assign(sv[:, av], sr[:, current.partner[av]], group_e, group_r, hungarian=True)
            history.append({"round": len(history) + 1, "features": "anchors, one-to-one", "anchors": len(av),
                            "mutual": int(current.mutual.sum())})
    return current, history, converged


def guesses_from_register(match: ProfileMatch, register: pd.DataFrame) -> pd.DataFrame:
    """Guesses (:data:`~linkage.privacy.QI_COLUMNS`, birth year as an int) from the matched register rows."""
    rows = match.register_row
    out: dict[str, pd.Series] = {}
    for c in QI_COLUMNS:
        values = register[c].to_numpy(dtype=object)
        col = [None if j < 0 else values[j] for j in rows.tolist()]
        if c == "birth_year":
            col = [None if v is None else int(v[1]) if isinstance(v, tuple) else int(v) for v in col]
        out[c] = pd.Series(col, index=pd.RangeIndex(len(rows)), dtype=object)
    return pd.DataFrame(out)


def profile_graph_attack(
    view: EncodedView, register: pd.DataFrame, schema: Schema, **kwargs: Any
) -> pd.DataFrame:
    """Guess every encoded record's quasi-identifiers from its register partner (:func:`profile_graph_match`)."""
    return guesses_from_register(profile_graph_match(view, register, schema, **kwargs), register)


# --------------------------------------------------------------------------- band recovery


def year_band(value: Any, band: int) -> int | None:
    """The salt band of a canonical birth year (interval: its first year), as the encoder computes it."""
    if value is None:
        return None
    lo = int(value[0]) if isinstance(value, tuple) else int(value)
    return lo // band


def spectral_bands(
    view: EncodedView,
    background_bands: pd.Series,
    *,
    victim_graph: F32 | None = None,
    neighbours: int = 30,
    seed: int = 0,
) -> npt.NDArray[np.object_]:
    """Name each record's birth-year band from the victim's Dice graph alone (no register).

    Spectral clustering: a symmetric ``neighbours``-nearest-neighbour graph
    weighted by Dice, the leading eigenvectors of its normalised adjacency (as
    many as the largest gap between eigenvalues says the graph has blocks), and
    k-means into that many clusters. ``background_bands`` is band -> public
    share. Clusters are named by matching their sizes to the bands' shares
    (a minimum-cost assignment). Returns one band (or ``None``) per record.
    """
    scipy = _scipy()
    sv = dice_matrix(view.filters) if victim_graph is None else victim_graph
    n = len(sv)
    bands = [int(b) for b in background_bands.index]
    k = len(bands)
    out = np.full(n, None, dtype=object)
    if n < max(3, k + 1) or k < 2:
        if k >= 1:
            out[:] = bands[int(np.argmax(background_bands.to_numpy()))]
        return out
    m = max(1, min(neighbours, n - 1))
    rows = np.repeat(np.arange(n), m)
    cols = np.empty(n * m, dtype=np.int64)
    vals = np.empty(n * m, dtype=np.float64)
    for s in range(0, n, _ROW_BLOCK):
        e = min(n, s + _ROW_BLOCK)
        block = sv[s:e].astype(np.float64)
        block[np.arange(e - s), np.arange(s, e)] = -np.inf
        idx = np.argpartition(-block, m - 1, axis=1)[:, :m]
        cols[s * m : e * m] = idx.ravel()
        vals[s * m : e * m] = np.maximum(block[np.arange(e - s)[:, None], idx], 1e-6).ravel()
    w = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    w = w.maximum(w.T)
    deg = np.asarray(w.sum(axis=1)).ravel()
    dinv = scipy.sparse.diags(1.0 / np.sqrt(np.maximum(deg, 1e-12)))
    norm = dinv @ w @ dinv
    v0 = np.random.default_rng(seed).random(n)
    k_max = min(n - 2, k + 6)
    vals_, vecs = scipy.sparse.linalg.eigsh(norm, k=k_max, which="LA", v0=v0)
    order = np.argsort(-vals_)
    vals_, vecs = vals_[order], vecs[:, order]
    # as many clusters as the graph has blocks: the largest gap between leading eigenvalues
    gaps = vals_[1 : k_max] - vals_[: k_max - 1]
    blocks = int(np.argmin(gaps[: max(1, k_max - 1)])) + 1
    blocks = max(2, blocks)
    emb = vecs[:, :blocks]
    emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    _, labels = scipy.cluster.vq.kmeans2(emb, blocks, minit="++", seed=seed)
    sizes = np.bincount(labels, minlength=blocks).astype(np.float64)
    shares = background_bands.to_numpy(dtype=np.float64) * n
    cost = np.abs(sizes[:, None] - shares[None, :])
    r_ind, c_ind = scipy.optimize.linear_sum_assignment(cost)
    name = dict(zip(r_ind.tolist(), [bands[c] for c in c_ind.tolist()], strict=True))
    for c in range(blocks):  # more blocks than bands: the band nearest in size
        name.setdefault(c, bands[int(np.argmin(cost[c]))])
    out[:] = [name.get(int(lab)) for lab in labels]
    return out


__all__ = [
    "OLD_DEFAULT_HARDENING",
    "AttackerGraph",
    "ProfileMatch",
    "attacker_graph",
    "attacker_keys",
    "dice_matrix",
    "guesses_from_register",
    "heldout_population",
    "identical_group_sizes",
    "overlap_curve",
    "profile_features",
    "VICTIM_KEYS",
    "profile_attack_report",
    "profile_graph_attack",
    "profile_graph_match",
    "spectral_bands",
    "worst_curve",
    "year_band",
]


# --------------------------------------------------------------------------- populations and curves


def heldout_population(seed: int = 801, *, schema: Schema | None = None) -> pd.DataFrame:
    """Persons of the held-out generator (:mod:`linkage.evaluate.heldout`, family ``decade``), one report each.

    Another name culture mix and frequency law than :mod:`linkage.synth`. Each
    person's first report, normalised as a reporter would (so birth years may be
    intervals and fields may be missing); columns ``initials``, ``birth_year``,
    ``nationality``, ``sex``. Seed 801 and 802 are the family's development
    seeds (never its frozen held-out ones).
    """
    from linkage.evaluate import heldout
    from linkage.normalise import normalise_records
    from linkage.schema import default_schema

    schema = default_schema() if schema is None else schema
    fam = heldout.FAMILIES["decade"]
    data = heldout.generate(fam.params, seed, family="decade")
    parts = []
    for rep in sorted(data.tables):
        t = data.truth[data.truth["reporter"] == rep].sort_values("row")
        norm = normalise_records(data.tables[rep], schema).reset_index(drop=True)
        norm["_person"] = t["person_id"].to_numpy()
        norm["_year"] = t["year"].to_numpy()
        parts.append(norm)
    everything = pd.concat(parts, ignore_index=True).sort_values(["_year", "_person"], kind="stable")
    first = everything.drop_duplicates("_person").reset_index(drop=True)
    cols = list(QI_COLUMNS)
    return pd.DataFrame({c: pd.Series(first[c].tolist(), dtype=object) for c in cols})


def _register(population: pd.DataFrame, others: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, Bools]:
    from linkage.privacy._graph_matching import overlapping_plaintext

    return overlapping_plaintext(population, others, share=share, seed=seed)


def overlap_curve(
    population: pd.DataFrame,
    others: pd.DataFrame,
    schema: Schema,
    victim_keys: Sequence[LinkageKey],
    *,
    overlaps: Sequence[float] = (1.0, 0.5, 0.2),
    keys: int = 16,
    seed: int = 0,
    max_rounds: int = 60,
) -> dict[str, Any]:
    """The profile graph attack at each register overlap, under each victim key; worst case per overlap.

    ``population`` is encoded under each of ``victim_keys``; the register holds
    ``overlap`` of its persons plus persons of ``others`` (as many records as
    ``population``). Scores are on the overlap, next to the guessing baseline on
    the same records (background: ``others``). Band recovery by spectral
    clustering (no register) is reported per key when the schema salts with a
    year band, else against the 10-year band.
    """
    from linkage.privacy._common import (
        background_frequencies,
        canonical_truth,
        guessing_baseline,
        score_recovery,
    )

    truth = canonical_truth(population)
    background = background_frequencies(canonical_truth(others))
    band = schema.hardening.salt_band if schema.hardening.salt_field == "birth_year" else None
    band = band or 10
    true_band = np.asarray([year_band(v, band) for v in population["birth_year"].tolist()], dtype=object)
    bg_band = pd.Series([year_band(v, band) for v in others["birth_year"].tolist()]).dropna().value_counts(
        normalize=True)
    bg_band = bg_band[bg_band >= 0.01]
    bg_band = bg_band / bg_band.sum()
    top_band = bg_band.index[0]

    victims = []
    for key in victim_keys:
        enc = encode_records(population, schema, key)
        view = EncodedView(enc.filters, enc.presence, enc.filters.shape[1] * 64)
        victims.append((key.key_id, view, dice_matrix(enc.filters)))

    bands_per_key: list[dict[str, Any]] = []
    for kid, view, sv in victims:
        guess = spectral_bands(view, bg_band, victim_graph=sv, seed=seed)
        bands_per_key.append({"key_id": kid, "year_band": float(np.mean(
            [g is not None and g == t for g, t in zip(guess, true_band, strict=True)]))})
    out: dict[str, Any] = {
        "records": len(population),
        "attacker_keys": keys,
        "band_years": band,
        "spectral_bands": {
            "per_key": bands_per_key,
            "worst": max(float(b["year_band"]) for b in bands_per_key),
            "guessing": float(np.mean(true_band == top_band)),
        },
        "overlaps": {},
    }
    for share in overlaps:
        register, mask = _register(population, others, share, seed)
        graph = attacker_graph(register, schema, keys=keys, seed=seed)
        base = guessing_baseline(background, truth[mask])
        base["year_band"] = float(np.mean(true_band[mask] == top_band))
        runs = []
        for kid, view, sv in victims:
            match = profile_graph_match(view, register, schema, graph=graph, victim_graph=sv, seed=seed,
                                        max_rounds=max_rounds)
            guesses = guesses_from_register(match, register)
            scores: dict[str, Any] = dict(score_recovery(guesses[mask], truth[mask]))
            rb = np.asarray([year_band(v, band) for v in register["birth_year"].tolist()], dtype=object)
            gb = rb[np.maximum(match.register_row, 0)]
            gb[match.register_row < 0] = None
            scores["year_band"] = float(np.mean([g is not None and g == t for g, t in
                                                 zip(gb[mask], true_band[mask], strict=True)]))
            scores["rounds"] = len(match.rounds) - 1
            scores["converged"] = match.converged
            scores["key_id"] = kid
            runs.append(scores)
        worst = max(runs, key=lambda r: (r["full_tuple"], r["nationality"]))
        out["overlaps"][f"{share:g}"] = {
            "overlap_records": int(mask.sum()),
            "guessing": base,
            "per_key": runs,
            "worst": {k: worst[k] for k in ("full_tuple", "nationality", "birth_year", "year_band", "key_id")},
        }
    return out


def worst_curve(curves: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per overlap, the worst case (most full tuples, then nationality) over several :func:`overlap_curve` runs.

    Each entry also carries the guessing baseline of the run it came from and
    the largest gain over guessing of nationality and birth year in any run.
    """
    out: dict[str, dict[str, float]] = {}
    for curve in curves:
        for share, r in curve["overlaps"].items():
            w = r["worst"]
            g = r["guessing"]
            cur = out.get(share)
            gain_nat = w["nationality"] - g["nationality"]
            gain_year = w["birth_year"] - g["birth_year"]
            if cur is None or (w["full_tuple"], w["nationality"]) > (cur["full_tuple"], cur["nationality"]):
                cur = {"full_tuple": w["full_tuple"], "nationality": w["nationality"],
                       "birth_year": w["birth_year"], "year_band": w["year_band"],
                       "guessing_full_tuple": g["full_tuple"], "guessing_nationality": g["nationality"],
                       "guessing_birth_year": g["birth_year"],
                       "nationality_gain": cur["nationality_gain"] if cur else gain_nat,
                       "birth_year_gain": cur["birth_year_gain"] if cur else gain_year}
            cur["nationality_gain"] = max(cur["nationality_gain"], gain_nat)
            cur["birth_year_gain"] = max(cur["birth_year_gain"], gain_year)
            out[share] = cur
    return out


#: Test-only victim keys (the privacy sweep's): the attack runs under each, the worst counts.
VICTIM_KEYS = (
    LinkageKey(bytes.fromhex("707269766163792d73776565702d746573742d6b65792d6e6f742d7265616c21")),
    LinkageKey(bytes(range(32))),
)


def profile_attack_report(
    *,
    population: int = 3000,
    attacker_keys: int = 16,
    overlaps: Sequence[float] = (1.0, 0.5, 0.2),
    settings: Sequence[str] = ("old-default", "default"),
    seed: int = 0,
) -> dict[str, Any]:
    """The profile graph attack against the old and the current default profile: overlap curves.

    Two populations of ``population`` persons (``linkage.synth`` seed 1, attacker
    background seed 1001; the held-out generator's ``decade`` family, seeds 801
    and 802), the two :data:`VICTIM_KEYS`, ``attacker_keys`` keys of the
    attacker's own. Per setting: each population's :func:`overlap_curve` and the
    worst case over both (:func:`worst_curve`).
    """
    from linkage.privacy._common import synthetic_population
    from linkage.privacy._sweep import hardened
    from linkage.schema import default_schema

    base = default_schema()
    known = {"old-default": hardened(base, OLD_DEFAULT_HARDENING, name="old-default"), "default": base}
    unknown = [s for s in settings if s not in known]
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}; choose from {', '.join(known)}")
    held, held_others = heldout_population(801), heldout_population(802)
    size_h = min(population, len(held), len(held_others))
    pops = {
        "synth": (synthetic_population(population, seed=1), synthetic_population(population, seed=1001)),
        "heldout": (held.head(size_h).reset_index(drop=True), held_others.head(size_h).reset_index(drop=True)),
    }
    out: dict[str, Any] = {"population": population, "attacker_keys": attacker_keys, "overlaps": list(overlaps),
                           "victim_keys": [k.key_id for k in VICTIM_KEYS], "settings": {}}
    for name in settings:
        schema = known[name]
        entry: dict[str, Any] = {"hardening": dict(schema.document.get("hardening", {})),
                                 "schema_fingerprint": schema.fingerprint, "populations": {}}
        for pop_name, (pop, others) in pops.items():
            entry["populations"][pop_name] = overlap_curve(pop, others, schema, VICTIM_KEYS, overlaps=overlaps,
                                                           keys=attacker_keys, seed=seed)
        entry["worst"] = worst_curve(list(entry["populations"].values()))
        entry["spectral_bands_worst"] = max(p["spectral_bands"]["worst"] for p in entry["populations"].values())
        entry["spectral_bands_guessing"] = max(p["spectral_bands"]["guessing"] for p in entry["populations"].values())
        out["settings"][name] = entry
    return out
