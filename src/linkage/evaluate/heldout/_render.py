"""Each report as its reporter writes it: layouts, spellings, errors, missing values.

Reporter profiles (ours; shaped by the domain brief: the police send full
records, FairWork only two initials and an age, care coordinators filter and
send less). ``none`` is a cell left empty; it is multiplied by the scenario's
``missing_scale``. A reporter lacking a field entirely sends no such column.

================  ===========================================================
police            names split (75%) / full (20%) / ``SURNAME, Given`` (5%);
                  date of birth ISO (55%) / day-first (42%); nationality
                  alpha-3 (50%) / Dutch name (47%); sex M/V
kmar              ``SURNAME, Given`` (70%, passport style) / full (30%); date
                  of birth ISO; nationality alpha-3 / alpha-2 / English name;
                  sex M/F; passport romanisation nearly always
nla               full name (85%); date of birth day-first (50%) / birth year
                  (35%); nationality Dutch name / Dutch adjective; sex M/V
fairwork          two initials (``A.P.``, ``AP``, ``A. P.``, ``a.p.``) and an
                  age (``34`` or ``34 jaar``); nothing else
care_coordinator  split / full / given name only; day-first date / age / year;
                  Dutch adjective; man/vrouw; more empty cells
other             a bit of everything, the most empty cells
================  ===========================================================

Error model (per report, rates per reporter in :data:`PROFILES`, multiplied by
``error_scale`` except the habits marked *):

* ``typo``: one keyboard slip per name part (QWERTY neighbour, letter dropped,
  doubled or two letters swapped); 12% of slips hit the first letter;
* ``swap``: given name and surname exchanged (times the culture's factor:
  Vietnamese and Chinese 3, Hungarian 2.5, West African and Eritrean 1.8,
  Arabic 1.3);
* ``nickname``: an everyday short form instead of the documented name
  (Małgorzata/Gosia, István/Pista, Francisco/Paco);
* ``second_first``: the second given name written first;
* ``translit``: another spelling than the documented one (Cyrillic: another
  romanisation scheme, the Russian form or the Cyrillic itself; otherwise a
  listed variant such as Youssef/Joesoef, Zhang/Chang, Yohannes/Johannes);
* ``diacritics``*: diacritics dropped; ``drop_second_given``*,
  ``drop_middle``*, ``one_surname``*: a second given name, a Vietnamese middle
  name or a second surname left out;
* ``day_month``: day and month exchanged (when both are at most 12);
* ``age_naive``: age computed as report year minus birth year (one too many
  before the birthday);
* ``year_off``: birth year one off; ``year_far``: the last two digits swapped
  (or ten off);
* ``nat_confuse``: a neighbouring or related nationality
  (:data:`._countries.CONFUSED_WITH`); ``sex_error``: M and F exchanged;
  ``x_binary``*: sex X written as M or F;
* ``prefix_initial``: for initials, a surname prefix not skipped (``van Dijk``
  as V); ``initial_one``: only one initial sent.

Undocumented persons: every report writes 1 January of the registered year
(``01-01-YYYY``, ``YYYY-01-01`` or ``00-00-YYYY``), re-assessed by the reporter
with the scenario's ``reassess`` chance.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd
from anyascii import anyascii

from linkage.evaluate.heldout._countries import ALPHA2, CONFUSED_WITH, COUNTRIES
from linkage.evaluate.heldout._names import CULTURES, Culture, Entry
from linkage.evaluate.heldout._params import ScenarioParams
from linkage.evaluate.heldout._population import (
    _ASSESS_OFFSETS,
    _ASSESS_WEIGHTS,
    CULTURE_KEYS,
)
from linkage.evaluate.heldout._rand import (
    S_ERRORS,
    S_FAMILY,
    S_MESSY,
    S_RENDER,
    categorical,
    stream,
)
from linkage.evaluate.heldout._reporting import REPORTERS, Simulation
from linkage.evaluate.heldout._translit import romanise

INPUT_COLUMNS: tuple[str, ...] = (
    "case_ref", "report_date", "given_names", "surname", "full_name", "initials", "date_of_birth", "birth_year",
    "age", "nationality", "sex",
)
SCALED_ERRORS = frozenset({
    "typo", "swap", "nickname", "second_first", "translit", "day_month", "age_naive", "year_off", "year_far",
    "nat_confuse", "sex_error", "prefix_initial", "initial_one",
})


@dataclass(frozen=True)
class Profile:
    name: Mapping[str, float]
    birth: Mapping[str, float]
    nationality: Mapping[str, float]
    sex: Mapping[str, float]
    schemes: Mapping[str, float]
    unknown: str
    report_date: str  # iso or dmy
    case_prefix: str
    errors: Mapping[str, float]


PROFILES: dict[str, Profile] = {
    "police": Profile(
        name={"split": 0.75, "full": 0.20, "full_comma": 0.05},
        birth={"iso": 0.55, "dmy": 0.42, "none": 0.03},
        nationality={"alpha3": 0.50, "nl_name": 0.47, "none": 0.03},
        sex={"MV": 0.98, "none": 0.02},
        schemes={"english": 0.4, "dutch": 0.3, "cyrillic": 0.1, "russian": 0.2},
        unknown="onbekend", report_date="iso", case_prefix="PL",
        errors={"typo": 0.02, "swap": 0.02, "nickname": 0.02, "second_first": 0.04, "translit": 0.15,
                "diacritics": 0.30, "day_month": 0.01, "year_off": 0.005, "year_far": 0.001, "nat_confuse": 0.01,
                "sex_error": 0.003, "x_binary": 0.5, "drop_second_given": 0.3, "drop_middle": 0.2,
                "one_surname": 0.2},
    ),
    "kmar": Profile(
        name={"full_comma": 0.70, "full": 0.30},
        birth={"iso": 0.93, "none": 0.07},
        nationality={"alpha3": 0.70, "alpha2": 0.20, "en_name": 0.08, "none": 0.02},
        sex={"MF": 0.97, "none": 0.03},
        schemes={"english": 0.5, "french": 0.2, "german": 0.2, "cyrillic": 0.1},
        unknown="unknown", report_date="iso", case_prefix="KM",
        errors={"typo": 0.01, "swap": 0.01, "second_first": 0.02, "translit": 0.08, "diacritics": 0.5,
                "day_month": 0.005, "year_off": 0.003, "year_far": 0.0005, "nat_confuse": 0.005,
                "sex_error": 0.002, "x_binary": 0.7, "drop_second_given": 0.1, "drop_middle": 0.1,
                "one_surname": 0.1},
    ),
    "nla": Profile(
        name={"full": 0.85, "none": 0.15},
        birth={"dmy": 0.50, "year": 0.35, "none": 0.15},
        nationality={"nl_name": 0.60, "nl_adj": 0.30, "none": 0.10},
        sex={"MV": 0.90, "none": 0.10},
        schemes={"dutch": 0.4, "english": 0.3, "german": 0.2, "russian": 0.1},
        unknown="onbekend", report_date="dmy", case_prefix="NLA",
        errors={"typo": 0.03, "swap": 0.04, "nickname": 0.04, "second_first": 0.06, "translit": 0.25,
                "diacritics": 0.6, "day_month": 0.02, "year_off": 0.015, "year_far": 0.003, "nat_confuse": 0.02,
                "sex_error": 0.004, "x_binary": 0.6, "drop_second_given": 0.5, "drop_middle": 0.4,
                "one_surname": 0.4},
    ),
    "fairwork": Profile(
        name={"initials": 1.0},
        birth={"age": 0.90, "none": 0.10},
        nationality={},
        sex={},
        schemes={"dutch": 0.5, "english": 0.3, "german": 0.1, "russian": 0.1},
        unknown="onbekend", report_date="dmy", case_prefix="FW",
        errors={"typo": 0.02, "swap": 0.05, "nickname": 0.10, "second_first": 0.10, "translit": 0.4,
                "age_naive": 0.4, "year_off": 0.04, "year_far": 0.005, "prefix_initial": 0.10,
                "initial_one": 0.04},
    ),
    "care_coordinator": Profile(
        name={"split": 0.40, "full": 0.40, "given_only": 0.08, "none": 0.12},
        birth={"dmy": 0.55, "age": 0.20, "year": 0.13, "none": 0.12},
        nationality={"nl_adj": 0.60, "nl_name": 0.25, "none": 0.15},
        sex={"nl_words": 0.85, "none": 0.15},
        schemes={"dutch": 0.6, "english": 0.2, "cyrillic": 0.1, "russian": 0.1},
        unknown="onbekend", report_date="dmy", case_prefix="ZC",
        errors={"typo": 0.05, "swap": 0.04, "nickname": 0.06, "second_first": 0.06, "translit": 0.3,
                "diacritics": 0.5, "day_month": 0.03, "age_naive": 0.3, "year_off": 0.03, "year_far": 0.005,
                "nat_confuse": 0.03, "sex_error": 0.005, "x_binary": 0.3, "drop_second_given": 0.5,
                "drop_middle": 0.4, "one_surname": 0.4},
    ),
    "other": Profile(
        name={"split": 0.25, "full": 0.37, "initials": 0.15, "given_only": 0.08, "none": 0.15},
        birth={"iso": 0.15, "dmy": 0.30, "year": 0.15, "age": 0.20, "none": 0.20},
        nationality={"alpha2": 0.10, "en_name": 0.15, "nl_name": 0.25, "nl_adj": 0.15, "en_adj": 0.10,
                     "none": 0.25},
        sex={"MV": 0.30, "MF": 0.10, "nl_words": 0.25, "en_words": 0.15, "none": 0.20},
        schemes={"dutch": 0.3, "english": 0.3, "german": 0.1, "french": 0.1, "cyrillic": 0.1, "russian": 0.1},
        unknown="onbekend", report_date="mixed", case_prefix="OV",
        errors={"typo": 0.06, "swap": 0.05, "nickname": 0.06, "second_first": 0.08, "translit": 0.35,
                "diacritics": 0.6, "day_month": 0.03, "age_naive": 0.3, "year_off": 0.04, "year_far": 0.008,
                "nat_confuse": 0.04, "sex_error": 0.006, "x_binary": 0.4, "prefix_initial": 0.1,
                "initial_one": 0.05, "drop_second_given": 0.5, "drop_middle": 0.4, "one_surname": 0.4},
    ),
}

#: messy values (``messy=True``): what, where, and the columns they go into
MESSY_KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "nationality_XX": ("nationality", "unknown nationality written as the two letters XX",
                       ("care_coordinator", "other")),
    "sex_O": ("sex", "unknown sex written as O (onbekend)", ("nla", "care_coordinator")),
    "sex_W": ("sex", "female written as W (weiblich/woman)", ("other",)),
    "sex_NB": ("sex", "sex X written as NB (non-binary)", ("care_coordinator", "other")),
    "dob_onbekend": ("date_of_birth", "unknown date of birth written as the word onbekend",
                     ("nla", "care_coordinator")),
    "dob_month_name": ("date_of_birth", "date with a Dutch month name: 12 maart 1990, 3 okt. 1985",
                       ("care_coordinator", "other")),
    "dob_two_digit_year": ("date_of_birth", "day-first date with a two-digit year: 17-05-90", ("other",)),
    "age_approx": ("age", "an estimated age: ~34, ca. 34, 34?", ("fairwork", "care_coordinator")),
    "cp1252": ("(file)", "the whole file in Windows-1252 instead of UTF-8", ("care_coordinator", "other")),
}
MESSY_RATE = 0.05
_MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december")
_MONTHS_NL_SHORT = ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")

_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR: dict[str, str] = {}
for _r, _row in enumerate(_KEYBOARD):
    for _c, _ch in enumerate(_row):
        _n = [_row[j] for j in (_c - 1, _c + 1) if 0 <= j < len(_row)]
        for _rr in (_r - 1, _r + 1):
            if 0 <= _rr < len(_KEYBOARD):
                _n += [_KEYBOARD[_rr][j] for j in (_c, _c + 1) if 0 <= j < len(_KEYBOARD[_rr])]
        _NEAR[_ch] = "".join(sorted(set(_n)))
_PREFIXES = frozenset({"van", "de", "der", "den", "het", "'t", "te", "ten", "ter", "da", "do", "dos", "das", "di",
                       "del", "la", "le", "el", "al", "von"})
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss", "ı": "i"})


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _typo(text: str, u0: float, u1: float, u2: float) -> str:
    """One keyboard slip; the first letter with 12% chance."""
    n = len(text)
    if n < 2:
        return text
    pos = 0 if u1 < 0.12 else 1 + int((u1 - 0.12) / 0.88 * (n - 1))
    pos = min(pos, n - 1)
    ch = text[pos]
    op = int(u0 * 4)
    if not ch.isalpha():
        return text
    if op == 0 and ch.lower() in _NEAR:
        near = _NEAR[ch.lower()]
        rep = near[int(u2 * len(near))]
        return text[:pos] + (rep.upper() if ch.isupper() else rep) + text[pos + 1:]
    if op == 1 and n > 3:
        out = text[:pos] + text[pos + 1:]
        return out[0].upper() + out[1:] if pos == 0 else out
    if op == 2:
        return text[:pos] + ch.lower() + text[pos:] if pos else text[0] + text[0].lower() + text[1:]
    if pos + 1 < n and text[pos + 1].isalpha():
        a, b = text[pos], text[pos + 1]
        if pos == 0:
            a, b = a.lower(), b.upper()
        return text[:pos] + b + a + text[pos + 2:]
    return text


def _spell(c: Culture, entry: Entry, u_translit: bool, u: float, scheme: str) -> str:
    """One written form of a name entry."""
    if c.script == "cyrillic":
        name = entry[0]
        if not u_translit:
            return romanise(name, "passport", c.language)
        if scheme == "cyrillic":
            return name
        if scheme == "russian":
            return c.russian.get(name) or romanise(name, "english", c.language)
        return romanise(name, scheme, c.language)
    if u_translit and len(entry) > 1:
        return entry[1 + int(u * (len(entry) - 1))]
    return entry[0]


def _nickname(c: Culture, entry: Entry, u: float) -> str | None:
    forms = c.nicknames.get(entry[0])
    if not forms:
        return None
    return forms[int(u * len(forms))]


@lru_cache(maxsize=65536)
def _first_letter(text: str) -> str:
    for ch in anyascii(text):
        if ch.isalpha():
            return ch.upper()
    return ""


def _surname_initial(text: str, skip_prefix: bool) -> str:
    words = text.split()
    if skip_prefix:
        while len(words) > 1 and words[0].lower() in _PREFIXES:
            words = words[1:]
    return _first_letter(words[0]) if words else ""


def _scaled(p: Mapping[str, float], params: ScenarioParams, key: str) -> float:
    v = p.get(key, 0.0)
    if key in SCALED_ERRORS:
        v *= params.error_scale
    return float(min(v, 0.95))


def _layout_weights(w: Mapping[str, float], scale: float) -> tuple[list[str], list[float]]:
    keys = list(w)
    vals = [w[k] * (scale if k == "none" else 1.0) for k in keys]
    return keys, vals


def _columns(profile_layouts: Mapping[str, Mapping[str, float]]) -> list[str]:
    wanted = {"case_ref", "report_date"}
    name = profile_layouts["name"]
    if name.get("split") or name.get("given_only"):
        wanted |= {"given_names", "surname"} if name.get("split") else {"given_names"}
    if name.get("full") or name.get("full_comma"):
        wanted.add("full_name")
    if name.get("initials"):
        wanted.add("initials")
    birth = profile_layouts["birth"]
    if birth.get("iso") or birth.get("dmy"):
        wanted.add("date_of_birth")
    if birth.get("year"):
        wanted.add("birth_year")
    if birth.get("age"):
        wanted.add("age")
    if any(v for k, v in profile_layouts["nationality"].items() if k != "none"):
        wanted.add("nationality")
    if any(v for k, v in profile_layouts["sex"].items() if k != "none"):
        wanted.add("sex")
    return [c for c in INPUT_COLUMNS if c in wanted]


def dropped_columns(params: ScenarioParams, seed: int) -> dict[str, set[str]]:
    """The reporters that send no sex or no nationality column in this data set."""
    rng = stream(seed, S_FAMILY)
    out: dict[str, set[str]] = {r: set() for r in REPORTERS}
    for field, count in (("sex", params.drop_sex), ("nationality", params.drop_nationality)):
        senders = [r for r in REPORTERS if getattr(PROFILES[r], field)]
        order = np.argsort(rng.random(len(senders)), kind="stable")
        for i in order[: min(count, len(senders))].tolist():
            out[senders[i]].add(field)
    return out


def _date_text(y: int, m: int, d: int, style: str, u: float) -> str:
    if style == "iso":
        return f"{y:04d}-{m:02d}-{d:02d}"
    sep = "-" if u < 0.7 else ("/" if u < 0.9 else ".")
    if u < 0.15 or 0.7 <= u < 0.75:
        return f"{d}{sep}{m}{sep}{y:04d}"
    return f"{d:02d}{sep}{m:02d}{sep}{y:04d}"


def render(sim: Simulation, params: ScenarioParams, seed: int, *, messy: bool) -> tuple[
    dict[str, pd.DataFrame], pd.DataFrame, dict[str, str]
]:
    """The reporters' raw tables, the truth and each table's file encoding."""
    reports = sim.reports
    dropped = dropped_columns(params, seed)
    tables: dict[str, pd.DataFrame] = {}
    truth_parts: list[pd.DataFrame] = []
    encodings: dict[str, str] = {}
    report_id = np.asarray([f"R{i:07d}" for i in range(len(reports))], dtype=object)
    for ri, rep in enumerate(REPORTERS):
        rows = np.flatnonzero(reports.reporter == ri)
        prof = PROFILES[rep]
        layouts = {
            "name": dict(prof.name), "birth": dict(prof.birth),
            "nationality": {} if "nationality" in dropped[rep] else dict(prof.nationality),
            "sex": {} if "sex" in dropped[rep] else dict(prof.sex),
        }
        cols = _columns(layouts)
        rng = stream(seed, S_RENDER, ri)
        rng_err = stream(seed, S_ERRORS, ri)
        rng_messy = stream(seed, S_MESSY, ri)
        table = _render_reporter(rep, prof, layouts, rows, sim, params, rng, rng_err,
                                 rng_messy if messy else None)
        tables[rep] = table[cols].reset_index(drop=True)
        encodings[rep] = "cp1252" if messy and rep in MESSY_KINDS["cp1252"][2] else "utf-8"
        truth_parts.append(pd.DataFrame({
            "report_id": report_id[rows], "reporter": rep, "row": np.arange(len(rows), dtype=np.int64),
            "case_ref": table["case_ref"].to_numpy(),
            "person_id": [f"P{p:07d}" for p in reports.person[rows].tolist()],
            "year": (reports.date[rows].astype("datetime64[Y]").astype(np.int64) + 1970),
        }))
    truth = pd.concat(truth_parts, ignore_index=True).sort_values("report_id", ignore_index=True)
    return tables, truth, encodings


def _render_reporter(
    rep: str,
    prof: Profile,
    layouts: Mapping[str, Mapping[str, float]],
    rows: npt.NDArray[np.int64],
    sim: Simulation,
    params: ScenarioParams,
    rng: np.random.Generator,
    rng_err: np.random.Generator,
    rng_messy: np.random.Generator | None,
) -> pd.DataFrame:
    persons, reports = sim.persons, sim.reports
    n = len(rows)
    pid = reports.person[rows]
    date = reports.date[rows]
    ry = date.astype("datetime64[Y]").astype(np.int64) + 1970
    rm = date.astype("datetime64[M]").astype(np.int64) % 12 + 1
    rd = (date - date.astype("datetime64[M]")).astype(np.int64) + 1

    # layouts per row
    def pick(kind: str) -> list[str]:
        w = layouts[kind]
        if not w:
            return ["absent"] * n
        keys, vals = _layout_weights(w, params.missing_scale)
        return [keys[i] for i in categorical(rng, vals, n).tolist()]

    name_l, birth_l, nat_l, sex_l = pick("name"), pick("birth"), pick("nationality"), pick("sex")
    u = rng.random((n, 8)).tolist()
    # error draws (their own stream, so error_scale leaves the layouts as they were)
    e = prof.errors
    keys = ("typo", "swap", "nickname", "second_first", "translit", "diacritics", "day_month", "age_naive",
            "year_off", "year_far", "nat_confuse", "sex_error", "x_binary", "prefix_initial", "initial_one",
            "drop_second_given", "drop_middle", "one_surname", "reassess", "typo2")
    draws = rng_err.random((n, len(keys)))
    ue = rng_err.random((n, 8)).tolist()
    rate = {k: _scaled(e, params, k) for k in keys}
    rate["reassess"] = params.reassess
    rate["typo2"] = rate["typo"]
    hit = {k: (draws[:, i] < rate[k]).tolist() for i, k in enumerate(keys)}
    scheme_keys = list(prof.schemes)
    schemes = [scheme_keys[i] for i in categorical(rng_err, list(prof.schemes.values()), n).tolist()]
    assess = _ASSESS_OFFSETS[categorical(rng_err, _ASSESS_WEIGHTS, n)].tolist()

    culture = persons.culture[pid].tolist()
    list_sex = persons.list_sex[pid].tolist()
    sex = persons.sex[pid].tolist()
    g1 = persons.given1[pid].tolist()
    g2 = persons.given2[pid].tolist()
    mid = persons.middle[pid].tolist()
    s1 = persons.surname[pid].tolist()
    s2 = persons.surname2[pid].tolist()
    nat = persons.nat[pid].tolist()
    dob = persons.dob[pid]
    by = (dob.astype("datetime64[Y]").astype(np.int64) + 1970).tolist()
    bm = (dob.astype("datetime64[M]").astype(np.int64) % 12 + 1).tolist()
    bd = ((dob - dob.astype("datetime64[M]")).astype(np.int64) + 1).tolist()
    undoc = persons.undocumented[pid].tolist()
    assessed = persons.assessed_year[pid].tolist()
    ry_l, rm_l, rd_l = ry.tolist(), rm.tolist(), rd.tolist()

    out: dict[str, list[str | None]] = {c: [None] * n for c in INPUT_COLUMNS}
    year_count: dict[int, int] = {}
    for i in range(n):
        c = CULTURES[CULTURE_KEYS[culture[i]]]
        uu, ee = u[i], ue[i]
        y_rep = ry_l[i]
        k = year_count.get(y_rep, 0) + 1
        year_count[y_rep] = k
        out["case_ref"][i] = f"{prof.case_prefix}-{y_rep}-{k:05d}"
        style = prof.report_date if prof.report_date != "mixed" else ("iso" if uu[0] < 0.4 else "dmy")
        out["report_date"][i] = _date_text(y_rep, rm_l[i], rd_l[i], style, uu[1])

        # ---- names
        nl = name_l[i]
        if nl != "none":
            names = c.female if list_sex[i] == "F" else c.male
            first, second = g1[i], g2[i]
            if second >= 0 and hit["second_first"][i]:
                first, second = second, first
            scheme = schemes[i]
            tr = hit["translit"][i]
            nick = _nickname(c, names[first], ee[0]) if hit["nickname"][i] else None
            if nick is not None:
                given = romanise(nick, "passport" if not tr or scheme in ("cyrillic", "russian") else scheme,
                                 c.language) if c.script == "cyrillic" else nick
            else:
                given = _spell(c, names[first], tr, ee[1], scheme)
            parts = [given]
            if second >= 0 and not hit["drop_second_given"][i]:
                parts.append(_spell(c, names[second], tr, ee[2], scheme))
            if mid[i] >= 0 and not hit["drop_middle"][i]:
                middles = c.middle_female if list_sex[i] == "F" else c.middle_male
                parts.insert(0, middles[mid[i]])
            given_text = " ".join(parts)
            if c.patronymic:
                sur_text = _spell(c, c.male[s1[i]], tr, ee[3], scheme)
            else:
                pool = c.surnames_female if (c.surnames_female and list_sex[i] == "F") else c.surnames
                sur_text = _spell(c, pool[s1[i]], tr, ee[3], scheme)
                if s2[i] >= 0 and not hit["one_surname"][i]:
                    other = _spell(c, pool[s2[i]], tr, ee[4], scheme)
                    sur_text = f"{other} {sur_text}" if c.key == "brazilian" else f"{sur_text} {other}"
            if hit["diacritics"][i]:
                given_text, sur_text = _fold(given_text), _fold(sur_text)
            if hit["typo"][i]:
                given_text = _typo(given_text, ee[5], ee[6], ee[7])
            if hit["typo2"][i]:
                sur_text = _typo(sur_text, ee[6], ee[7], ee[5])
            swap = hit["swap"][i] if c.swap_factor <= 1 else bool(
                draws[i, 1] < min(0.95, rate["swap"] * c.swap_factor))
            a, b = (sur_text, given_text) if swap else (given_text, sur_text)
            if nl == "split":
                out["given_names"][i], out["surname"][i] = a, b
            elif nl == "given_only":
                out["given_names"][i] = a
            elif nl == "full":
                out["full_name"][i] = f"{a} {b}"
            elif nl == "full_comma":
                out["full_name"][i] = f"{b.upper()}, {a}"
            elif nl == "initials":
                gi = _first_letter(a)
                si = _surname_initial(b, not hit["prefix_initial"][i])
                letters = gi if hit["initial_one"][i] else gi + si
                out["initials"][i] = _initials_text(letters, uu[2])

        # ---- birth
        bl = birth_l[i]
        if bl != "none":
            if undoc[i]:
                yy = assessed[i] if not hit["reassess"][i] else min(by[i] + assess[i], y_rep - 12)
                mm, dd = 1, 1
            else:
                yy, mm, dd = by[i], bm[i], bd[i]
                if hit["day_month"][i] and dd <= 12 and dd != mm:
                    mm, dd = dd, mm
            if hit["year_off"][i]:
                yy += -1 if ee[0] < 0.5 else 1
            if hit["year_far"][i]:
                swapped = yy - yy % 100 + (yy % 10) * 10 + (yy % 100) // 10
                if swapped != yy and y_rep - 95 <= swapped <= y_rep - 5:
                    yy = swapped
                else:
                    yy = yy - 10 if yy - 10 >= y_rep - 95 else yy + 10
            yy = min(yy, y_rep - 1)
            if mm == 2 and dd == 29 and not (yy % 4 == 0 and (yy % 100 != 0 or yy % 400 == 0)):
                dd = 28
            if bl in ("iso", "dmy"):
                if undoc[i] and bl == "dmy" and uu[3] < 0.2:
                    out["date_of_birth"][i] = f"00-00-{yy:04d}"
                else:
                    out["date_of_birth"][i] = _date_text(yy, mm, dd, bl, uu[3])
            elif bl == "year":
                out["birth_year"][i] = str(yy)
            elif bl == "age":
                before = (rm_l[i], rd_l[i]) < (mm, dd)
                age = y_rep - yy - (1 if before and not hit["age_naive"][i] else 0)
                out["age"][i] = f"{age} jaar" if uu[4] < 0.15 else str(age)

        # ---- nationality
        natl = nat_l[i]
        if natl not in ("none", "absent"):
            code = nat[i]
            if code is not None and hit["nat_confuse"][i] and code in CONFUSED_WITH:
                alts = CONFUSED_WITH[code]
                code = alts[int(ee[1] * len(alts))]
            out["nationality"][i] = _nationality_text(code, natl, prof.unknown, uu[5])

        # ---- sex
        sl = sex_l[i]
        if sl not in ("none", "absent"):
            s = sex[i]
            if s == "X" and hit["x_binary"][i]:
                s = list_sex[i]
            if s != "X" and hit["sex_error"][i]:
                s = "F" if s == "M" else "M"
            out["sex"][i] = _sex_text(s, sl)

    if rng_messy is not None:
        _messy(rep, out, rng_messy, undoc)
    return pd.DataFrame(out, dtype=object)


def _initials_text(letters: str, u: float) -> str:
    if u < 0.45:
        return "".join(f"{ch}." for ch in letters)
    if u < 0.8:
        return letters
    if u < 0.9:
        return " ".join(f"{ch}." for ch in letters)
    return "".join(f"{ch.lower()}." for ch in letters)


def _nationality_text(code: str | None, style: str, unknown: str, u: float) -> str | None:
    if code is None:
        return unknown if u < 0.6 else None
    if code == "XXA":
        return "XXA" if style in ("alpha3", "alpha2") else ("staatloos" if style.startswith("nl") else "stateless")
    en, nl, nl_adj, en_adj, _ = COUNTRIES[code]
    return {"alpha3": code, "alpha2": ALPHA2[code], "en_name": en, "nl_name": nl, "nl_adj": nl_adj,
            "en_adj": en_adj}[style]


_SEX_WORDS = {
    "MV": {"M": "M", "F": "V", "X": "X"}, "MF": {"M": "M", "F": "F", "X": "X"},
    "nl_words": {"M": "man", "F": "vrouw", "X": "anders"}, "en_words": {"M": "male", "F": "female", "X": "other"},
}


def _sex_text(s: str, style: str) -> str:
    return _SEX_WORDS[style][s]


def _messy(rep: str, out: dict[str, list[str | None]], rng: np.random.Generator, undoc: list[bool]) -> None:
    """Replace some cells with values today's reader refuses (see :data:`MESSY_KINDS`)."""
    n = len(out["case_ref"])
    u = rng.random((n, len(MESSY_KINDS))).tolist()
    v = rng.random((n, 3)).tolist()
    for i in range(n):
        for j, (kind, (_col, _what, reporters)) in enumerate(MESSY_KINDS.items()):
            if rep not in reporters or u[i][j] >= MESSY_RATE:
                continue
            nat, sex, dob, age = out["nationality"][i], out["sex"][i], out["date_of_birth"][i], out["age"][i]
            if kind == "nationality_XX" and nat in (None, "onbekend", "unknown"):
                out["nationality"][i] = "XX"
            elif kind == "sex_O" and sex is None:
                out["sex"][i] = "O"
            elif kind == "sex_W" and sex in ("V", "F", "vrouw", "female"):
                out["sex"][i] = "W"
            elif kind == "sex_NB" and sex in ("X", "anders", "other"):
                out["sex"][i] = "NB"
            elif kind == "dob_onbekend" and dob is None and out["birth_year"][i] is None and age is None:
                out["date_of_birth"][i] = "onbekend"
            elif kind == "dob_month_name" and dob and _dmy(dob):
                d, m, y = _dmy(dob) or (0, 0, 0)
                months = _MONTHS_NL if v[i][0] < 0.5 else _MONTHS_NL_SHORT
                out["date_of_birth"][i] = f"{d} {months[m - 1]} {y}"
            elif kind == "dob_two_digit_year" and dob and _dmy(dob):
                d, m, y = _dmy(dob) or (0, 0, 0)
                out["date_of_birth"][i] = f"{d:02d}-{m:02d}-{y % 100:02d}"
            elif kind == "age_approx" and age is not None and (undoc[i] or v[i][1] < 0.3):
                number = age.split()[0]
                out["age"][i] = ("~" + number, "ca. " + number, number + "?")[min(int(v[i][2] * 3), 2)]


def _dmy(text: str) -> tuple[int, int, int] | None:
    for sep in "-/.":
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            if len(parts[0]) == 4:
                a, c = c, a
            if 1 <= a <= 31 and 1 <= b <= 12:
                return a, b, c
    return None
