"""The held-out scenario generator: frozen data sets, independence from linkage.synth, what each family varies."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import linkage
from linkage.errors import InputError, LinkageError
from linkage.evaluate import exact_key_labels, heldout
from linkage.evaluate.heldout._countries import ALPHA2, COUNTRIES
from linkage.evaluate.heldout._laws import pitman_yor, power_weights
from linkage.evaluate.heldout._translit import romanise
from linkage.normalise import normalise_nationality

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "benchmarks" / "quality" / "heldout" / "scenarios.json"
PACKAGE = ROOT / "src" / "linkage" / "evaluate" / "heldout"


@pytest.fixture(scope="module")
def frozen() -> heldout.Scenarios:
    return heldout.load_scenarios(SCENARIOS)


def _small(**kw: object) -> heldout.ScenarioParams:
    return heldout.ScenarioParams(reports=(300, 300), **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- frozen data sets


@pytest.mark.parametrize(("family", "dataset"), [
    ("base", "10001"), ("names_pitman_yor", "12050"), ("errors_double", "13007"), ("siblings", "15001"),
    ("undocumented", "16002"), ("missing_fields", "17003"), ("dominant_nationality", "14001"), ("febrl", "1/none"),
    ("febrl", "2/19001"),
])
def test_frozen_hashes_fast(frozen: heldout.Scenarios, family: str, dataset: str) -> None:
    data = heldout.family_dataset(family, dataset)
    assert heldout.dataset_sha256(data) == frozen.sha256[(family, dataset)]


@pytest.mark.slow
def test_frozen_hashes_all(frozen: heldout.Scenarios) -> None:
    bad = [(name, ds) for (name, ds), sha in sorted(frozen.sha256.items())
           if heldout.dataset_sha256(heldout.family_dataset(name, ds)) != sha]
    assert bad == []


def test_scenarios_file_matches_the_package(frozen: heldout.Scenarios) -> None:
    assert set(frozen.families) == set(heldout.FAMILIES)
    for name, fam in heldout.FAMILIES.items():
        listed = frozen.families[name]
        assert listed.params == fam.params and listed.kind == fam.kind
        assert listed.dev == fam.dev and listed.heldout == fam.heldout
        assert not set(listed.dev) & set(listed.heldout), name
        if fam.kind == "year":
            assert len(fam.heldout) >= 50, name


def test_heldout_seed_ranges_do_not_overlap() -> None:
    owners: dict[str, str] = {}
    for name, fam in heldout.FAMILIES.items():
        if fam.kind == "febrl":
            continue
        for ds in fam.heldout + fam.dev:
            if ds in owners and {owners[ds], name} != {"errors_half", "errors_double"}:
                pytest.fail(f"seed {ds} used by {owners[ds]} and {name}")
            owners[ds] = name


def test_same_arguments_same_bytes_in_another_process() -> None:
    code = ("from linkage.evaluate import heldout; import sys; "
            "d = heldout.generate(heldout.ScenarioParams(reports=(300, 300)), 77); "
            "print(heldout.dataset_sha256(d)); print('linkage.synth' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == heldout.dataset_sha256(heldout.generate(_small(), 77))
    assert out[1] == "False"  # the generator never loads linkage.synth
    assert heldout.dataset_sha256(heldout.generate(_small(), 78)) != out[0]


def test_never_imports_the_development_generator() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("linkage.synth"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("linkage.synth") for a in node.names), path.name


def test_canonical_csv_distinguishes_not_sent_from_empty() -> None:
    data = heldout.generate(_small(), 3)
    text = heldout.canonical_csv(data).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "report_id,field,value"
    fw = data.truth[data.truth["reporter"] == "fairwork"]["report_id"].iloc[0]
    fields = [ln.split(",")[1] for ln in lines[1:] if ln.startswith(fw + ",")]
    assert fields == ["reporter", "year", "person_id", "case_ref", "report_date", "initials", "age"]
    changed = {k: v.copy() for k, v in data.tables.items()}
    changed["fairwork"]["sex"] = None  # a column of empty cells is not the same as no column
    other = heldout.HeldoutData(data.family, data.seed, data.params, changed, data.truth, data.encodings)
    assert heldout.dataset_sha256(other) != heldout.dataset_sha256(data)


# ---------------------------------------------------------------------------- what the reader gets


@pytest.mark.parametrize("family", ["base", "names_power", "names_pitman_yor", "errors_double", "siblings",
                                    "undocumented", "missing_fields", "dominant_nationality"])
def test_default_values_are_all_accepted_by_todays_reader(family: str, schema: linkage.Schema) -> None:
    fam = heldout.FAMILIES[family]
    for ds in fam.dev[:2]:
        data = heldout.family_dataset(fam, ds)
        for table in data.tables.values():
            assert set(table.columns) <= set(heldout.INPUT_COLUMNS)
            linkage.normalise_records(table, schema)  # raises on any refused value


def test_decade_values_accepted_and_years(schema: linkage.Schema) -> None:
    data = heldout.family_dataset("decade", "801")
    assert data.years == list(range(2014, 2023))
    per_year = data.truth.groupby("year").size()
    assert per_year.between(800, 1700).all()
    assert (data.truth.groupby("person_id")["year"].nunique() > 1).sum() > 100  # re-reports across years
    for table in data.tables.values():
        linkage.normalise_records(table, schema)


def test_messy_adds_refused_values_and_changes_nothing_else(schema: linkage.Schema) -> None:
    params = heldout.FAMILIES["base"].params
    seen: set[str] = set()
    for seed in range(5, 11):
        clean = heldout.generate(params, seed)
        messy = heldout.generate(params, seed, messy=True)
        pd.testing.assert_frame_equal(clean.truth, messy.truth)
        for rep, table in messy.tables.items():
            base = clean.tables[rep]
            diff = (table.fillna("\0") != base.fillna("\0"))
            for col in table.columns[diff.any(axis=0)]:
                vals = set(table.loc[diff[col], col])
                seen |= {f"{col}:{v}" for v in vals}
            if diff.to_numpy().any():
                with pytest.raises(InputError):
                    linkage.normalise_records(table, schema)
        assert messy.encodings["care_coordinator"] == "cp1252" and clean.encodings["care_coordinator"] == "utf-8"
    assert {"nationality:XX", "sex:O", "sex:W", "sex:NB", "date_of_birth:onbekend"} <= seen
    dob = [s[len("date_of_birth:"):] for s in seen if s.startswith("date_of_birth:")]
    assert any(" maart " in d or " mrt. " in d or " mei " in d for d in dob)  # Dutch month names
    assert any(len(d) == 8 and d[2] == "-" and d[5] == "-" for d in dob)  # two-digit years
    ages = [s[len("age:"):] for s in seen if s.startswith("age:")]
    assert any(a.startswith("~") for a in ages) and any(a.startswith("ca. ") for a in ages)
    assert any(a.endswith("?") for a in ages)


def test_write_tables_uses_each_reporters_encoding(tmp_path: Path) -> None:
    data = heldout.generate(heldout.FAMILIES["base"].params, 5, messy=True)
    paths = heldout.write_tables(data, tmp_path)
    assert set(paths) == set(data.tables) | {"truth"}
    # Windows-1252 is found and read (intake, issue 12): the same rows as the UTF-8 table
    care = linkage.read_table(paths["care_coordinator"])
    assert len(care) == len(data.tables["care_coordinator"])
    police = linkage.read_table(paths["police"])
    assert len(police) == len(data.tables["police"])


def test_every_written_nationality_form_is_read_as_its_code() -> None:
    for code, (en, nl, nl_adj, en_adj, _) in COUNTRIES.items():
        forms = [code, ALPHA2[code], en, nl, nl_adj, en_adj]
        for form in forms:
            assert normalise_nationality(form) == code, (code, form)


def test_fairwork_sends_two_initials_and_an_age_only() -> None:
    data = heldout.generate(_small(), 11)
    fw = data.tables["fairwork"]
    assert list(fw.columns) == ["case_ref", "report_date", "initials", "age"]
    letters = fw["initials"].dropna().map(lambda s: sum(ch.isalpha() for ch in s))
    assert letters.isin([1, 2]).all() and (letters == 2).mean() > 0.9


def test_truth_rows_match_tables() -> None:
    data = heldout.generate(_small(years=(2021, 2022)), 4)
    for rep, table in data.tables.items():
        t = data.truth[data.truth["reporter"] == rep].sort_values("row")
        assert t["row"].tolist() == list(range(len(table)))
        assert t["case_ref"].tolist() == table["case_ref"].tolist()
        years = pd.to_datetime(table["report_date"], dayfirst=True, format="mixed").dt.year
        assert years.tolist() == t["year"].tolist()
    assert data.truth.groupby("year").size().tolist() == [300, 300]


# ---------------------------------------------------------------------------- what each family varies


def _normalised(data: heldout.HeldoutData, schema: linkage.Schema) -> pd.DataFrame:
    parts = []
    for rep in sorted(data.tables):
        n = linkage.normalise_records(data.tables[rep], schema)
        t = data.truth[data.truth["reporter"] == rep].sort_values("row")
        parts.append(n.assign(person=t["person_id"].to_numpy(), reporter=rep))
    return pd.concat(parts, ignore_index=True)


def _initials_disagreement(data: heldout.HeldoutData, schema: linkage.Schema) -> float:
    n = _normalised(data, schema)
    n = n[n["initials"].map(lambda v: isinstance(v, str) and len(v) == 2)]
    per = n.groupby("person")["initials"].nunique()
    multi = n.groupby("person").size() > 1
    return float((per[multi] > 1).mean())


def test_error_scale_changes_errors_not_persons(schema: linkage.Schema) -> None:
    half = heldout.family_dataset("errors_half", "301")
    double = heldout.family_dataset("errors_double", "301")
    pd.testing.assert_frame_equal(half.truth, double.truth)
    for rep in half.tables:  # the same layouts: the same cells empty
        assert (half.tables[rep].isna() == double.tables[rep].isna()).all().all()
    assert _initials_disagreement(double, schema) > 1.5 * _initials_disagreement(half, schema)


def test_siblings_share_surname_nationality_and_twins_a_birth_date() -> None:
    from linkage.evaluate.heldout._reporting import simulate

    sim = simulate(heldout.FAMILIES["siblings"].params, 501)
    p = sim.persons
    fam = p.family[p.family >= 0]
    assert len(np.unique(fam)) > 0.3 * len(p) / 2.5 * 0.8
    for f in np.unique(fam)[:50]:
        idx = np.flatnonzero(p.family == f)
        assert len(set(p.surname[idx].tolist())) == 1 and len(set(p.culture[idx].tolist())) == 1
        assert len({str(v) for v in p.nat[idx]}) == 1
    assert p.twin.sum() > 0
    for i in np.flatnonzero(p.twin)[:30]:
        head = np.flatnonzero(p.family == p.family[i])[0]
        assert p.dob[i] == p.dob[head]


def test_undocumented_dates_are_first_of_january(schema: linkage.Schema) -> None:
    data = heldout.family_dataset("undocumented", "601")
    base = heldout.family_dataset("base", "1")

    def jan1(d: heldout.HeldoutData) -> float:
        dob = pd.concat([t["date_of_birth"] for t in d.tables.values() if "date_of_birth" in t]).dropna()
        return float(dob.str.match(r"^(01-01-|00-00-|1-1-|01/01/|01\.01\.|\d{4}-01-01)").mean())

    assert jan1(data) > 0.2 and jan1(base) < 0.08


def test_missing_fields_drop_whole_columns() -> None:
    data = heldout.family_dataset("missing_fields", "701")
    senders = [r for r in heldout.REPORTERS if r != "fairwork"]
    assert sum("sex" not in data.tables[r].columns for r in senders) == 2
    assert sum("nationality" not in data.tables[r].columns for r in senders) == 2


def test_dominant_nationality_takes_its_share(schema: linkage.Schema) -> None:
    data = heldout.family_dataset("dominant_nationality", "401")
    n = _normalised(data, schema).dropna(subset=["nationality"])
    first = n.drop_duplicates("person")
    share = (first["nationality"] == data.info["dominant"]).mean()
    assert 0.45 < share < 0.65


def test_febrl_single_file(frozen: heldout.Scenarios) -> None:
    data = heldout.family_dataset("febrl", "1/19002")
    assert list(data.tables) == ["febrl"]
    table = data.tables["febrl"]
    assert list(table.columns) == ["case_ref", "given_names", "surname", "birth_year", "nationality"]
    assert table["given_names"].dropna().str.len().eq(1).all()
    assert data.true_persons() == 500 and len(table) == 1000
    assert "nationality" not in heldout.family_dataset("febrl", "1/none").tables["febrl"].columns


def test_params_validation_and_round_trip() -> None:
    p = heldout.ScenarioParams(years=(2020, 2021), error_scale=2.0, dominant="seeded", dominant_share=0.5)
    assert heldout.ScenarioParams.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    assert heldout.ScenarioParams().to_dict() == {}
    for bad in ({"years": ()}, {"years": (2022, 2021)}, {"reports": (10, 5)}, {"sibling_share": 1.5},
                {"error_scale": -1.0}):
        with pytest.raises(LinkageError):
            heldout.ScenarioParams(**bad)  # type: ignore[arg-type]
    with pytest.raises(LinkageError):
        heldout.ScenarioParams.from_dict({"nope": 1})
    with pytest.raises(LinkageError):
        heldout.family_dataset("febrl", "x/1")


# ---------------------------------------------------------------------------- pieces


def test_romanisation_schemes_known_answers() -> None:
    assert romanise("Юлія Харченко", "passport", "uk") == "Yuliia Kharchenko"
    assert romanise("Юлія Харченко", "dutch", "uk") == "Joelija Chartsjenko"
    assert romanise("Юлія Харченко", "german", "uk") == "Julija Chartschenko"
    assert romanise("Євгенія", "passport", "uk") == "Yevheniia"
    assert romanise("Христина Жекова", "passport", "bg") == "Hristina Zhekova"
    assert romanise("Христина Жекова", "french", "bg") == "Khristina Jekova"
    assert romanise("Йордан Щерев", "scholarly", "bg") == "Jordan Šterev"


def test_frequency_laws() -> None:
    w = power_weights(5, 1.0)
    assert np.isclose(w.sum(), 1.0) and np.all(np.diff(w) < 0)
    rng = np.random.default_rng(0)
    draws = pitman_yor(rng, 2000, power_weights(30, 0.5), 0.6, 5.0)
    assert draws.min() >= 0 and draws.max() < 30
    counts = np.sort(np.bincount(draws, minlength=30))[::-1]
    flat = np.sort(np.bincount(np.random.default_rng(1).choice(30, 2000, p=power_weights(30, 0.5)),
                               minlength=30))[::-1]
    assert counts[0] > flat[0]  # rich get richer
    with pytest.raises(ValueError):
        pitman_yor(rng, 3, power_weights(3, 1.0), 1.2, 1.0)


def test_exact_key_baseline() -> None:
    df = pd.DataFrame({
        "initials": ["AB", "AB", "AB", "A", None, "AB"],
        "birth_year": [(1990, 1990), (1989, 1990), (1990, 1990), (1990, 1990), (1990, 1990), None],
        "nationality": ["ROU", "ROU", "MDA", "ROU", "ROU", "ROU"],
    })
    labels = exact_key_labels(df)
    assert labels[0] == labels[1]  # an age-derived interval counts by its upper year
    assert len(set(labels.tolist())) == 5


def test_measure_dataset_reports_every_figure() -> None:
    data = heldout.generate(heldout.ScenarioParams(reports=(400, 400), years=(2021, 2022)), 9)
    res = heldout.measure_dataset(data, key=linkage.LinkageKey(bytes(32)), one_run=True)
    assert [r["year"] for r in res["per_year"]] == [2021, 2022]
    for r in res["per_year"] + [res["one_run"]]:
        assert r["true"] == data.true_persons(r["year"]) if "year" in r else data.true_persons()
        assert r["found"] >= 1 and 0 <= r["f1"] <= 1 and 0 <= r["plain_f1"] <= 1
        lo, hi = r["interval"]
        assert lo <= r["estimate"] <= hi and r["covers"] == (lo <= r["true"] <= hi)
    new = res["one_run"]["new_per_year"]
    assert sum(n["true_new"] for n in new) == data.true_persons()
    summary = heldout.summarise_family([res])
    assert summary["years"] == 2 and 0.0 <= summary["coverage"] <= 1.0
    assert summary["one_run"]["runs"] == 1
