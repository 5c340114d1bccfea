"""linkage.synth: determinism, calibration to the brief's tables, and ground truth."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

from linkage.synth import (
    FORMS,
    REPORTERS,
    SynthData,
    SynthError,
    generate,
    true_clusters,
    true_pairs,
    truth_unique_persons,
)
from linkage.synth._calibration import REPORTS_PER_REPORTER, form_shares

DECADE = tuple(range(2014, 2023))


@pytest.fixture(scope="module")
def decade() -> SynthData:
    return generate(seed=20, years=DECADE)


def test_same_seed_gives_identical_output() -> None:
    a = generate(seed=7, years=(2021, 2022))
    b = generate(seed=7, years=(2021, 2022))
    pd.testing.assert_frame_equal(a.reports, b.reports)
    pd.testing.assert_frame_equal(a.persons, b.persons)
    c = generate(seed=8, years=(2021, 2022))
    assert not a.reports[["full_name", "person_id"]].equals(c.reports[["full_name", "person_id"]])


def test_years_are_sorted_and_deduplicated() -> None:
    a = generate(seed=1, years=[2022, 2021, 2022])
    b = generate(seed=1, years=(2021, 2022))
    c = generate(seed=1, years=np.array([2021, 2022]), scale=np.float64(1.0))
    assert a.years == b.years == c.years == (2021, 2022)
    pd.testing.assert_frame_equal(a.reports, b.reports)
    pd.testing.assert_frame_equal(a.reports, c.reports)


@pytest.mark.parametrize("year", [2014, 2018, 2022])
def test_volumes_per_reporter_match_the_table(year: int) -> None:
    data = generate(seed=3, years=(year,))
    counts = data.reports["reporter"].value_counts()
    for reporter in REPORTERS:
        assert counts.get(reporter, 0) == REPORTS_PER_REPORTER[reporter][year]
    scaled = generate(seed=3, years=(year,), scale=2.5).reports["reporter"].value_counts()
    for reporter in REPORTERS:
        expected = 2.5 * REPORTS_PER_REPORTER[reporter][year]
        assert abs(scaled.get(reporter, 0) - expected) <= max(1.0, 0.01 * expected)


def test_years_outside_the_table_use_the_nearest_year() -> None:
    later = generate(seed=2, years=(2026,)).reports["reporter"].value_counts()
    earlier = generate(seed=2, years=(2010,)).reports["reporter"].value_counts()
    for reporter in REPORTERS:
        assert later.get(reporter, 0) == REPORTS_PER_REPORTER[reporter][2022]
        assert earlier.get(reporter, 0) == REPORTS_PER_REPORTER[reporter][2014]


def test_one_year_and_a_decade_have_the_brief_sizes(decade: SynthData) -> None:
    for year in DECADE:
        assert 840 <= int((decade.reports["year"] == year).sum()) <= 1700
    assert 10_500 <= len(decade.reports) <= 11_500


@pytest.mark.parametrize("n", [500, 5_000, 20_000])
def test_n_reports_sets_about_that_total(n: int) -> None:
    data = generate(seed=4, n_reports=n, years=(2020, 2021, 2022))
    assert abs(len(data.reports) - n) <= max(3, 0.01 * n)


def test_reports_exceed_unique_persons_by_7_to_25_percent(decade: SynthData) -> None:
    for year in DECADE:
        n = int((decade.reports["year"] == year).sum())
        unique = truth_unique_persons(decade, year)
        assert 1.07 <= n / unique <= 1.25, year
    big = generate(seed=5, years=(2019, 2022), scale=20)
    for year in (2019, 2022):
        n = int((big.reports["year"] == year).sum())
        assert 1.07 <= n / truth_unique_persons(big, year) <= 1.25


def test_police_persons_also_appear_in_care_coordinator_reports(decade: SynthData) -> None:
    r = decade.reports
    for year in (2016, 2022):
        y = r[r["year"] == year]
        police = set(y.loc[y["reporter"] == "police", "person_id"])
        cc = set(y.loc[y["reporter"] == "care_coordinator", "person_id"])
        assert 0.05 <= len(police & cc) / len(police) <= 0.4
    # KMar, NLA and others overlap with the police sometimes
    pairs = r.groupby(["year", "person_id"])["reporter"].agg(frozenset)
    for other in ("kmar", "nla", "other"):
        assert any({"police", other} <= s for s in pairs), other


def test_some_persons_reappear_in_later_years(decade: SynthData) -> None:
    years_per_person = decade.reports.groupby("person_id")["year"].agg(["nunique", "min"])
    share = float((years_per_person["nunique"] > 1).mean())
    assert 0.02 <= share <= 0.15
    first = decade.persons.set_index("person_id")["first_year"]
    assert (first.loc[years_per_person.index] == years_per_person["min"]).all()
    assert truth_unique_persons(decade) < sum(truth_unique_persons(decade, y) for y in DECADE)


def test_truth_helpers_agree(decade: SynthData) -> None:
    clusters = true_clusters(decade)
    assert len(clusters) == len(decade.reports)
    pairs = true_pairs(decade)
    sizes = decade.reports["person_id"].value_counts()
    assert len(pairs) == int((sizes * (sizes - 1) // 2).sum())
    for a, b in list(pairs)[:2000]:
        assert a < b and clusters[a] == clusters[b]
    assert truth_unique_persons(decade) == len(set(clusters.values())) == len(decade.persons)


def test_persons_table_is_the_truth(decade: SynthData) -> None:
    import pycountry

    p = decade.persons
    assert list(p.columns) == [
        "person_id", "given_name", "surname", "date_of_birth", "nationality", "sex", "form", "first_year"
    ]
    assert p["person_id"].is_unique
    assert set(p["sex"]) <= {"M", "F", "X"}
    assert set(p["form"]) <= set(FORMS)
    codes = {c.alpha_3 for c in pycountry.countries} | {"XXX", "XXA"}
    assert set(p["nationality"]) <= codes
    assert pd.to_datetime(p["date_of_birth"], format="%Y-%m-%d").notna().all()
    merged = decade.reports.merge(p[["person_id", "form"]], on="person_id", suffixes=("", "_person"))
    assert len(merged) == len(decade.reports)
    assert (merged["form"] == merged["form_person"]).all()
    assert decade.reports["report_id"].is_unique


def test_forms_and_reporters_follow_the_brief() -> None:
    data = generate(seed=6, years=(2022,), scale=5)
    first = data.reports.drop_duplicates("person_id")
    shares = first["form"].value_counts(normalize=True)
    for form, expected in zip(FORMS, form_shares(2022), strict=True):
        assert abs(shares.get(form, 0.0) - expected) < 0.03, form
    fairwork = data.reports[data.reports["reporter"] == "fairwork"]
    assert (fairwork["form"] == "labour").mean() > 0.8
    sex = data.persons["sex"].value_counts(normalize=True)
    assert sex["F"] > 0.5 and 0.0 < sex.get("X", 0.0) < 0.06
    labour_men = (data.persons.loc[data.persons["form"] == "labour", "sex"] == "M").mean()
    sexual_men = (data.persons.loc[data.persons["form"] == "sexual", "sex"] == "M").mean()
    assert labour_men > sexual_men
    nat = data.persons["nationality"].value_counts(normalize=True)
    assert nat.index[0] == "NLD"
    assert {"ROU", "POL", "NGA", "BGR", "HUN", "UKR"} <= set(nat.index)


def test_ages_span_the_nra_bands(decade: SynthData) -> None:
    r = decade.reports
    dob = pd.to_datetime(r["person_id"].map(decade.persons.set_index("person_id")["date_of_birth"]))
    age = (pd.to_datetime(r["report_date"]) - dob).dt.days / 365.2425
    assert age.min() >= 11.0  # 12 at the first report; a second report may come a little earlier
    minors = float((age < 18).mean())
    adolescents = float(((age >= 18) & (age < 23)).mean())
    assert 0.04 < minors < 0.2 and 0.15 < adolescents < 0.35


def test_quasi_identifier_tuples_collide_sometimes(decade: SynthData) -> None:
    from linkage.synth._names import main_initial

    p = decade.persons
    key = (
        p["given_name"].str[0] + p["surname"].map(main_initial) + "|" + p["date_of_birth"].str[:4]
        + "|" + p["nationality"] + "|" + p["sex"]
    )
    unique_share = float((key.map(key.value_counts()) == 1).mean())
    assert 0.6 < unique_share < 0.97


def test_errors_are_injected_at_about_their_rates() -> None:
    data = generate(seed=9, years=(2022,), scale=30)
    r = data.reports
    true_year = r["person_id"].map(data.persons.set_index("person_id")["date_of_birth"].str[:4].astype(int))
    cc = r[(r["reporter"] == "care_coordinator") & r["birth_year"].notna()]
    diff = (cc["birth_year"].astype(int) - true_year[cc.index]).abs()
    assert 0.02 < (diff == 1).mean() < 0.07
    assert 0.0 < (diff == 2).mean() < 0.03
    assert diff.max() <= 2
    police = r[(r["reporter"] == "police") & r["date_of_birth"].notna()]
    iso = police["date_of_birth"].where(police["date_of_birth"].str[4] == "-")
    dutch = police["date_of_birth"].where(police["date_of_birth"].str[2] == "-")
    assert iso.notna().mean() > 0.6 and dutch.notna().mean() > 0.2


def test_bad_arguments_raise() -> None:
    kwargs: dict[str, Any]
    for kwargs in (
        {"years": ()}, {"years": "2022"}, {"years": (1200,)}, {"scale": 0}, {"scale": float("nan")},
        {"seed": -1}, {"n_reports": 0}, {"profiles": {"nobody": {}}},
    ):
        with pytest.raises(SynthError):
            generate(**kwargs)


def test_tiny_volumes_work() -> None:
    assert len(generate(seed=1, n_reports=1).reports) <= 2
    small = generate(seed=1, scale=0.01)
    assert len(small.reports) == round(0.01 * 927)


def test_100k_reports_are_fast() -> None:
    t0 = time.perf_counter()
    data = generate(seed=1, n_reports=100_000)
    seconds = time.perf_counter() - t0
    print(f"generate(n_reports=100_000): {len(data.reports)} reports in {seconds:.2f} s")
    assert abs(len(data.reports) - 100_000) < 100
    assert seconds < 10
    assert np.isclose(len(data.reports) / truth_unique_persons(data), 927 / 814, atol=0.02)
