"""Persons: nationality, naming culture, sex, sector, date of birth, names, siblings, undocumented.

Distributions (ours, loosely after the domain brief; none is a published figure):

* nationality: a named mix (:data:`._countries.MIXES`), or one nationality
  taking ``dominant_share`` of the new persons;
* sector by nationality group (sexual, labour, criminal): NL 65/5/30, EU
  38/55/7, AF 60/20/20, AS 30/60/10, LA 72/25/3, unknown 45/35/20;
* sex by sector (F/M/X): sexual 90/7/3, labour 33/66/1, criminal 42/57/1;
* age at first report in bands 12-17, 18-22, 23-29, 30-39, 40-49, 50-65 with
  weights 9, 21, 28, 24, 11, 7 %, uniform within the band;
* names drawn by the scenario's frequency law (:mod:`._laws`) per culture,
  sex and slot;
* sibling groups of 2 (68%), 3 (22%) or 4 (10%): one surname (or father's name),
  nationality and culture, mostly the same sector; the first two are twins
  (same date of birth) with ``twin_share``, and twins' given names share the
  first letter 30% of the time; other siblings are 1-6 years apart;
* undocumented persons (non-European nationality groups only): a registered
  birth year off the true one by -3..+3 years (weights 4, 10, 20, 32, 20, 10, 4 %).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from linkage.evaluate.heldout._countries import CULTURE_MIX, GROUPS, group_of
from linkage.evaluate.heldout._laws import pitman_yor, power_weights
from linkage.evaluate.heldout._names import CULTURES, Culture
from linkage.evaluate.heldout._params import ScenarioParams
from linkage.evaluate.heldout._rand import I64, B, bernoulli, categorical
from linkage.evaluate.heldout._translit import romanise

CULTURE_KEYS: tuple[str, ...] = tuple(CULTURES)
SECTORS: tuple[str, ...] = ("sexual", "labour", "criminal")
_SECTOR_BY_GROUP = {"NL": (0.65, 0.05, 0.30), "EU": (0.38, 0.55, 0.07), "AF": (0.60, 0.20, 0.20),
                    "AS": (0.30, 0.60, 0.10), "LA": (0.72, 0.25, 0.03), "XX": (0.45, 0.35, 0.20)}
_SEX_BY_SECTOR = ((0.90, 0.07, 0.03), (0.33, 0.66, 0.01), (0.42, 0.57, 0.01))  # F, M, X
_AGE_BANDS = ((12, 18, 0.09), (18, 23, 0.21), (23, 30, 0.28), (30, 40, 0.24), (40, 50, 0.11), (50, 66, 0.07))
_ASSESS_OFFSETS = np.arange(-3, 4)
_ASSESS_WEIGHTS = (0.04, 0.10, 0.20, 0.32, 0.20, 0.10, 0.04)
_SIBLING_SIZES = ((2, 0.68), (3, 0.22), (4, 0.10))


@dataclass
class Persons:
    """Columns of persons (one row per person)."""

    nat: npt.NDArray[np.object_]  # ISO alpha-3, "XXA" stateless, None unknown
    culture: I64
    sex: npt.NDArray[np.str_]  # M, F, X
    list_sex: npt.NDArray[np.str_]  # M or F: the given-name list
    sector: I64
    first_date: npt.NDArray[np.datetime64]
    dob: npt.NDArray[np.datetime64]
    undocumented: B
    assessed_year: I64
    given1: I64
    given2: I64
    middle: I64
    surname: I64
    surname2: I64
    family: I64
    twin: B

    def __len__(self) -> int:
        return len(self.culture)

    def take(self, idx: I64) -> Persons:
        return Persons(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @staticmethod
    def concat(parts: list[Persons]) -> Persons:
        return Persons(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Persons)})


def _draw_names(
    rng: np.random.Generator, n: int, base: npt.NDArray[np.float64], params: ScenarioParams
) -> I64:
    if params.name_law == "pitman_yor":
        return pitman_yor(rng, n, base, params.py_discount, params.py_concentration)
    return categorical(rng, base, n)


def _surname_base(c: Culture, exponent: float) -> npt.NDArray[np.float64]:
    if c.surname_weights is not None:
        w = np.asarray(c.surname_weights, dtype=np.float64)
        out: npt.NDArray[np.float64] = w / w.sum()
        return out
    return power_weights(len(c.surnames), exponent)


def _names(rng: np.random.Generator, p: Persons, params: ScenarioParams) -> None:
    """Fill the name columns of ``p`` in place, culture by culture."""
    n = len(p)
    for ci, key in enumerate(CULTURE_KEYS):
        c = CULTURES[key]
        for ls in ("F", "M"):
            idx = np.flatnonzero((p.culture == ci) & (p.list_sex == ls))
            if not len(idx):
                continue
            names = c.female if ls == "F" else c.male
            base = power_weights(len(names), params.name_exponent)
            p.given1[idx] = _draw_names(rng, len(idx), base, params)
            second = _draw_names(rng, len(idx), base, params)
            second = np.where(second == p.given1[idx], (second + 1) % len(names), second)
            has2 = bernoulli(rng, c.second_given, len(idx))
            p.given2[idx] = np.where(has2, second, -1)
            if c.middle_share:
                middles = c.middle_female if ls == "F" else c.middle_male
                mid = categorical(rng, (0.75, 0.15, 0.10)[: len(middles)], len(idx))
                p.middle[idx] = np.where(bernoulli(rng, c.middle_share, len(idx)), mid, -1)
        idx = np.flatnonzero(p.culture == ci)
        if not len(idx):
            continue
        if c.patronymic:
            base = power_weights(len(c.male), params.name_exponent)
        else:
            base = _surname_base(c, params.name_exponent)
        p.surname[idx] = _draw_names(rng, len(idx), base, params)
        if c.double_surname:
            s2 = _draw_names(rng, len(idx), base, params)
            p.surname2[idx] = np.where(bernoulli(rng, c.double_surname, len(idx)), s2, -1)
    assert len(p.given1) == n


def _siblings(rng: np.random.Generator, p: Persons, params: ScenarioParams, family_base: int) -> list[list[int]]:
    """Turn the first persons of the batch into sibling groups (in place, before names are drawn).

    Returns the groups (head first) for :func:`_sibling_names`.
    """
    n = len(p)
    groups: list[list[int]] = []
    if not params.sibling_share or n < 2:
        return groups
    mean = sum(s * w for s, w in _SIBLING_SIZES)
    n_groups = int(n * params.sibling_share / mean + rng.random())
    sizes = np.array([s for s, _ in _SIBLING_SIZES])[categorical(rng, [w for _, w in _SIBLING_SIZES], n_groups)]
    twins = bernoulli(rng, params.twin_share, n_groups)
    u = rng.random((n_groups, 4, 4))
    start = 0
    for g in range(n_groups):
        k = int(sizes[g])
        if start + k > n:
            break
        head = start
        members = list(range(start + 1, start + k))
        groups.append([head, *members])
        p.family[head : start + k] = family_base + g
        for j, m in enumerate(members):
            uu = u[g, j]
            p.nat[m] = p.nat[head]
            p.culture[m] = p.culture[head]
            if uu[0] < 0.8:
                p.sector[m] = p.sector[head]
            if j == 0 and twins[g]:
                p.dob[m] = p.dob[head]
                p.family[m] = p.family[head]
                p.twin[m] = True
            else:
                years = 1 + int(uu[1] * 6)
                sign = -1 if uu[2] < 0.5 else 1
                gap = np.timedelta64(sign * (365 * years + int(uu[3] * 365)), "D")
                dob = p.dob[head] + gap
                if (p.first_date[m] - dob).astype(np.int64) < 365 * 11:
                    dob = p.dob[head] - gap if sign > 0 else dob
                p.dob[m] = dob
            p.assessed_year[m] = p.assessed_year[head] if p.undocumented[head] else p.assessed_year[m]
            p.undocumented[m] = p.undocumented[head]
        start += k
    return groups


def _sibling_names(rng: np.random.Generator, p: Persons, groups: list[list[int]]) -> None:
    """Siblings share the head's surname (or father's name); twins' given names often share a letter."""
    u = rng.random((len(groups), 2))
    for g, (head, *members) in enumerate(groups):
        for m in members:
            p.surname[m] = p.surname[head]
            p.surname2[m] = p.surname2[head]
            if p.twin[m] and u[g, 0] < 0.3:
                c = CULTURES[CULTURE_KEYS[int(p.culture[m])]]
                names = c.female if p.list_sex[m] == "F" else c.male
                head_names = c.female if p.list_sex[head] == "F" else c.male
                letter = _first_letter(c, head_names[int(p.given1[head])][0])
                pool = [i for i, e in enumerate(names) if _first_letter(c, e[0]) == letter
                        and e[0] != head_names[int(p.given1[head])][0]]
                if pool:
                    p.given1[m] = pool[int(u[g, 1] * len(pool))]


def _first_letter(c: Culture, name: str) -> str:
    if c.script == "cyrillic":
        return romanise(name, "passport", c.language)[:1]
    return name[:1]


def make_persons(
    rng_p: np.random.Generator,
    rng_n: np.random.Generator,
    n: int,
    year: int,
    params: ScenarioParams,
    mix: dict[str | None, float],
    family_base: int,
) -> Persons:
    """``n`` new persons first reported in ``year``."""
    codes = list(mix)
    nat_idx = categorical(rng_p, list(mix.values()), n)
    nat = np.empty(n, dtype=object)
    for i, code in enumerate(codes):
        nat[nat_idx == i] = code
    culture = np.zeros(n, np.int64)
    for i, code in enumerate(codes):
        sel = np.flatnonzero(nat_idx == i)
        cm = CULTURE_MIX[code]
        pick = categorical(rng_p, list(cm.values()), len(sel))
        culture[sel] = np.asarray([CULTURE_KEYS.index(k) for k in cm], dtype=np.int64)[pick]
    groups = np.asarray([GROUPS.index(group_of(c)) for c in codes], dtype=np.int64)[nat_idx]
    sector_w = np.asarray([_SECTOR_BY_GROUP[g] for g in GROUPS])[groups]
    cum = np.cumsum(sector_w, axis=1)
    sector = np.minimum((cum <= rng_p.random(n)[:, None]).sum(axis=1), 2).astype(np.int64)
    sex_w = np.asarray(_SEX_BY_SECTOR)[sector]
    cum = np.cumsum(sex_w, axis=1)
    sex = np.asarray(["F", "M", "X"])[np.minimum((cum <= rng_p.random(n)[:, None]).sum(axis=1), 2)]
    list_sex = np.where(sex == "X", np.where(rng_p.random(n) < 0.5, "F", "M"), sex)
    start = np.datetime64(f"{year}-01-01")
    days = int((np.datetime64(f"{year + 1}-01-01") - start).astype(np.int64))
    first_date = start + np.floor(rng_p.random(n) * days).astype(np.int64).astype("timedelta64[D]")
    band = categorical(rng_p, [w for _, _, w in _AGE_BANDS], n)
    lo = np.asarray([a for a, _, _ in _AGE_BANDS], dtype=np.float64)[band]
    hi = np.asarray([b for _, b, _ in _AGE_BANDS], dtype=np.float64)[band]
    age_days = np.floor((lo + rng_p.random(n) * (hi - lo)) * 365.25).astype(np.int64)
    dob = first_date - age_days.astype("timedelta64[D]")
    eligible = np.isin(groups, [GROUPS.index(g) for g in ("AF", "AS", "LA", "XX")])
    undocumented = eligible & bernoulli(rng_p, params.undocumented_share, n)
    dob_year = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    offset = _ASSESS_OFFSETS[categorical(rng_p, _ASSESS_WEIGHTS, n)]
    assessed = np.minimum(dob_year + offset, year - 12)
    minus = np.full(n, -1, np.int64)
    p = Persons(nat=nat, culture=culture, sex=sex, list_sex=list_sex, sector=sector, first_date=first_date, dob=dob,
                undocumented=undocumented, assessed_year=assessed, given1=minus.copy(), given2=minus.copy(),
                middle=minus.copy(), surname=minus.copy(), surname2=minus.copy(), family=minus.copy(),
                twin=np.zeros(n, bool))
    sibling_groups = _siblings(rng_p, p, params, family_base)
    _names(rng_n, p, params)
    _sibling_names(rng_n, p, sibling_groups)
    return p


def apply_dominant(mix: dict[str | None, float], code: str | None, share: float) -> dict[str | None, float]:
    """``mix`` with ``code`` taking ``share`` of the weight and the rest scaled down."""
    if code is None or share <= 0:
        return dict(mix)
    rest = {k: v for k, v in mix.items() if k != code}
    total = sum(rest.values())
    out: dict[str | None, float] = {k: (1.0 - share) * v / total for k, v in rest.items()}
    out[code] = share
    return out
