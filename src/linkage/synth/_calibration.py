"""The published figures the generator is calibrated to, and the assumptions beside them.

Every table here is copied from ``/work/shared/domain-brief.md``; the citation after each
one is the brief's own (file, lines) reference into the CoMensha / NRM / Beke sources.
Numbers that are *not* in the sources are marked ``ASSUMPTION`` with the reason.
The package docstring (:mod:`linkage.synth`) summarises all of them in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

REPORTERS: tuple[str, ...] = ("police", "kmar", "nla", "fairwork", "care_coordinator", "other")
FORMS: tuple[str, ...] = ("sexual", "labour", "criminal", "other")

#: Reports per reporter type and year (001_4cb8d68f4a8ac831.txt, 818-830).
REPORTS_PER_REPORTER: Mapping[str, Mapping[int, int]] = {
    "police": {2014: 741, 2015: 649, 2016: 466, 2017: 432, 2018: 530, 2019: 953, 2020: 468, 2021: 307, 2022: 322},
    "kmar": {2014: 321, 2015: 178, 2016: 114, 2017: 139, 2018: 86, 2019: 48, 2020: 31, 2021: 16, 2022: 6},
    "nla": {2014: 72, 2015: 103, 2016: 38, 2017: 38, 2018: 75, 2019: 46, 2020: 38, 2021: 40, 2022: 50},
    "fairwork": {2014: 106, 2015: 121, 2016: 125, 2017: 124, 2018: 5, 2019: 134, 2020: 378, 2021: 255, 2022: 274},
    "care_coordinator": {
        2014: 209, 2015: 166, 2016: 249, 2017: 320, 2018: 91, 2019: 252, 2020: 164, 2021: 198, 2022: 217
    },
    "other": {2014: 215, 2015: 280, 2016: 270, 2017: 145, 2018: 56, 2019: 101, 2020: 54, 2021: 72, 2022: 58},
}

#: Unique presumed victims per year, Figure 3 (001_4cb8d68f4a8ac831.txt, 1167, 1184-1218;
#: 2014, 2021 and 2022 confirmed in the text at 12-13, 138-139, 5024-5025).
UNIQUE_VICTIMS: Mapping[int, int] = {
    2014: 1561, 2015: 1321, 2016: 1049, 2017: 1076, 2018: 742, 2019: 1372, 2020: 1013, 2021: 791, 2022: 814,
}

FIRST_YEAR = 2014
LAST_YEAR = 2022

#: Column order of the nationality-group table below.
NATIONALITY_GROUPS: tuple[str, ...] = ("unknown", "other", "netherlands", "europe", "africa", "asia", "latin_america")

#: Nationality group by form of exploitation (001_4cb8d68f4a8ac831.txt, 5150-5211); cells are
#: Onbekend / Overig / Nederland / Europa / Afrika / Azië / Latijns-Amerika.
#: The 2017 labour "Overig 145" is the coding anomaly the brief flags; it is kept here as published and set to 0
#: by :func:`nationality_group_probs` and :func:`form_shares`, which spreads those persons over the row.
NATIONALITY_BY_FORM: Mapping[int, Mapping[str, tuple[int, ...]]] = {
    2014: {"sexual": (8, 3, 364, 505, 119, 34, 21), "labour": (0, 0, 5, 97, 13, 118, 6),
           "criminal": (0, 0, 22, 9, 0, 3, 1)},
    2015: {"sexual": (16, 5, 370, 262, 106, 56, 12), "labour": (4, 0, 8, 149, 26, 67, 8),
           "criminal": (0, 0, 10, 14, 1, 3, 1)},
    2016: {"sexual": (30, 4, 233, 204, 135, 33, 14), "labour": (14, 1, 5, 133, 13, 51, 2),
           "criminal": (13, 2, 18, 11, 7, 7, 0)},
    2017: {"sexual": (0, 0, 263, 189, 153, 21, 40), "labour": (1, 145, 12, 150, 20, 45, 2),
           "criminal": (1, 0, 30, 16, 7, 8, 1)},
    2018: {"sexual": (0, 0, 135, 105, 278, 13, 24), "labour": (1, 0, 9, 44, 28, 31, 1),
           "criminal": (0, 0, 18, 8, 32, 3, 2)},
    2019: {"sexual": (0, 1, 181, 92, 572, 21, 19), "labour": (2, 0, 8, 132, 84, 28, 6),
           "criminal": (0, 1, 29, 14, 281, 6, 0)},
    2020: {"sexual": (0, 1, 119, 65, 201, 11, 39), "labour": (2, 1, 1, 300, 53, 56, 36),
           "criminal": (2, 2, 39, 5, 100, 5, 1)},
    2021: {"sexual": (0, 0, 189, 59, 88, 16, 34), "labour": (1, 1, 7, 209, 32, 65, 11),
           "criminal": (2, 0, 55, 3, 32, 2, 1)},
    2022: {"sexual": (14, 5, 162, 52, 119, 20, 21), "labour": (6, 0, 4, 235, 22, 54, 27),
           "criminal": (11, 0, 57, 5, 26, 6, 1)},
}

#: Organ removal cases 2014-2022 (001_4cb8d68f4a8ac831.txt, 2366-2370).
ORGAN_REMOVAL: Mapping[int, int] = {2014: 0, 2015: 1, 2016: 0, 2017: 1, 2018: 4, 2019: 6, 2020: 1, 2021: 0, 2022: 0}

#: ASSUMPTION: the "other" form (organ removal, sector "Onbekend") gets the organ-removal
#: count plus this share of all persons, since the sector table has an "Onbekend" code
#: (000_0e233502b058d34e.txt, 22-25) but no count for it.
OTHER_FORM_SHARE = 0.02

#: Reports exceed unique persons within a year by 7-20% (brief §2, derived: 97-213 a year).
#: The per-year ratio reports/unique from the two tables is used, clipped to this band
#: (2014's 1.066 becomes 1.08, so that every year shows some within-year double counts).
RATIO_BAND: tuple[float, float] = (1.08, 1.20)

#: ASSUMPTION: share of a year's newly reported persons that are persons already reported in an
#: earlier generated year (re-victimisation, late reports; 002_2e3788e3634389b4.txt, 62 speaks of
#: half of victims becoming crime victims again within a few years, but with 15-20% of victims
#: ever reported (001_4cb8d68f4a8ac831.txt, 1647-1650) only a small share is reported again).
REPEAT_RATE = 0.08
#: ASSUMPTION: a repeat k years after a person's last report is ``REPEAT_DECAY ** (k - 1)`` as likely.
REPEAT_DECAY = 0.5

#: ASSUMPTION: relative propensity of each reporter's reports to be a second report on a person
#: another report already covers that year.  Care coordinators are highest: the police inform
#: the care coordinator in all cases (001_4cb8d68f4a8ac831.txt, 3019-3020, 4076-4078) and care
#: coordinators report only part of them (1053-1059).  Scaled per year to hit the ratio above.
SECONDARY_PROPENSITY: Mapping[str, float] = {
    "police": 0.03, "kmar": 0.15, "nla": 0.15, "fairwork": 0.04, "care_coordinator": 0.40, "other": 0.15,
}
#: At most this share of one reporter's reports in a year is a second report.
SECONDARY_CAP = 0.9

#: ASSUMPTION: for a second report by reporter *row*, which reporter made the first one (shares).
HOST_SHARES: Mapping[str, Mapping[str, float]] = {
    "police": {"police": 0.30, "kmar": 0.25, "nla": 0.15, "fairwork": 0.05, "care_coordinator": 0.15, "other": 0.10},
    "kmar": {"police": 0.75, "kmar": 0.05, "nla": 0.05, "fairwork": 0.00, "care_coordinator": 0.10, "other": 0.05},
    "nla": {"police": 0.45, "kmar": 0.05, "nla": 0.05, "fairwork": 0.30, "care_coordinator": 0.10, "other": 0.05},
    "fairwork": {"police": 0.25, "kmar": 0.00, "nla": 0.40, "fairwork": 0.05, "care_coordinator": 0.20, "other": 0.10},
    "care_coordinator": {
        "police": 0.72, "kmar": 0.08, "nla": 0.04, "fairwork": 0.08, "care_coordinator": 0.03, "other": 0.05
    },
    "other": {"police": 0.40, "kmar": 0.05, "nla": 0.05, "fairwork": 0.15, "care_coordinator": 0.30, "other": 0.05},
}

#: ASSUMPTION: affinity of each reporter for each form (sexual, labour, criminal, other), used as the
#: prior of an iterative proportional fit to the year's reporter volumes and form shares.
#: FairWork reports labour cases (001_4cb8d68f4a8ac831.txt, 2139-2144); the NLA is the labour inspectorate.
FORM_AFFINITY: Mapping[str, tuple[float, float, float, float]] = {
    "police": (1.0, 0.35, 0.6, 0.3),
    "kmar": (1.0, 0.4, 0.3, 0.3),
    "nla": (0.05, 1.0, 0.3, 0.1),
    "fairwork": (0.02, 1.0, 0.05, 0.05),
    "care_coordinator": (1.0, 0.4, 0.5, 0.3),
    "other": (1.0, 0.5, 0.5, 0.5),
}

#: ASSUMPTION (no numeric split in the seeds): sex shares (M, F, X) by form.  Mostly female
#: (000_0e233502b058d34e.txt, 27-30), men too (003_2468b6ca4c8b6f05.txt, 16-20), more transgender
#: victims seen (001_4cb8d68f4a8ac831.txt, 1556-1557); men mainly in labour exploitation.
SEX_BY_FORM: Mapping[str, tuple[float, float, float]] = {
    "sexual": (0.07, 0.90, 0.03),
    "labour": (0.62, 0.36, 0.02),
    "criminal": (0.55, 0.43, 0.02),
    "other": (0.55, 0.43, 0.02),
}

#: Age band shares (minor 12-17, 18-22, 23+) by form; NRM bands (004_af9306f945b42ee2.txt, 124).
#: Domestic sexual: 29 of 132 reported in 2018 were minors (004_af9306f945b42ee2.txt, 147-155),
#: risk age 12-24 (003_2468b6ca4c8b6f05.txt, 77-79).  Criminal: mostly adults
#: (001_4cb8d68f4a8ac831.txt, 2272-2274).  Labour mostly adults.  Other splits are ASSUMPTIONS.
AGE_BANDS: Mapping[str, tuple[float, float, float]] = {
    "sexual_domestic": (0.25, 0.35, 0.40),
    "sexual": (0.06, 0.30, 0.64),
    "labour": (0.02, 0.12, 0.86),
    "criminal": (0.20, 0.25, 0.55),
    "other": (0.05, 0.15, 0.80),
}
#: ASSUMPTION: ages of 23+ are 23 + an exponential with this mean (years), capped at 75.
AGE_23PLUS_MEAN: Mapping[str, float] = {
    "sexual_domestic": 8.0, "sexual": 9.0, "labour": 14.0, "criminal": 10.0, "other": 12.0,
}


def figure_year(year: int) -> int:
    """The table year whose figures stand in for ``year`` (the nearest of 2014-2022)."""
    return min(max(int(year), FIRST_YEAR), LAST_YEAR)


def reports_per_reporter(year: int) -> npt.NDArray[np.float64]:
    """Reports per reporter (in :data:`REPORTERS` order) for ``year``'s figure year."""
    fy = figure_year(year)
    return np.array([REPORTS_PER_REPORTER[r][fy] for r in REPORTERS], dtype=np.float64)


def report_unique_ratio(year: int) -> float:
    """Reports per unique person within ``year``, from the two tables, clipped to :data:`RATIO_BAND`."""
    fy = figure_year(year)
    total = sum(REPORTS_PER_REPORTER[r][fy] for r in REPORTERS)
    lo, hi = RATIO_BAND
    return float(min(max(total / UNIQUE_VICTIMS[fy], lo), hi))


def nationality_group_probs(year: int) -> dict[str, npt.NDArray[np.float64]]:
    """Probabilities over :data:`NATIONALITY_GROUPS` for each form in ``year``.

    The "other" form uses the sum of the three published rows.
    """
    fy = figure_year(year)
    rows = {f: np.array(v, dtype=np.float64) for f, v in NATIONALITY_BY_FORM[fy].items()}
    if fy == 2017:
        rows["labour"][NATIONALITY_GROUPS.index("other")] = 0.0  # the flagged coding anomaly
    rows["other"] = rows["sexual"] + rows["labour"] + rows["criminal"]
    return {f: rows[f] / rows[f].sum() for f in FORMS}


def form_shares(year: int) -> npt.NDArray[np.float64]:
    """Shares of persons per form (sexual, labour, criminal, other) in ``year``."""
    fy = figure_year(year)
    probs = {f: np.array(v, dtype=np.float64) for f, v in NATIONALITY_BY_FORM[fy].items()}
    if fy == 2017:
        probs["labour"][NATIONALITY_GROUPS.index("other")] = 0.0
    counts = np.array([probs["sexual"].sum(), probs["labour"].sum(), probs["criminal"].sum(), 0.0])
    counts[3] = ORGAN_REMOVAL[fy] + OTHER_FORM_SHARE * counts[:3].sum()
    return np.asarray(counts / counts.sum(), dtype=np.float64)
