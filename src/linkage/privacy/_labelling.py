"""Pattern mining, step 2: which mined pattern is which token, and reading the values back.

See :mod:`linkage.privacy._pattern_mining` for the attack as a whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.errors import LinkageError
from linkage.privacy._common import EncodedView
from linkage.privacy._mining import MinedPatterns
from linkage.schema import FieldSpec, Schema

BoolMatrix = npt.NDArray[np.bool_]
FloatMatrix = npt.NDArray[np.float32]

# Field type -> output column of the guess table (types without a labeller are not labelled).
_OUTPUT_OF_TYPE = {"initials": "initials", "year": "birth_year", "country": "nationality", "sex": "sex"}


# ---------------------------------------------------------------------------
# Labelling: which mined pattern is which token
# ---------------------------------------------------------------------------


@dataclass
class _Pool:
    """Token-like patterns and their relations, shared by the field labellers."""

    rows: BoolMatrix  # (t, n)
    own_size: npt.NDArray[np.int64]
    support: npt.NDArray[np.int64]
    overlap: npt.NDArray[np.float32]  # (t, t) filters in common
    used: npt.NDArray[np.bool_]
    notes: dict[str, Any] = field(default_factory=dict)  # per-field structure the refiners reuse

    @classmethod
    def build(cls, mined: MinedPatterns) -> _Pool:
        idx = np.flatnonzero(mined.token_like)
        rows = mined.rows[idx]
        rf = rows.astype(np.float32)
        return cls(
            rows=rows,
            own_size=mined.own[idx].sum(axis=1).astype(np.int64),
            support=rows.sum(axis=1).astype(np.int64),
            overlap=rf @ rf.T,
            used=np.zeros(len(idx), dtype=bool),
        )

    def inside(self, i: int, j: int) -> bool:
        """Pattern i's filters lie (almost) all inside pattern j's, and j is larger."""
        return bool(self.overlap[i, j] >= 0.98 * self.support[i] and self.support[i] < self.support[j])

    def exclusive(self, i: int, j: int) -> bool:
        return bool(self.overlap[i, j] <= 0.01 * min(self.support[i], self.support[j]))

    def sized(self, k: int, *, double: bool = False) -> list[int]:
        """Unused patterns whose own size may be one token of ``k`` bits (or two, with ``double``).

        Own sizes scatter: columns a token shares with another are lost, and a
        column two neighbouring tokens both have is set in all of the filters
        between them, so the window is wide; matching weighs the distance.
        """
        ok = (self.own_size >= 0.7 * k) & (self.own_size <= 1.3 * k)
        if double:
            ok |= (self.own_size >= 1.6 * k) & (self.own_size <= 2.3 * k)
        ok &= ~self.used
        order = np.lexsort((np.arange(len(ok)), -self.support))
        return [int(i) for i in order if ok[i]]


def _log_gap(observed: float, expected: float) -> float:
    return abs(math.log((observed + 1.0) / (expected + 1.0)))


def _match_family(
    pool: _Pool,
    candidates: Sequence[int],
    expected: Mapping[str, float],
    *,
    k: int | None = None,
    max_ratio: float = 3.0,
    min_count: float = 3.0,
) -> dict[str, int]:
    """Mutually exclusive patterns for tokens of one family, by expected size, then by rank.

    For each token (most frequent first) the unused candidate closest in number
    of filters, within ``max_ratio``, that shares no filters with those already
    chosen; an own size far from ``k`` bits counts against a candidate. The
    chosen patterns are then assigned to the tokens in order of size.
    """
    chosen: dict[str, int] = {}
    for tok, e in sorted(expected.items(), key=lambda kv: (-kv[1], kv[0])):
        if e < min_count:
            continue
        best, best_gap = -1, math.log(max_ratio)
        for i in candidates:
            if i in chosen.values():
                continue
            if not all(pool.exclusive(i, j) for j in chosen.values()):
                continue
            gap = _log_gap(float(pool.support[i]), e)
            if k:
                gap += 5.0 * max(0.0, abs(float(pool.own_size[i]) - k) - 1.0) / k
            if gap < best_gap:
                best, best_gap = i, gap
        if best >= 0:
            chosen[tok] = best
    toks = sorted(chosen, key=lambda t: (-expected[t], t))
    pats = sorted(chosen.values(), key=lambda i: (-int(pool.support[i]), i))
    return dict(zip(toks, pats, strict=True))


@dataclass
class _FieldModel:
    """What the attacker knows about one field: its spec, candidate values with prior, their tokens."""

    spec: FieldSpec
    values: list[Any]  # canonical values (as the tokeniser takes them)
    outputs: list[Any]  # the guess written for each value
    prior: npt.NDArray[np.float64]
    tokens: list[list[str]]
    present: npt.NDArray[np.bool_]
    _expected: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def expected(self, prefix: str) -> dict[str, float]:
        """Expected number of filters with each token that starts with ``prefix``."""
        if prefix not in self._expected:
            n_f = float(self.present.sum())
            out: dict[str, float] = {}
            for p, toks in zip(self.prior, self.tokens, strict=True):
                for t in toks:
                    if t.startswith(prefix):
                        out[t] = out.get(t, 0.0) + float(p) * n_f
            self._expected[prefix] = out
        return dict(self._expected[prefix])


def _label_sex(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    k = fm.spec.bits_per_token
    return _match_family(pool, pool.sized(k), fm.expected("s:"), k=k)


def _label_country(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    k = fm.spec.bits_per_token
    codes = fm.expected("c:")
    labels: dict[str, int] = {}
    if "region" not in fm.spec.tokens:
        return _match_family(pool, pool.sized(k), codes, k=k) if "code" in fm.spec.tokens else {}
    regions = fm.expected("r:")
    region_of: dict[str, str] = {}
    for toks in fm.tokens:
        c = next((t for t in toks if t.startswith("c:")), None)
        r = next((t for t in toks if t.startswith("r:")), None)
        if c is not None and r is not None:
            region_of[c] = r
    # Continents are maximal: no other pattern of their size contains them.
    sized = pool.sized(k, double=True)
    cands = [i for i in sized if not any(pool.inside(i, j) for j in sized)]
    labels.update(_match_family(pool, cands, regions, k=k))
    notes: dict[str, list[int]] = {}
    pool.notes["country"] = notes
    for r, i in list(labels.items()):
        pool.used[i] = True
        members = {c: e for c, e in codes.items() if region_of.get(c) == r}
        if not members:
            continue
        if pool.own_size[i] >= 1.6 * k:  # continent and its only code always together
            top = max(members, key=lambda c: (members[c], c))
            labels[top] = i
            continue
        inner = [j for j in pool.sized(k) if pool.inside(j, i)]
        # codes are maximal inside their continent: a pattern inside another is
        # one code's women, or its people of one age, not a code
        inner = [j for j in inner if not any(pool.inside(j, h) for h in inner if h != j)]
        notes[r] = inner
        found = _match_family(pool, inner, members, k=k, max_ratio=4.0)
        labels.update(found)
        for j in found.values():
            pool.used[j] = True
    return labels


def _year_chain(pool: _Pool, cands: Sequence[int], radius: int) -> dict[int, int]:
    """The longest chain of neighbourhood-like patterns: position -> pattern.

    Patterns ``d`` links apart must share filters for ``d <= 2 * radius`` and
    none beyond; one missing link is bridged.
    """
    cset = list(cands)
    if len(cset) < 3:
        return {}
    sub = np.ix_(cset, cset)
    ov = pool.overlap[sub].astype(np.float64)
    sup = pool.support[cset].astype(np.float64)
    small = np.minimum(sup[:, None], sup[None, :])
    part = (ov > 0.01 * small) & (ov < 0.95 * small)
    excl = ov <= 0.01 * small
    wgt = ov / np.sqrt(np.outer(sup, sup))
    local = {c: i for i, c in enumerate(cset)}
    reach = 2 * radius

    def partial(i: int, j: int) -> bool:
        return bool(part[local[i], local[j]])

    def fits(j: int, pos: int, chain: dict[int, int]) -> bool:
        lj = local[j]
        for d in range(1, reach + 4):
            for p in (pos - d, pos + d):
                e = chain.get(p)
                if e is None:
                    continue
                if d <= reach:
                    if not part[lj, local[e]]:
                        return False
                elif not excl[lj, local[e]]:
                    return False
        return True

    def weight(i: int, j: int) -> float:
        return float(wgt[local[i], local[j]])

    best: dict[int, int] = {}
    starts = [i for i in cset if any(partial(i, j) and weight(i, j) >= 0.3 for j in cset if j != i)][:8]
    for start in starts:
        chain = {0: start}
        for step in (1, -1):
            end = 0
            while True:
                placed = False
                for gap in (1, 2):
                    pos = end + step * gap
                    anchor = chain[end]
                    options = [
                        (weight(anchor, j), -j)
                        for j in cset
                        if j not in chain.values() and weight(anchor, j) >= 0.1 and fits(j, pos, chain)
                    ]
                    if options:
                        _, neg = max(options)
                        chain[pos] = -neg
                        end = pos
                        placed = True
                        break
                if not placed:
                    break
        if len(chain) > len(best):
            best = chain
    return best if len(best) >= 3 else {}


def _label_year(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    k = fm.spec.bits_per_token
    radius = int(fm.spec.normalisation.get("radius", 1))
    labels: dict[str, int] = {}
    cands = pool.sized(k)
    if "neighbourhood" not in fm.spec.tokens:
        return _match_family(pool, cands, fm.expected("x:"), k=k) if "exact" in fm.spec.tokens else {}
    chain = _year_chain(pool, cands, radius)
    if not chain:
        return labels
    # An exact-year token lies inside the 2r + 1 neighbourhood tokens around it:
    # its place in the chain is known before the chain is placed.
    positions = sorted(chain)
    exact_at: dict[int, int] = {}
    if "exact" in fm.spec.tokens:
        for j in pool.sized(k):
            if j in chain.values():
                continue
            holders = sorted(p for p in positions if pool.inside(j, chain[p]))
            if len(holders) == 2 * radius + 1 and holders[-1] - holders[0] == 2 * radius:
                exact_at.setdefault(holders[radius], j)
    # Place and orient the chain: the sizes of neighbourhood tokens follow the
    # (smoothed) background distribution of years, those of exact tokens the
    # distribution itself.
    exp_n = {int(t[2:]): e for t, e in fm.expected("n:").items()}
    exp_x = {int(t[2:]): e for t, e in fm.expected("x:").items()}
    places = [(p, chain[p], exp_n) for p in positions] + [(p, j, exp_x) for p, j in sorted(exact_at.items())]
    observed = np.array([pool.support[j] for _, j, _ in places], dtype=np.float64)
    lo_y, hi_y = min(exp_n), max(exp_n)
    span = positions[-1] - positions[0]
    best: tuple[float, int, int] | None = None
    for direction in (1, -1):
        for y0 in range(lo_y - span - 2, hi_y + span + 3):
            e = np.array([max(ex.get(y0 + direction * (p - positions[0]), 0.0), 0.5) for p, _, ex in places])
            dev = float(np.sum(observed * np.log(observed / e) - (observed - e)))
            if best is None or dev < best[0] - 1e-9:
                best = (dev, direction, y0)
    assert best is not None
    _, direction, y0 = best
    year_at = {p: y0 + direction * (p - positions[0]) for p in positions}
    for p in positions:
        labels[f"n:{year_at[p]}"] = chain[p]
        pool.used[chain[p]] = True
    for p, j in exact_at.items():
        labels[f"x:{year_at[p]}"] = j
        pool.used[j] = True
    return labels


def _label_initials(pool: _Pool, fm: _FieldModel) -> dict[str, int]:
    from linkage.encode.hazmat import LETTER_CLASSES

    k = fm.spec.bits_per_token
    cands = pool.sized(k)
    if len(cands) < 2 or "position" not in fm.spec.tokens:
        return {}
    m = len(cands)
    ov = pool.overlap[np.ix_(cands, cands)].astype(np.float64)
    sup = pool.support[cands].astype(np.float64)
    small = np.minimum(sup[:, None], sup[None, :])
    inside = (ov >= 0.98 * sup[:, None]) & (sup[:, None] < sup[None, :])  # inside[i, j]: i lies in j
    excl = ov <= 0.01 * small
    partial = ~inside & ~inside.T & ~excl
    np.fill_diagonal(partial, False)
    # A pair token lies inside a first-letter and a second-letter token, which overlap.
    inter_like = np.zeros(m, dtype=bool)
    for i in range(m):
        holders = np.flatnonzero(inside[i])
        if len(holders) >= 2 and partial[np.ix_(holders, holders)].any():
            inter_like[i] = True
    # A letter class is the union of the letter tokens inside it.
    union_like = np.zeros(m, dtype=bool)
    for u in range(m):
        subs = [v for v in np.flatnonzero(inside[:, u]) if not inter_like[v] and sup[v] >= 0.03 * sup[u]]
        if not subs:
            continue
        cover = sum(sup[v] for v in subs)
        if (len(subs) >= 2 and cover >= 0.5 * sup[u]) or cover >= 0.25 * sup[u]:
            union_like[u] = True
    atoms = [i for i in range(m) if not inter_like[i] and not union_like[i]]

    def family(pool_idx: list[int]) -> list[int]:
        fam: list[int] = []
        for i in pool_idx:
            if all(excl[i, j] for j in fam):
                fam.append(i)
        return fam

    fam_a = family(atoms)
    fam_b = family([i for i in atoms if i not in fam_a])
    exp1, exp2 = fm.expected("p1:"), fm.expected("p2:")

    def profile_cost(fam: list[int], exp: dict[str, float]) -> float:
        s = sorted((sup[i] for i in fam), reverse=True)
        e = sorted(exp.values(), reverse=True)
        n_common = min(len(s), len(e))
        cost = sum(_log_gap(s[i], e[i]) for i in range(n_common))
        cost += sum(math.log(x + 1.0) for x in s[n_common:]) + sum(math.log(x + 1.0) for x in e[n_common:])
        return cost

    if profile_cost(fam_a, exp1) + profile_cost(fam_b, exp2) <= profile_cost(fam_a, exp2) + profile_cost(fam_b, exp1):
        fams = {1: fam_a, 2: fam_b}
    else:
        fams = {1: fam_b, 2: fam_a}
    labels: dict[str, int] = {}
    unions = [u for u in range(m) if union_like[u]]
    pool.notes["initials"] = {
        "families": {q: [cands[a] for a in fam] for q, fam in fams.items()},
        "unions": [cands[u] for u in unions],
    }
    for q, fam in fams.items():
        if not fam or not fm.expected(f"p{q}:"):
            continue
        # Letter classes of this position: unions of this family's atoms.
        classes: dict[str, int] = {}
        if "letter_class" in fm.spec.tokens:
            mine = [u for u in unions if sum(1 for a in fam if inside[a, u]) >= 1]
            exp_c = fm.expected(f"c{q}:")
            for tok, e in sorted(exp_c.items(), key=lambda kv: (-kv[1], kv[0])):
                letters = LETTER_CLASSES.get(tok.split(":", 1)[1], "")
                options = [
                    (_log_gap(sup[u], e), u)
                    for u in mine
                    if u not in classes.values()
                    and sum(1 for a in fam if inside[a, u]) <= len(letters)
                    and _log_gap(sup[u], e) < math.log(2.5)
                ]
                if options:
                    classes[tok] = min(options)[1]
        exp_p = fm.expected(f"p{q}:")
        letters_all = {t.split(":", 1)[1] for t in exp_p}
        taken: set[str] = set()
        for a in sorted(fam, key=lambda i: (-sup[i], i)):
            allowed = set(letters_all)
            for tok, u in classes.items():
                members = set(LETTER_CLASSES.get(tok.split(":", 1)[1], ""))
                allowed = allowed & members if inside[a, u] else allowed - members
            allowed -= taken
            if not allowed:
                continue
            letter = max(allowed, key=lambda x: (exp_p.get(f"p{q}:{x}", 0.0), x))
            taken.add(letter)
            labels[f"p{q}:{letter}"] = cands[a]
        for tok, u in classes.items():
            labels[tok] = cands[u]
    for i in labels.values():
        pool.used[i] = True
    return labels


_LABELLERS: dict[str, Callable[[_Pool, _FieldModel], dict[str, int]]] = {
    "sex": _label_sex,
    "country": _label_country,
    "year": _label_year,
    "initials": _label_initials,
}


# ---------------------------------------------------------------------------
# Background knowledge -> candidate values
# ---------------------------------------------------------------------------


def _year_of(v: Any) -> tuple[int, int] | None:
    """A background birth year (an interval, a year, or their text) as ``(lo, hi)``."""
    if v is None:
        return None
    if isinstance(v, (tuple, list)) and len(v) == 2:
        return int(v[0]), int(v[1])
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    digits = [int(x) for x in "".join(c if c.isdigit() else " " for c in str(v)).split()]
    if not digits:
        return None
    return digits[0], digits[-1]


def _field_model(spec: FieldSpec, series: pd.Series, present: npt.NDArray[np.bool_]) -> _FieldModel | None:
    from linkage.encode.hazmat import tokeniser

    tok = tokeniser(spec)
    freq = series[series > 0]
    weights: dict[Any, float] = {}
    outputs: dict[Any, Any] = {}
    if spec.type == "year":
        for v, p in freq.items():
            iv = _year_of(v)
            if iv is None:
                continue
            lo, hi = min(iv), max(iv)
            for y in range(lo, hi + 1):  # an interval spreads its mass over its years
                weights[(y, y)] = weights.get((y, y), 0.0) + float(p) / (hi - lo + 1)
        if not weights:
            return None
        years = [y for y, _ in weights]
        floor = min(weights.values()) * 0.01
        for y in range(min(years) - 15, max(years) + 16):
            weights.setdefault((y, y), floor)
        outputs = {v: v[1] for v in weights}
    elif spec.type == "initials":
        from string import ascii_uppercase

        for v, p in freq.items():
            if isinstance(v, str) and v:
                weights[v] = weights.get(v, 0.0) + float(p)
        if not weights:
            return None
        first: dict[str, float] = {}
        second: dict[str, float] = {}
        for v, p in weights.items():
            first[v[0]] = first.get(v[0], 0.0) + p
            if len(v) > 1:
                second[v[1]] = second.get(v[1], 0.0) + p
        floor = min(weights.values()) * 0.01
        for a in ascii_uppercase:
            weights.setdefault(a, floor * 0.01)
            for b in ascii_uppercase:
                weights.setdefault(a + b, floor * (first.get(a, 0.01) * second.get(b, 0.01) + 1e-6))
        outputs = {v: v for v in weights}
    else:
        for v, p in freq.items():
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                weights[str(v)] = weights.get(str(v), 0.0) + float(p)
        if not weights:
            return None
        outputs = {v: v for v in weights}
    values = sorted(weights, key=lambda v: (-weights[v], str(v)))
    tokens: list[list[str]] = []
    kept: list[Any] = []
    for v in values:
        try:
            tokens.append(list(dict.fromkeys(tok(v))))
        except (LinkageError, ValueError, KeyError, TypeError):  # a value the normaliser does not know
            continue
        kept.append(v)
    prior = np.array([weights[v] for v in kept], dtype=np.float64)
    prior /= prior.sum()
    return _FieldModel(
        spec=spec, values=kept, outputs=[outputs[v] for v in kept], prior=prior, tokens=tokens, present=present
    )


# ---------------------------------------------------------------------------
# Re-identification
# ---------------------------------------------------------------------------


def _decode(pool: _Pool, fm: _FieldModel, labels: Mapping[str, int]) -> list[Any]:
    """Each filter's value: the candidate whose labelled tokens are exactly those the filter has."""
    n = pool.rows.shape[1] if len(pool.rows) else len(fm.present)
    toks = sorted(labels)
    col = {t: i for i, t in enumerate(toks)}
    a = np.zeros((len(fm.values), len(toks)), dtype=np.float32)
    for v, vt in enumerate(fm.tokens):
        for t in vt:
            if t in col:
                a[v, col[t]] = 1.0
    if toks:
        has = pool.rows[[labels[t] for t in toks]].T.astype(np.float32)  # (n, tokens)
    else:
        has = np.zeros((n, 0), dtype=np.float32)
    hits = has @ a.T  # (n, values)
    known = a.sum(axis=1)
    seen = has.sum(axis=1)
    violations = known[None, :] + seen[:, None] - 2.0 * hits
    lp = np.log(fm.prior)
    lp = (lp - lp.min()) / (lp.max() - lp.min() + 1.0)
    score = -1000.0 * violations + 2.0 * hits + lp[None, :]
    best = np.argmax(score, axis=1)
    return [fm.outputs[b] if fm.present[r] else None for r, b in enumerate(best.tolist())]



_ORDER = ("sex", "country", "year", "initials")


def _label_tokens(
    mined: MinedPatterns, view: EncodedView, background: Mapping[str, pd.Series], token_model: Schema
) -> tuple[dict[str, dict[str, int]], _Pool, dict[str, _FieldModel]]:
    """Assign mined patterns to tokens of the schema's quasi-identifier fields.

    Returns, per output column, token -> index into the token-like patterns of
    the returned pool, the pool, and the field models.
    """
    pool = _Pool.build(mined)
    models: dict[str, _FieldModel] = {}
    labels: dict[str, dict[str, int]] = {}
    presence = np.asarray(view.presence).astype(np.int64)
    specs = [(i, s) for i, s in enumerate(token_model.fields) if s.type in _OUTPUT_OF_TYPE]
    specs.sort(key=lambda t: (_ORDER.index(t[1].type), t[0]))
    for i, spec in specs:
        out = _OUTPUT_OF_TYPE[spec.type]
        if out in models or out not in background:
            continue
        present = (presence >> i) & 1 == 1
        fm = _field_model(spec, background[out], present)
        if fm is None:
            continue
        models[out] = fm
        labels[out] = _LABELLERS[spec.type](pool, fm)
        for j in labels[out].values():
            pool.used[j] = True
    return labels, pool, models


