"""Reporter profiles: which fields each reporter sends, in which format, with which errors.

A profile is plain data (a dict), so benchmarks can vary it; :func:`resolve_profiles` merges
overrides onto :data:`DEFAULT_PROFILES` and checks them.  Distributions (``name``, ``birth``,
``nationality``, ``sex``, ``initials_style``) give the share of a reporter's rows written in each
format; an override replaces a whole distribution (formats left out get 0) and is normalised.
``errors`` are per-row probabilities; an override changes only the rates it names.
The table of all defaults is in the package docstring (:mod:`linkage.synth`), produced by
:func:`profile_table` (a test keeps the two equal).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.errors import LinkageError
from linkage.synth._calibration import REPORTERS
from linkage.synth._countries import CODE_INDEX, CODES, CONFUSABLE, NATIONALITY_FORMATS, nationality_table
from linkage.synth._errors import age_at, apply_typos, dutch_strings, from_ymd, iso_strings, ymd
from linkage.synth._names import V_ORIGINAL, name_tables
from linkage.synth._population import Persons


class SynthError(LinkageError, ValueError):
    """Invalid arguments to the synthetic generator (a bad year, scale or profile)."""


NAME_FORMATS: tuple[str, ...] = ("split", "full", "given_only", "initials", "missing")
BIRTH_FORMATS: tuple[str, ...] = ("iso", "dutch", "year", "age", "missing")
SEX_FORMATS: tuple[str, ...] = ("M/V", "M/F", "man/vrouw", "male/female", "unknown", "missing")
INITIALS_STYLES: tuple[str, ...] = ("dotted", "plain")
DISTRIBUTIONS: Mapping[str, tuple[str, ...]] = {
    "name": NAME_FORMATS,
    "birth": BIRTH_FORMATS,
    "nationality": NATIONALITY_FORMATS,
    "sex": SEX_FORMATS,
    "initials_style": INITIALS_STYLES,
}
UNKNOWN_WORD_CHOICES: tuple[str, ...] = ("onbekend", "unknown")

#: Error rates (per report row) and what each one does.
ERROR_RATES: Mapping[str, str] = {
    "birth_year_off1": "birth year one year off (so date of birth, birth year and age are)",
    "birth_year_off2": "birth year two years off",
    "day_month_swap": "day and month of the date of birth swapped (only where the day is 12 or less)",
    "translit_variant": "Cyrillic-origin name in a Dutch, German, scholarly or Russian-form spelling",
    "cyrillic_script": "Cyrillic-origin name in the original Cyrillic script",
    "diacritics_drop": "diacritics dropped (ş -> s, ő -> o)",
    "diacritics_variant": "Romanian cedilla ş/ţ for comma-below ș/ț, Hungarian ö/ü for ő/ű",
    "name_order_swap": "surname first (times the name group's own factor, e.g. x8 for Chinese, Vietnamese)",
    "name_typo": "one typing error in the given names or surname (never the first letter)",
    "second_given_drop": "a second given name left out",
    "initial_wrong": "one of the initials replaced by another letter",
    "initial_missing": "one of the initials left out",
    "nationality_wrong": "a neighbouring or confusable nationality (ROU/MDA, UKR/RUS, NGA/GHA, ...)",
}

#: The reporter profiles (see :data:`ERROR_RATES` and the package docstring).
DEFAULT_PROFILES: Mapping[str, Mapping[str, Any]] = {
    "police": {
        "name": {"split": 0.85, "full": 0.15},
        "birth": {"iso": 0.70, "dutch": 0.27, "missing": 0.03},
        "nationality": {"alpha3": 0.60, "nl_name": 0.37, "unknown": 0.02, "missing": 0.01},
        "sex": {"M/V": 0.99, "unknown": 0.01},
        "initials_style": {"dotted": 1.0},
        "unknown_word": "onbekend",
        "errors": {
            "birth_year_off1": 0.01, "birth_year_off2": 0.002, "day_month_swap": 0.005,
            "translit_variant": 0.10, "cyrillic_script": 0.02, "diacritics_drop": 0.25,
            "diacritics_variant": 0.05, "name_order_swap": 0.02, "name_typo": 0.01,
            "second_given_drop": 0.10, "initial_wrong": 0.0, "initial_missing": 0.0,
            "nationality_wrong": 0.005,
        },
    },
    "kmar": {
        "name": {"full": 1.0},
        "birth": {"iso": 0.85, "dutch": 0.12, "missing": 0.03},
        "nationality": {"alpha2": 0.45, "en_name": 0.45, "unknown": 0.05, "missing": 0.05},
        "sex": {"M/F": 0.97, "unknown": 0.03},
        "initials_style": {"dotted": 1.0},
        "unknown_word": "unknown",
        "errors": {
            "birth_year_off1": 0.02, "birth_year_off2": 0.004, "day_month_swap": 0.01,
            "translit_variant": 0.25, "cyrillic_script": 0.03, "diacritics_drop": 0.40,
            "diacritics_variant": 0.05, "name_order_swap": 0.05, "name_typo": 0.02,
            "second_given_drop": 0.30, "initial_wrong": 0.0, "initial_missing": 0.0,
            "nationality_wrong": 0.01,
        },
    },
    "nla": {
        "name": {"full": 0.95, "missing": 0.05},
        "birth": {"iso": 0.45, "dutch": 0.20, "year": 0.30, "missing": 0.05},
        "nationality": {"alpha2": 0.45, "en_name": 0.40, "unknown": 0.10, "missing": 0.05},
        "sex": {"M/V": 0.95, "unknown": 0.05},
        "initials_style": {"dotted": 1.0},
        "unknown_word": "unknown",
        "errors": {
            "birth_year_off1": 0.03, "birth_year_off2": 0.005, "day_month_swap": 0.01,
            "translit_variant": 0.40, "cyrillic_script": 0.02, "diacritics_drop": 0.50,
            "diacritics_variant": 0.05, "name_order_swap": 0.05, "name_typo": 0.03,
            "second_given_drop": 0.30, "initial_wrong": 0.0, "initial_missing": 0.0,
            "nationality_wrong": 0.01,
        },
    },
    "fairwork": {
        "name": {"initials": 1.0},
        "birth": {"age": 0.92, "missing": 0.08},
        "nationality": {"nl_adj": 0.35, "nl_adj_e": 0.30, "nl_name": 0.25, "unknown": 0.08, "missing": 0.02},
        "sex": {"man/vrouw": 0.40, "M/V": 0.20, "missing": 0.40},
        "initials_style": {"dotted": 0.6, "plain": 0.4},
        "unknown_word": "onbekend",
        "errors": {
            "birth_year_off1": 0.04, "birth_year_off2": 0.01, "day_month_swap": 0.0,
            "translit_variant": 0.50, "cyrillic_script": 0.02, "diacritics_drop": 0.50,
            "diacritics_variant": 0.0, "name_order_swap": 0.05, "name_typo": 0.0,
            "second_given_drop": 0.0, "initial_wrong": 0.03, "initial_missing": 0.03,
            "nationality_wrong": 0.02,
        },
    },
    "care_coordinator": {
        "name": {"full": 0.72, "given_only": 0.08, "split": 0.05, "missing": 0.15},
        "birth": {"iso": 0.10, "dutch": 0.30, "year": 0.45, "missing": 0.15},
        "nationality": {"nl_name": 0.45, "nl_adj": 0.25, "nl_adj_e": 0.10, "unknown": 0.12, "missing": 0.08},
        "sex": {"man/vrouw": 0.85, "unknown": 0.05, "missing": 0.10},
        "initials_style": {"dotted": 1.0},
        "unknown_word": "onbekend",
        "errors": {
            "birth_year_off1": 0.04, "birth_year_off2": 0.01, "day_month_swap": 0.02,
            "translit_variant": 0.60, "cyrillic_script": 0.05, "diacritics_drop": 0.50,
            "diacritics_variant": 0.05, "name_order_swap": 0.08, "name_typo": 0.04,
            "second_given_drop": 0.40, "initial_wrong": 0.0, "initial_missing": 0.0,
            "nationality_wrong": 0.02,
        },
    },
    "other": {
        "name": {"full": 0.40, "split": 0.10, "given_only": 0.10, "initials": 0.15, "missing": 0.25},
        "birth": {"iso": 0.12, "dutch": 0.18, "year": 0.20, "age": 0.20, "missing": 0.30},
        "nationality": {
            "alpha3": 0.05, "alpha2": 0.05, "en_name": 0.05, "nl_name": 0.25, "nl_adj": 0.15,
            "nl_adj_e": 0.05, "en_adj": 0.05, "unknown": 0.20, "missing": 0.15,
        },
        "sex": {"M/V": 0.25, "M/F": 0.05, "man/vrouw": 0.35, "male/female": 0.10, "unknown": 0.15, "missing": 0.10},
        "initials_style": {"dotted": 0.5, "plain": 0.5},
        "unknown_word": "onbekend",
        "errors": {
            "birth_year_off1": 0.05, "birth_year_off2": 0.015, "day_month_swap": 0.02,
            "translit_variant": 0.60, "cyrillic_script": 0.08, "diacritics_drop": 0.60,
            "diacritics_variant": 0.05, "name_order_swap": 0.10, "name_typo": 0.06,
            "second_given_drop": 0.40, "initial_wrong": 0.02, "initial_missing": 0.03,
            "nationality_wrong": 0.03,
        },
    },
}

#: Columns each name / birth format fills.
_NAME_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "split": ("given_names", "surname"), "full": ("full_name",), "given_only": ("given_names",),
    "initials": ("initials",), "missing": (),
}
_BIRTH_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "iso": ("date_of_birth",), "dutch": ("date_of_birth",), "year": ("birth_year",), "age": ("age",), "missing": (),
}
QI_COLUMNS: tuple[str, ...] = (
    "full_name", "given_names", "surname", "initials", "date_of_birth", "birth_year", "age", "nationality", "sex",
)


def default_profiles() -> dict[str, dict[str, Any]]:
    """A deep copy of the default reporter profiles, to modify and pass to ``generate``."""
    return resolve_profiles(None)


def resolve_profiles(overrides: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Merge ``overrides`` onto :data:`DEFAULT_PROFILES`, check them and normalise distributions."""
    profiles: dict[str, dict[str, Any]] = copy.deepcopy({k: dict(v) for k, v in DEFAULT_PROFILES.items()})
    for reporter, override in (overrides or {}).items():
        if reporter not in profiles:
            raise SynthError(f"unknown reporter {reporter!r} in profiles (known: {', '.join(REPORTERS)})")
        prof = profiles[reporter]
        for key, value in override.items():
            if key in DISTRIBUTIONS:
                if not isinstance(value, Mapping):
                    raise SynthError(f"profile {reporter}.{key} must be a mapping of format to share")
                prof[key] = dict(value)
            elif key == "errors":
                if not isinstance(value, Mapping):
                    raise SynthError(f"profile {reporter}.errors must be a mapping of error to rate")
                prof["errors"] = {**prof["errors"], **value}
            elif key == "unknown_word":
                prof[key] = value
            else:
                raise SynthError(f"unknown profile key {reporter}.{key}")
    for reporter, prof in profiles.items():
        for key, formats in DISTRIBUTIONS.items():
            dist = prof[key]
            for fmt, share in dist.items():
                if fmt not in formats:
                    raise SynthError(f"unknown format {fmt!r} in profile {reporter}.{key}")
                if not isinstance(share, (int, float)) or share < 0 or share != share:
                    raise SynthError(f"share of {reporter}.{key}.{fmt} must be a number >= 0")
            total = float(sum(dist.values()))
            if total <= 0:
                raise SynthError(f"profile {reporter}.{key} has no positive share")
            prof[key] = {fmt: float(dist[fmt]) / total for fmt in formats if dist.get(fmt, 0) > 0}
        for err, rate in prof["errors"].items():
            if err not in ERROR_RATES:
                raise SynthError(f"unknown error {err!r} in profile {reporter}.errors")
            if not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
                raise SynthError(f"rate of {reporter}.errors.{err} must be between 0 and 1")
            prof["errors"][err] = float(rate)
        if prof["unknown_word"] not in UNKNOWN_WORD_CHOICES:
            raise SynthError(f"profile {reporter}.unknown_word must be one of {UNKNOWN_WORD_CHOICES}")
    return profiles


def reporter_columns(profile: Mapping[str, Any]) -> tuple[str, ...]:
    """The quasi-identifier columns a reporter with ``profile`` sends, in :data:`QI_COLUMNS` order."""
    cols: set[str] = set()
    for fmt in profile["name"]:
        cols.update(_NAME_COLUMNS[fmt])
    for fmt in profile["birth"]:
        cols.update(_BIRTH_COLUMNS[fmt])
    if set(profile["nationality"]) - {"missing"}:
        cols.add("nationality")
    if set(profile["sex"]) - {"missing"}:
        cols.add("sex")
    return tuple(c for c in QI_COLUMNS if c in cols)


def profile_table(profiles: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The profiles as a fixed-width text table (one column per reporter)."""
    profs = resolve_profiles(profiles)
    header = ["parameter", *REPORTERS]
    rows: list[list[str]] = []
    for key, formats in DISTRIBUTIONS.items():
        for fmt in formats:
            vals = [profs[r][key].get(fmt, 0.0) for r in REPORTERS]
            if any(vals):
                rows.append([f"{key}: {fmt}", *(f"{v:.3g}" if v else "-" for v in vals)])
    rows.append(["unknown_word", *(str(profs[r]["unknown_word"]) for r in REPORTERS)])
    for err in ERROR_RATES:
        vals = [profs[r]["errors"].get(err, 0.0) for r in REPORTERS]
        rows.append([f"error: {err}", *(f"{v:.3g}" if v else "-" for v in vals)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(), rule]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append(rule)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

_SEX_WORDS = np.array(
    [
        # M/V  M/F  man/vrouw    male/female
        ["M", "M", "man", "male"],
        ["V", "F", "vrouw", "female"],
        ["X", "X", "onbekend", "unknown"],
    ],
    dtype=object,
)
_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dtype=object)


def _choose(
    rng: np.random.Generator, dist: Mapping[str, float], formats: tuple[str, ...], m: int
) -> npt.NDArray[np.int64]:
    p = np.array([dist.get(f, 0.0) for f in formats], dtype=np.float64)
    return np.asarray(rng.choice(len(formats), size=m, p=p / p.sum()), dtype=np.int64)


def _confuse(rng: np.random.Generator, country: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out = country.copy()
    for c in np.unique(country):
        alts = CONFUSABLE.get(CODES[c])
        if not alts:
            continue
        idx = np.flatnonzero(country == c)
        out[idx] = np.array([CODE_INDEX[a] for a in alts])[rng.integers(0, len(alts), size=len(idx))]
    return out


def _join(a: npt.NDArray[np.object_], sep: str, b: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    out = np.empty(len(a), dtype=object)
    out[:] = [x + sep + y for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    return out


def render(
    rng: np.random.Generator,
    persons: Persons,
    person: npt.NDArray[np.int64],
    reporter: npt.NDArray[np.int64],
    date: npt.NDArray[np.datetime64],
    profiles: Mapping[str, Mapping[str, Any]],
) -> dict[str, npt.NDArray[Any]]:
    """The raw quasi-identifier columns of every report, as each reporter writes them."""
    n = len(person)
    cols: dict[str, npt.NDArray[Any]] = {c: np.full(n, None, dtype=object) for c in QI_COLUMNS}
    birth_year = np.zeros(n, dtype=np.int64)
    birth_year_set = np.zeros(n, dtype=bool)
    age = np.zeros(n, dtype=np.int64)
    age_set = np.zeros(n, dtype=bool)
    tables = name_tables()
    nat_table = nationality_table()
    for r, rname in enumerate(REPORTERS):
        idx = np.flatnonzero(reporter == r)
        m = len(idx)
        if not m:
            continue
        prof = profiles[rname]
        err = prof["errors"]
        unknown_word = prof["unknown_word"]
        p = person[idx]

        # --- birth: errors on the true date, then the reporter's format
        y, mo, d = ymd(persons.dob[p])
        u = rng.random(m)
        off2, off1 = err["birth_year_off2"], err["birth_year_off1"]
        off = np.where(u < off2, 2, np.where(u < off2 + off1, 1, 0))
        y = y + off * rng.choice(np.array([-1, 1]), size=m)
        swap = (rng.random(m) < err["day_month_swap"]) & (d <= 12) & (d != mo)
        mo, d = np.where(swap, d, mo), np.where(swap, mo, d)
        dob = from_ymd(y, mo, d)
        y = ymd(dob)[0]
        fmt = _choose(rng, prof["birth"], BIRTH_FORMATS, m)
        dated = np.flatnonzero(fmt <= 1)
        if len(dated):
            iso = iso_strings(dob[dated])
            dutch = fmt[dated] == 1
            iso[dutch] = dutch_strings(iso[dutch])
            cols["date_of_birth"][idx[dated]] = iso
        year_rows = fmt == 2
        birth_year[idx[year_rows]] = y[year_rows]
        birth_year_set[idx[year_rows]] = True
        age_rows = fmt == 3
        age[idx[age_rows]] = age_at(dob[age_rows], date[idx[age_rows]])
        age_set[idx[age_rows]] = True

        # --- sex
        fmt = _choose(rng, prof["sex"], SEX_FORMATS, m)
        sex = persons.sex[p].astype(np.int64)
        words = _SEX_WORDS[sex, np.minimum(fmt, 3)]
        words[fmt == 4] = unknown_word
        words[fmt == 5] = None
        cols["sex"][idx] = words

        # --- nationality
        country = persons.country[p].astype(np.int64)
        wrong = rng.random(m) < err["nationality_wrong"]
        if wrong.any():
            country[wrong] = _confuse(rng, country[wrong])
        fmt = _choose(rng, prof["nationality"], NATIONALITY_FORMATS, m)
        known = fmt < NATIONALITY_FORMATS.index("unknown")
        nat = np.full(m, None, dtype=object)
        nat[known] = nat_table[country[known], fmt[known]]
        nat[fmt == NATIONALITY_FORMATS.index("unknown")] = unknown_word
        cols["nationality"][idx] = nat

        # --- names: spelling variant, then format
        fmt = _choose(rng, prof["name"], NAME_FORMATS, m)
        lang = persons.lang[p].astype(np.int64)
        cyr = tables.script_cyrillic[lang]
        u1, u2 = rng.random(m), rng.random(m)
        scheme = 3 + rng.integers(0, 4, size=m)
        v_cyr = np.where(u1 < err["cyrillic_script"], V_ORIGINAL, np.where(u2 < err["translit_variant"], scheme, 0))
        v_lat = np.where(u1 < err["diacritics_drop"], 1, np.where(u2 < err["diacritics_variant"], 2, 0))
        v = np.where(cyr, v_cyr, v_lat)
        g1 = persons.given1[p].astype(np.int64)
        g2 = persons.given2[p].astype(np.int64)
        s = persons.surname[p].astype(np.int64)
        order_swap = rng.random(m) < np.minimum(1.0, err["name_order_swap"] * tables.swap_factor[lang])

        named = np.flatnonzero(fmt <= 2)
        if len(named):
            vv = v[named]
            given = tables.given[g1[named], vv]
            second = (g2[named] >= 0) & (rng.random(len(named)) >= err["second_given_drop"])
            if second.any():
                given[second] = _join(given[second], " ", tables.given[g2[named][second], vv[second]])
            surname = tables.surname[s[named], vv]
            typo_rows = np.flatnonzero(rng.random(len(named)) < err["name_typo"])
            if len(typo_rows):
                on_given = rng.random(len(typo_rows)) < 0.5
                apply_typos(given, typo_rows[on_given], rng)
                apply_typos(surname, typo_rows[~on_given], rng)
            sw = order_swap[named]
            f = fmt[named]
            # split columns: a swap puts each part in the other's column
            split = f == 0
            cols["given_names"][idx[named[split]]] = np.where(sw[split], surname[split], given[split])
            cols["surname"][idx[named[split]]] = np.where(sw[split], given[split], surname[split])
            # one full-name column: surname first with a comma half of the time it is swapped
            full = np.flatnonzero(f == 1)
            if len(full):
                fw = sw[full]
                comma = rng.random(len(full)) < 0.5
                text = _join(given[full], " ", surname[full])
                sf = fw & comma
                text[sf] = _join(surname[full][sf], ", ", given[full][sf])
                sn = fw & ~comma
                text[sn] = _join(surname[full][sn], " ", given[full][sn])
                cols["full_name"][idx[named[full]]] = text
            only = f == 2
            cols["given_names"][idx[named[only]]] = given[only]

        init_rows = np.flatnonzero(fmt == 3)
        if len(init_rows):
            k = len(init_rows)
            vv = v[init_rows]
            gi = tables.given_initial[g1[init_rows], vv]
            si = tables.surname_initial[s[init_rows], vv]
            sw = order_swap[init_rows]
            first, last = np.where(sw, si, gi), np.where(sw, gi, si)
            wrong_init = rng.random(k) < err["initial_wrong"]
            which = rng.random(k) < 0.5
            letters = _LETTERS[rng.integers(0, 26, size=k)]
            first = np.where(wrong_init & which, letters, first)
            last = np.where(wrong_init & ~which, letters, last)
            missing = rng.random(k) < err["initial_missing"]
            drop_last = rng.random(k) < 0.6
            dotted = (_choose(rng, prof["initials_style"], INITIALS_STYLES, k) == 0).tolist()
            out = np.empty(k, dtype=object)
            out[:] = [
                (f"{(b if dl else a)}." if d else (b if dl else a)) if miss else (f"{a}.{b}." if d else a + b)
                for a, b, d, miss, dl in zip(first.tolist(), last.tolist(), dotted, missing.tolist(),
                                             (~drop_last).tolist(), strict=True)
            ]
            cols["initials"][idx[init_rows]] = out

    cols["birth_year"] = _nullable_int(birth_year, birth_year_set)
    cols["age"] = _nullable_int(age, age_set)
    return cols


def _nullable_int(values: npt.NDArray[np.int64], present: npt.NDArray[np.bool_]) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype(np.int64), ~present)


_CASE_REF_FORMATS: Mapping[str, str] = {
    "police": "PL-{year}-{seq:06d}",
    "kmar": "KM{yy:02d}/{seq:05d}",
    "nla": "NLA-{year}-{seq:05d}",
    "fairwork": "FW{year}{seq:05d}",
    "care_coordinator": "ZC-{region}-{year}-{seq:04d}",
    "other": "MLD-{year}-{seq:05d}",
}
#: Care-coordination regions used in care coordinators' case references (invented codes).
_REGIONS = np.array(["AMS", "RDM", "DHG", "UTR", "GRO", "FRL", "OVL", "GLD", "BRA", "LIM", "ZLD", "NHN"], dtype=object)


def case_refs(
    rng: np.random.Generator, reporter: npt.NDArray[np.int64], year: npt.NDArray[np.int64]
) -> npt.NDArray[np.object_]:
    """Each reporter's own case reference, numbered per reporter and year in row order."""
    n = len(reporter)
    key = reporter * 10_000 + year
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1] if n else np.empty(0, dtype=np.int64)
    group_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    seq = np.empty(n, dtype=np.int64)
    seq[order] = np.arange(n) - group_start + 1
    regions = _REGIONS[rng.integers(0, len(_REGIONS), size=n)]
    out = np.empty(n, dtype=object)
    for r, rname in enumerate(REPORTERS):
        idx = np.flatnonzero(reporter == r)
        fmt = _CASE_REF_FORMATS[rname]
        out[idx] = [
            fmt.format(year=y, yy=y % 100, seq=q, region=g)
            for y, q, g in zip(year[idx].tolist(), seq[idx].tolist(), regions[idx].tolist(), strict=True)
        ]
    return out
