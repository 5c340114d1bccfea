"""Synthetic CoMensha-style reports with ground truth, for tests, demos and benchmarks.

No real personal data: names are drawn at random from small lists of common given names and
surnames per language group, dates of birth and everything else from the distributions below.

Usage::

    from linkage.synth import generate, reporter_tables, true_pairs, truth_unique_persons

    data = generate(seed=1, years=range(2014, 2023))     # ~11,000 reports, a decade
    data.reports          # one row per report: raw quasi-identifiers + truth (person_id, form)
    data.persons          # one row per true person
    tables = reporter_tables(data)                       # {"police": DataFrame, "fairwork": ...}
    truth_unique_persons(data, year=2022)                # 814
    big = generate(seed=1, n_reports=1_000_000)          # about 1M reports, a few seconds

Public API
==========

- :func:`generate` ``(*, seed=0, years=(2022,), scale=1.0, n_reports=None, profiles=None)``
  -> :class:`SynthData` (frozen: ``reports``, ``persons``, ``seed``, ``years``, ``scale``,
  ``profiles``).  Same arguments, identical output.
- :func:`reporter_tables` ``(data)`` -> ``{reporter: DataFrame}``: each reporter's raw table with
  only the columns it sends (``case_ref``, ``report_date`` and its quasi-identifiers), rows in
  the order of that reporter's rows in ``data.reports``.
- :func:`truth_unique_persons` ``(data, year=None)``, :func:`true_pairs` ``(data)`` (sorted
  report_id pairs of the same person), :func:`true_clusters` ``(data)`` (report_id -> person_id).
- :func:`default_profiles` (a copy of the reporter profiles to modify and pass as ``profiles``),
  :func:`profile_table` (the table below), :data:`ERROR_RATES` (what each error does),
  :data:`NATIONALITY_ADJECTIVES`, :data:`REPORTERS`, :data:`FORMS`, :class:`SynthError`.

``reports`` columns: ``report_id``, ``reporter`` (police, kmar, nla, fairwork, care_coordinator,
other), ``year``, ``report_date`` (ISO), ``full_name``, ``given_names``, ``surname``, ``initials``,
``date_of_birth`` (ISO ``YYYY-MM-DD`` or Dutch ``DD-MM-YYYY``), ``birth_year``, ``age`` (at the
report date), ``nationality``, ``sex``, ``case_ref``, then the truth ``person_id`` and ``form``
(sexual, labour, criminal, other).  Missing text is ``None``; ``birth_year`` and ``age`` are
nullable ``Int64`` (missing is ``<NA>``).  ``persons`` columns: ``person_id``, ``given_name``,
``surname`` (canonical spelling; Cyrillic names in passport transliteration), ``date_of_birth``
(ISO), ``nationality`` (ISO 3166-1 alpha-3; ``XXX`` unknown, ``XXA`` stateless, the ICAO codes
in ISO's user-assigned range), ``sex`` (M/F/X), ``form``, ``first_year``.

Raw value forms.  A nationality is written as ISO alpha-2, ISO alpha-3, the English name exactly
as ``pycountry`` has it, the Dutch name from ``pycountry``'s Dutch gettext catalogue, a Dutch
adjective (base or inflected: Roemeens/Roemeense) or English adjective from
:data:`NATIONALITY_ADJECTIVES`, or onbekend/unknown/staatloos/stateless.  Sex is one of M, V, F,
X, man, vrouw, male, female, onbekend, unknown.  Initials are ``A.P.`` or ``AP`` (first given
name, then surname with Dutch/Arabic prefixes skipped), or one letter when one is missing.

Calibration
===========

Sources are cited as in ``/work/shared/domain-brief.md``: (file, lines).  ASSUMPTION marks a
number the seeds do not give.

Volumes
-------

- Reports per reporter and year are the table of 001_4cb8d68f4a8ac831.txt, 818-830, times
  ``scale`` (largest-remainder rounding, so at scale 1 they are exact):

  ====  ======  ====  ===  ========  ================  =====  =====
  year  police  kmar  nla  fairwork  care_coordinator  other  total
  ====  ======  ====  ===  ========  ================  =====  =====
  2014  741     321   72   106       209               215    1664
  2015  649     178   103  121       166               280    1497
  2016  466     114   38   125       249               270    1262
  2017  432     139   38   124       320               145    1198
  2018  530     86    75   5         91                56     843
  2019  953     48    46   134       252               101    1534
  2020  468     31    38   378       164               54     1133
  2021  307     16    40   255       198               72     888
  2022  322     6     50   274       217               58     927
  ====  ======  ====  ===  ========  ================  =====  =====

  Years outside 2014-2022 use the nearest year's figures (2013 and before like 2014, 2023 and
  after like 2022).  ``n_reports`` sets ``scale`` to ``n_reports / (table total of the years)``.
  The estimated true number of victims is 5,000-7,500 a year (001_4cb8d68f4a8ac831.txt, 1-2,
  5026-5029; 004_af9306f945b42ee2.txt, 80-81), 5-7 times the reports: ``scale`` 6 simulates
  full visibility, ``scale`` ~1,000 gives a million reports for benchmarks.
- Unique persons per year: reports / ratio, with the ratio of the two published tables
  (reports above; unique victims 1561, 1321, 1049, 1076, 742, 1372, 1013, 791, 814 for
  2014-2022, 001_4cb8d68f4a8ac831.txt, 1184-1218) clipped to 1.08-1.20, the brief's "reports
  exceed unique victims by 7-20%".  Ratios: 2014 1.08 (1.066 clipped), 2015 1.133, 2016 1.20
  (1.203 clipped), 2017 1.113, 2018 1.136, 2019 1.118, 2020 1.118, 2021 1.123, 2022 1.139.
  At scale 1 the unique count is exact: 1541 in 2014 (the published 1561 gives 1.066), 814 in 2022.
- Second reports within a year (reports minus unique persons) are shared out over reporters by
  propensity (ASSUMPTION): care_coordinator 0.40, kmar 0.15, nla 0.15, other 0.15, fairwork
  0.04, police 0.03, scaled per year to the target and capped at 90% of a reporter's reports.
  The first report on the same person is, by reporter of the second one (ASSUMPTION):
  care_coordinator -> police 0.72, kmar 0.08, fairwork 0.08, other 0.05, nla 0.04, itself 0.03
  (the police inform the care coordinator in all cases, 001_4cb8d68f4a8ac831.txt, 3019-3020,
  4076-4078; care coordinators report only part of them, 1052-1059); kmar -> police 0.75;
  nla -> police 0.45, fairwork 0.30; fairwork -> nla 0.40, police 0.25, care_coordinator 0.20;
  other -> police 0.40, care_coordinator 0.30, fairwork 0.15; police -> police (another unit)
  0.30, kmar 0.25, nla 0.15, care_coordinator 0.15; each weighted by the form affinity below.
  In 2022 about 18% of police-reported persons also appear in a care-coordinator report.
  A second report is dated Normal(21, 45) days after the first, reflected into the same year.
- Repeats across years (re-victimisation, late reports; 002_2e3788e3634389b4.txt, 62): 8% of a
  year's newly reported persons are persons of the same form reported in an earlier generated
  year, a gap of k years weighted 0.5**(k-1) (ASSUMPTION; only years in ``years`` count).  A
  decade at scale 1 has about 9,100 distinct persons for 9,700 person-years (6% in >1 year).

Persons
-------

- Form of exploitation: per year the shares of the "nationality group by form" table
  (001_4cb8d68f4a8ac831.txt, 5150-5211), e.g. 2022 sexual 45.5%, labour 40.3%, criminal 12.3%
  (the brief's 46/41/13); "other" (organ removal 0-6 a year, 001_4cb8d68f4a8ac831.txt,
  2366-2370, and sector Onbekend) is the organ count plus 2% (ASSUMPTION).  Forms are assigned
  to reporters by an iterative proportional fit of reporter volumes to those shares, with prior
  affinities (sexual, labour, criminal, other; ASSUMPTION): police 1/0.35/0.6/0.3, kmar
  1/0.4/0.3/0.3, nla 0.05/1/0.3/0.1, fairwork 0.02/1/0.05/0.05 (FairWork reports labour cases,
  001_4cb8d68f4a8ac831.txt, 2139-2144), care_coordinator 1/0.4/0.5/0.3, other 1/0.5/0.5/0.5.
- Nationality group (Onbekend / Overig / Nederland / Europa / Afrika / Azië / Latijns-Amerika)
  by form and year: the same table as probabilities ("other" form: the three rows summed).  The
  2017 labour "Overig 145", which the brief flags as a coding anomaly, is set to 0.
- Country within group (ASSUMPTION, shaped by 003_2468b6ca4c8b6f05.txt, 25-27 "Roemenië, Polen,
  Hongarije, Bulgarije en Nigeria" and 001_4cb8d68f4a8ac831.txt, 1613-1617, Romanian women
  replacing Hungarian women): Europa ROU 0.18->0.32 and HUN 0.28->0.10 linearly over
  2014-2022, POL 0.17 (x2 in labour), BGR 0.12, UKR 0.02 (0.08 from 2022, flagged in
  002_2e3788e3634389b4.txt, 37), SVK 0.04, LTU, MDA, ALB 0.03, LVA, CZE, RUS 0.02; Afrika
  NGA 0.58, ERI 0.08, GHA 0.08, SLE, GIN, MAR 0.06, UGA, CMR 0.04; Azië VNM 0.20, CHN 0.18,
  IND 0.15, SYR 0.13, PHL 0.12, AFG 0.12, THA 0.10; Latijns-Amerika BRA 0.25, COL 0.25,
  SUR 0.20, VEN 0.15, DOM 0.15; Overig USA 0.5, AUS 0.3, CAN 0.2; Onbekend XXX 0.75, XXA 0.25.
- Sex (M/F/X) by form (ASSUMPTION; no numeric split in the seeds; mostly female,
  000_0e233502b058d34e.txt, 27-30; men too, 003_2468b6ca4c8b6f05.txt, 16-20; more transgender
  victims, 001_4cb8d68f4a8ac831.txt, 1556-1557): sexual 0.07/0.90/0.03, labour 0.62/0.36/0.02,
  criminal and other 0.55/0.43/0.02.  Overall about 70% F, 27% M, 3% X.
- Age at first report, NRM bands minor (12-17) / 18-22 / 23+ (004_af9306f945b42ee2.txt, 124):
  domestic (Dutch) sexual 0.25/0.35/0.40 (29 of 132 reported were minors in 2018,
  004_af9306f945b42ee2.txt, 147-155; risk age 12-24, 003_2468b6ca4c8b6f05.txt, 77-79);
  cross-border sexual 0.06/0.30/0.64; labour 0.02/0.12/0.86; criminal 0.20/0.25/0.55 (mostly
  adults, 001_4cb8d68f4a8ac831.txt, 2272-2274); other 0.05/0.15/0.80.  23+ is 23 plus an
  exponential with mean 8 (domestic sexual), 9 (sexual), 14 (labour), 10 (criminal), 12
  (other) years, capped at 75 (ASSUMPTION).  Overall about 10% minors, 25% 18-22.
- Names: per nationality a language group (Dutch, Romanian (also Moldova), Polish, Hungarian,
  Bulgarian, Ukrainian, Russian in Cyrillic, Baltic, Czech/Slovak, Albanian, West African,
  Guinean, Tigrinya, Arabic, Dari, Chinese, Vietnamese, Hindi, Filipino, Thai, Portuguese,
  Spanish, Surinamese, English; unknown/stateless persons get Arabic, Tigrinya, West African,
  Dari, Guinean, Ukrainian or Romanian names), names drawn uniformly within each list
  (calibrated: 91.6% unique tuples on 10,000 persons; the brief measured 92.5%)
  so initials are skewed (Romanian M/A/I, Dutch surnames J/M/S, Vietnamese women "Thị");
  second given names 0-30% by group.  Initials + birth year + nationality + sex is unique for
  about 97% of one year's persons and about 83% of a decade's, so a dedup on that tuple
  alone cannot be perfect.

Reporter profiles and errors
============================

Per reporter: the share of rows written in each format (``name``, ``birth``, ``nationality``,
``sex``, ``initials_style``), the word for unknown, and per-row error rates (ASSUMPTIONS, shaped
by the brief: the police send full records, KMar and the NLA much the same, FairWork only two
initials (001_4cb8d68f4a8ac831.txt, 864-867), care coordinators filter and send less
(1053-1055), others vary).  Pass ``profiles={"fairwork": {"errors": {"initial_wrong": 0.1}}}``
to :func:`generate` to vary them; an override replaces a whole format distribution and merges
error rates.  The defaults (:func:`profile_table`)::

    =========================  ========  =======  =======  ========  ================  ========
    parameter                  police    kmar     nla      fairwork  care_coordinator  other
    =========================  ========  =======  =======  ========  ================  ========
    name: split                0.85      -        -        -         0.05              0.1
    name: full                 0.15      1        0.95     -         0.72              0.4
    name: given_only           -         -        -        -         0.08              0.1
    name: initials             -         -        -        1         -                 0.15
    name: missing              -         -        0.05     -         0.15              0.25
    birth: iso                 0.7       0.85     0.45     -         0.1               0.12
    birth: dutch               0.27      0.12     0.2      -         0.3               0.18
    birth: year                -         -        0.3      -         0.45              0.2
    birth: age                 -         -        -        0.92      -                 0.2
    birth: missing             0.03      0.03     0.05     0.08      0.15              0.3
    nationality: alpha3        0.6       -        -        -         -                 0.05
    nationality: alpha2        -         0.45     0.45     -         -                 0.05
    nationality: en_name       -         0.45     0.4      -         -                 0.05
    nationality: nl_name       0.37      -        -        0.25      0.45              0.25
    nationality: nl_adj        -         -        -        0.35      0.25              0.15
    nationality: nl_adj_e      -         -        -        0.3       0.1               0.05
    nationality: en_adj        -         -        -        -         -                 0.05
    nationality: unknown       0.02      0.05     0.1      0.08      0.12              0.2
    nationality: missing       0.01      0.05     0.05     0.02      0.08              0.15
    sex: M/V                   0.99      -        0.95     0.2       -                 0.25
    sex: M/F                   -         0.97     -        -         -                 0.05
    sex: man/vrouw             -         -        -        0.4       0.85              0.35
    sex: male/female           -         -        -        -         -                 0.1
    sex: unknown               0.01      0.03     0.05     -         0.05              0.15
    sex: missing               -         -        -        0.4       0.1               0.1
    initials_style: dotted     1         1        1        0.6       1                 0.5
    initials_style: plain      -         -        -        0.4       -                 0.5
    unknown_word               onbekend  unknown  unknown  onbekend  onbekend          onbekend
    error: birth_year_off1     0.01      0.02     0.03     0.04      0.04              0.05
    error: birth_year_off2     0.002     0.004    0.005    0.01      0.01              0.015
    error: day_month_swap      0.005     0.01     0.01     -         0.02              0.02
    error: translit_variant    0.1       0.25     0.4      0.5       0.6               0.6
    error: cyrillic_script     0.02      0.03     0.02     0.02      0.05              0.08
    error: diacritics_drop     0.25      0.4      0.5      0.5       0.5               0.6
    error: diacritics_variant  0.05      0.05     0.05     -         0.05              0.05
    error: name_order_swap     0.02      0.05     0.05     0.05      0.08              0.1
    error: name_typo           0.01      0.02     0.03     -         0.04              0.06
    error: second_given_drop   0.1       0.3      0.3      -         0.4               0.4
    error: initial_wrong       -         -        -        0.03      -                 0.02
    error: initial_missing     -         -        -        0.03      -                 0.03
    error: nationality_wrong   0.005     0.01     0.01     0.02      0.02              0.03
    =========================  ========  =======  =======  ========  ================  ========

Formats: ``name`` split = ``given_names`` + ``surname`` columns, full = ``full_name``,
given_only = ``given_names`` only, initials = ``initials``; ``birth`` iso/dutch =
``date_of_birth``, year = ``birth_year``, age = ``age`` at the report date; ``nationality`` as
listed under raw value forms (nl_adj_e is the inflected Dutch adjective, Poolse); ``sex`` M/V,
M/F, man/vrouw, male/female (a person of sex X is ``X`` in the letter formats and the unknown
word in the word formats).  What each error does is in :data:`ERROR_RATES`; notes: birth-year
errors move the date, birth year and age alike; a swapped name order puts the surname in the
``given_names`` column (split) or first in ``full_name`` (with a comma half of the time) or
first in the initials, and is multiplied by a name group's factor (Chinese and Vietnamese x8,
Hungarian x3, West African, Guinean and Tigrinya x2, Arabic and Dari x1.5); Cyrillic-origin
names are in passport spelling unless ``cyrillic_script`` (original script) or
``translit_variant`` (one of Dutch, German, scholarly or Russian form, equally likely:
Yuliia / Joelija / Julija / Yuliya; Khrystyna / Chrystyna / Christina / Kristina; Halyna /
Galina; Oleksandr / Aleksandr) applies, so the initials of one person can differ between
reporters.

Performance: one year at scale 1 takes a few hundredths of a second, a decade about 0.2 s, and
a million reports about 5-7 s and 1 GB of memory (columnar numpy throughout; Python loops run
only to format strings).
"""

from linkage.synth._calibration import FORMS, REPORTERS
from linkage.synth._countries import NATIONALITY_ADJECTIVES, Adjectives
from linkage.synth._generate import (
    SynthData,
    generate,
    reporter_tables,
    true_clusters,
    true_pairs,
    truth_unique_persons,
)
from linkage.synth._reporters import ERROR_RATES, SynthError, default_profiles, profile_table

__all__ = [
    "ERROR_RATES",
    "FORMS",
    "NATIONALITY_ADJECTIVES",
    "REPORTERS",
    "Adjectives",
    "SynthData",
    "SynthError",
    "default_profiles",
    "generate",
    "profile_table",
    "reporter_tables",
    "true_clusters",
    "true_pairs",
    "truth_unique_persons",
]
