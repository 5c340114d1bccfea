"""Pattern mining, step 2b: relabel patterns of similar size by the joint background (maximum likelihood).

See :mod:`linkage.privacy._pattern_mining` for the attack as a whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.privacy._common import QI_COLUMNS
from linkage.privacy._labelling import _FieldModel, _Pool, _year_of

BoolMatrix = npt.NDArray[np.bool_]
FloatMatrix = npt.NDArray[np.float32]


# ---------------------------------------------------------------------------
# Plausibility from the joint background: which of two similar-sized patterns is which
# ---------------------------------------------------------------------------


def _assign_min_cost(cost: npt.NDArray[np.float64]) -> list[int]:
    """Hungarian algorithm: the column of each row in a min-cost assignment (rows <= columns)."""
    n, m = cost.shape
    if n == 0:
        return []
    if n > m:
        raise ValueError("more rows than columns")
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta, j1 = inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = float(cost[i0 - 1, j - 1]) - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    out = [-1] * n
    for j in range(1, m + 1):
        if p[j]:
            out[p[j] - 1] = j - 1
    return out


def _joint_table(background: Mapping[str, pd.Series]) -> pd.DataFrame | None:
    """The background's whole tuples as a weighted table (initials, year, nationality, sex, weight)."""
    tuples = background.get("tuple")
    if tuples is None or len(tuples) == 0:
        return None
    recs: list[tuple[Any, ...]] = []
    for key, w in tuples.items():
        parts = str(key).split("|")
        if len(parts) != len(QI_COLUMNS):
            continue
        vals = [None if x.strip() in ("", "None", "nan", "<NA>") else x.strip() for x in parts]
        iv = _year_of(vals[1])
        recs.append((vals[0], None if iv is None else iv[1], vals[2], vals[3], float(w)))
    if not recs:
        return None
    df = pd.DataFrame(recs, columns=["initials", "birth_year", "nationality", "sex", "weight"])
    return _with_attributes(df)


def _with_attributes(df: pd.DataFrame) -> pd.DataFrame:
    """Add the attributes used as evidence: letters, five-year band."""
    out = df.copy()
    ini = out["initials"].tolist()
    out["first"] = [None if v is None or len(v) < 1 else v[0] for v in ini]
    out["second"] = [None if v is None or len(v) < 2 else v[1] for v in ini]
    out["band"] = [None if y is None or (isinstance(y, float) and math.isnan(y)) else int(y) // 5
                   for y in out["birth_year"]]
    return out


# Weight of the other fields' evidence against the size evidence: the decoded
# attributes are themselves partly wrong, and naive Bayes counts dependent
# attributes more than once.
_TEMPER = 0.5


Rule = tuple[str, tuple[str, ...]]  # a label as (background column, values it stands for)


def _code_rule(token: str) -> Rule:
    return ("nationality", (token.split(":", 1)[1],))


def _letter_rule(attr: str, token: str) -> Rule:
    return (attr, (token.split(":", 1)[1],))


def _class_rule(attr: str, token: str) -> Rule:
    from linkage.encode.hazmat import LETTER_CLASSES

    return (attr, tuple(LETTER_CLASSES.get(token.split(":", 1)[1], "")))


def _evidence_matrix(
    groups: Sequence[npt.NDArray[np.bool_]],
    labels: Sequence[Rule],
    expected: Sequence[float],
    guesses: pd.DataFrame,
    joint: pd.DataFrame,
    attributes: Sequence[str],
    smoothing: float = 5.0,
) -> npt.NDArray[np.float64]:
    """Log-likelihood ratio of each group of filters (a pattern) under each candidate label.

    The attributes other fields' decoding gave the group's filters are scored
    against their distribution among background persons with the label (naive
    Bayes, smoothed towards the marginal), and the group's size against the
    label's expected count (Poisson); both relative to the group's best case.
    """
    ll = np.zeros((len(groups), len(labels)), dtype=np.float64)
    base = np.zeros(len(groups), dtype=np.float64)
    w = joint["weight"].to_numpy(dtype=np.float64)
    label_masks = [joint[col].isin(list(values)).to_numpy(dtype=bool) for col, values in labels]
    positive = w[w > 0]
    nominal = 1.0 / float(positive.min()) if len(positive) else 1.0  # a tuple seen once
    for attr in attributes:
        vals = joint[attr].to_numpy(dtype=object)
        obs = guesses[attr].to_numpy(dtype=object)
        cats = sorted({v for v in vals if v is not None} | {v for v in obs if v is not None}, key=str)
        if not cats:
            continue
        ci = {c: i for i, c in enumerate(cats)}
        vj = np.array([ci.get(v, -1) for v in vals])
        vo = np.array([ci.get(v, -1) for v in obs])
        ok_j = vj >= 0
        marg = np.bincount(vj[ok_j], weights=w[ok_j], minlength=len(cats)) + 1e-9
        marg /= marg.sum()
        counts = np.zeros((len(groups), len(cats)))
        for g, rows in enumerate(groups):
            sel = rows & (vo >= 0)
            counts[g] = np.bincount(vo[sel], minlength=len(cats))
        base += _TEMPER * (counts @ np.log(marg))
        for lab, lmask in enumerate(label_masks):
            mask = lmask & ok_j
            dist = np.bincount(vj[mask], weights=w[mask], minlength=len(cats))
            n_lab = dist.sum() * nominal  # the label's count in the background
            if n_lab > 0:
                p = (dist / dist.sum() * n_lab + smoothing * marg) / (n_lab + smoothing)
            else:
                p = marg
            ll[:, lab] += _TEMPER * (counts @ np.log(p))
    sizes = np.array([float(r.sum()) for r in groups])
    e = np.maximum(np.asarray(expected, dtype=np.float64), 0.5)
    ll += sizes[:, None] * np.log(e)[None, :] - e[None, :]
    # Relative to the best any label could do for the group (its attributes as
    # common as in the whole background, its size expected exactly), so that
    # groups of different sizes compare.
    return np.asarray(ll - (base + sizes * np.log(np.maximum(sizes, 0.5)) - sizes)[:, None], dtype=np.float64)


def _best_labels(
    patterns: Sequence[int],
    candidates: Sequence[str],
    pool: _Pool,
    rule: Callable[[str], Rule],
    expected: Mapping[str, float],
    guesses: pd.DataFrame,
    joint: pd.DataFrame,
    attributes: Sequence[str],
    *,
    k: int | None = None,
    null: float = 1.0,
) -> dict[str, int]:
    """Labels for ``patterns`` among ``candidates`` (at most one each) of maximum joint likelihood.

    A pattern may stay unlabelled at a log-likelihood ratio of ``-null`` per
    filter it has (small patterns are more often chance than large ones); with
    ``k``, an own size outside ``[k - 3, k + 2]`` costs 4 per column.
    """
    candidates = list(dict.fromkeys(candidates))
    patterns = list(dict.fromkeys(patterns))
    if not patterns or not candidates:
        return {}
    groups = [pool.rows[i] for i in patterns]
    ll = _evidence_matrix(
        groups, [rule(c) for c in candidates], [expected.get(c, 0.0) for c in candidates], guesses, joint, attributes
    )
    if k:
        own = pool.own_size[patterns].astype(np.float64)
        off = np.maximum(0.0, np.maximum((k - 3) - own, own - (k + 2)))
        ll -= 4.0 * off[:, None]
    n_p, n_c = ll.shape
    cost = np.full((n_p, n_c + n_p), 1e12)
    cost[:, :n_c] = -ll
    sizes = np.array([float(g.sum()) for g in groups])
    cost[np.arange(n_p), n_c + np.arange(n_p)] = null * sizes + 10.0
    pick = _assign_min_cost(cost)
    return {candidates[j]: int(i) for i, j in zip(patterns, pick, strict=True) if j < n_c}


def _refine_country(
    labels: dict[str, int], pool: _Pool, fm: _FieldModel, guesses: pd.DataFrame, joint: pd.DataFrame
) -> None:
    """Re-label the code patterns inside each continent by joint likelihood, in place."""
    region_of: dict[str, str] = {}
    for toks in fm.tokens:
        c = next((t for t in toks if t.startswith("c:")), None)
        r = next((t for t in toks if t.startswith("r:")), None)
        if c is not None:
            region_of[c] = r or ""
    exp = fm.expected("c:")
    inner: dict[str, list[int]] = pool.notes.get("country", {})
    for r, patterns in sorted(inner.items()):
        if labels.get(r) is None or not patterns:
            continue
        codes = [c for c, rr in region_of.items() if rr == r]
        found = _best_labels(
            patterns,
            codes,
            pool,
            _code_rule,
            exp,
            guesses,
            joint,
            ("sex", "band", "first", "second"),
            k=fm.spec.bits_per_token,
        )
        if found:
            for c in codes:
                labels.pop(c, None)
            labels.update(found)


def _orient_positions(
    labels: dict[str, int], pool: _Pool, fm: _FieldModel, guesses: pd.DataFrame, joint: pd.DataFrame
) -> None:
    """Swap the first- and second-letter families when the joint background fits better that way, in place.

    The two families have similar size profiles; what tells them apart is that
    a given name's initial depends on sex and nationality more than a surname's.
    """
    notes = pool.notes.get("initials")
    if not notes or not notes["families"].get(1) or not notes["families"].get(2):
        return
    fams: dict[int, list[int]] = notes["families"]
    evidence = ("sex", "band", "nationality")

    def fit(patterns: list[int], q: int) -> float:
        attr = "first" if q == 1 else "second"
        exp = fm.expected(f"p{q}:")
        cands = sorted(exp)
        if not cands:
            return -math.inf
        groups = [pool.rows[i] for i in patterns]
        rules = [_letter_rule(attr, c) for c in cands]
        ll = _evidence_matrix(groups, rules, [exp[c] for c in cands], guesses, joint, evidence)
        if len(patterns) <= len(cands):
            return float(sum(ll[i, j] for i, j in enumerate(_assign_min_cost(-ll))))
        return float(sum(ll[j, i] for i, j in enumerate(_assign_min_cost(-ll.T))))

    kept = fit(fams[1], 1) + fit(fams[2], 2)
    swapped = fit(fams[1], 2) + fit(fams[2], 1)
    if swapped > kept:
        notes["families"] = {1: fams[2], 2: fams[1]}
        flip = {"p1:": "p2:", "p2:": "p1:", "c1:": "c2:", "c2:": "c1:"}
        old = dict(labels)
        labels.clear()
        for t, i in old.items():
            labels[flip.get(t[:3], t[:3]) + t[3:]] = i


def _refine_initials(
    labels: dict[str, int], pool: _Pool, fm: _FieldModel, guesses: pd.DataFrame, joint: pd.DataFrame
) -> None:
    """Re-label letter classes, then letters within what the classes allow, by joint likelihood, in place."""
    from linkage.encode.hazmat import LETTER_CLASSES

    notes = pool.notes.get("initials")
    if not notes:
        return
    _orient_positions(labels, pool, fm, guesses, joint)
    for q, attr, other in ((1, "first", "second"), (2, "second", "first")):
        evidence = ("sex", "band", "nationality", other)
        atoms: list[int] = notes["families"].get(q, [])
        if not atoms:
            continue
        exp_c = fm.expected(f"c{q}:")
        unions = [u for u in notes["unions"] if any(pool.inside(a, u) for a in atoms)]
        if exp_c and unions:
            found = _best_labels(
                unions,
                sorted(exp_c),
                pool,
                partial(_class_rule, attr),
                exp_c,
                guesses,
                joint,
                evidence,
                k=fm.spec.bits_per_token,
            )
            for t in [t for t in labels if t.startswith(f"c{q}:")]:
                del labels[t]
            labels.update(found)
        classes = {t: labels[t] for t in labels if t.startswith(f"c{q}:")}
        exp_p = fm.expected(f"p{q}:")
        letters_all = sorted(t.split(":", 1)[1] for t in exp_p)
        groups: dict[tuple[str, ...], list[int]] = {}
        for a in atoms:
            sig = tuple(sorted(c for c, u in classes.items() if pool.inside(a, u)))
            groups.setdefault(sig, []).append(a)
        for t in [t for t in labels if t.startswith(f"p{q}:")]:
            del labels[t]
        # A pattern inside a class takes one of its letters, a pattern outside
        # one of the letters of no labelled class.
        for sig in sorted(groups):
            allowed = set(letters_all)
            for c in classes:
                members = set(LETTER_CLASSES.get(c.split(":", 1)[1], ""))
                allowed = allowed & members if c in sig else allowed - members
            found = _best_labels(
                groups[sig],
                [f"p{q}:{x}" for x in sorted(allowed)],
                pool,
                partial(_letter_rule, attr),
                exp_p,
                guesses,
                joint,
                evidence,
                k=fm.spec.bits_per_token,
            )
            labels.update(found)


