"""Examples and benchmarks run here in quick mode, so they cannot rot."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest

import linkage
import linkage.privacy

ROOT = Path(__file__).resolve().parents[1]


def test_registration_system_example() -> None:
    ns = runpy.run_path(str(ROOT / "examples" / "registration_system.py"))
    res = ns["main"]()
    assert res["reports"] == 3 and res["unique_persons"] in (2, 3)


def test_pipeline_benchmark_quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["bench"])
    ns = runpy.run_path(str(ROOT / "benchmarks" / "bench_pipeline.py"))
    out = tmp_path / "pipeline.json"
    res = ns["main"](["--quick", "--out", str(out)])
    assert json.loads(out.read_text())["records"] == res["records"] > 500
    assert res["encode_records_per_s"] > 0


def test_quality_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "quality" / "run_quality.py"))
    res = ns["main"](["--quick", "--no-baseline", "--out", str(tmp_path)])
    html = (tmp_path / "quality.html").read_text()
    assert "<svg" in html and "<script" not in html  # offline: inline SVG, nothing fetched
    assert 'src="http' not in html and 'href="http' not in html and "@import" not in html
    data = json.loads((tmp_path / "quality.json").read_text())
    assert {r["dataset"] for r in data["runs"]} == {"FEBRL1", "FEBRL3", "synthetic"}
    assert res["quick"] is True
    cov = data["count_coverage"]["scenarios"][0]
    assert len(cov["runs"]) == 3 and 0.0 <= cov["coverage"] <= 1.0
    assert "Coverage of the count estimate" in html and "Targets in this run" in html
    assert {t["met"] for t in data["target_status"]} <= {True, False} and len(data["target_status"]) >= 4
    years = data["runs"][-1]["per_year"]
    assert all("estimate" in p and p["estimate"]["interval"][0] <= p["estimate"]["estimate"] for p in years)


def test_count_coverage_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "quality" / "count_coverage.py"))
    res = ns["main"](["--quick", "--out", str(tmp_path)])
    data = json.loads((tmp_path / "count_coverage.json").read_text())
    assert [s["error_scale"] for s in data["scenarios"]] == [1.0, 2.0]
    assert all(len(s["runs"]) == 3 for s in data["scenarios"])
    # the found count overcounts; the estimate is closer to the truth on average
    s = data["scenarios"][0]
    assert abs(s["estimate_error_pct"]["mean"]) < abs(s["found_error_pct"]["mean"])
    assert res["quick"] is True


def test_privacy_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "privacy" / "run_privacy.py"))
    res = ns["main"](["--quick", "--population", "800", "--out", str(tmp_path)])
    html = (tmp_path / "privacy.html").read_text()
    assert "Threat model" in html and "<script" not in html and "<svg" in html
    data = json.loads((tmp_path / "privacy.json").read_text())
    assert "reference" in data and "unhardened" in data["settings"]
    un = data["settings"]["unhardened"]["attacks"]
    assert un["dictionary_leaked_key"]["full_tuple"] > 0.9  # a leaked key re-identifies nearly everyone
    default = next(v for k, v in data["settings"].items() if k.startswith("DEFAULT"))
    assert default["attacks"]["dictionary_leaked_key"]["full_tuple"] > 0.9  # ... hardened or not
    assert res["population"] == 800


def test_profile_attack_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "privacy" / "profile_attack.py"))
    res = ns["main"](["--quick", "--population", "200", "--keys", "2", "--out", str(tmp_path)])
    data = json.loads((tmp_path / "profile_attack.json").read_text())
    html = linkage.privacy.privacy_html({"population": 1, "seed": 1, "guessing_baseline": {}, "settings": {},
                                         "profile_attack": data})
    assert "Overlap curves" in html and "old-default" in html and "leaked key" in html and "<svg" in html
    # the CLI embeds the curves in the DPIA page and prints them
    from click.testing import CliRunner

    from linkage.cli import cli

    out = tmp_path / "report"
    r = CliRunner().invoke(cli, ["privacy-report", "--quick", "--population", "300", "--profile-results",
                                 str(tmp_path / "profile_attack.json"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "profile graph attack, old-default: full tuples 100% overlap" in r.output
    page = (out / "privacy.html").read_text()
    assert "Overlap curves" in page and "Verdict for the data-protection officer" in page
    assert json.loads((out / "privacy.json").read_text())["profile_attack"]["settings"].keys() == {"old-default",
                                                                                                  "default"}
    assert set(data["settings"]) == {"old-default", "default"}
    for entry in data["settings"].values():
        assert set(entry["populations"]) == {"synth", "heldout"}
        assert set(entry["worst"]) == {"1", "0.5", "0.2"}
        for pop in entry["populations"].values():
            assert all(len(r["per_key"]) == 2 for r in pop["overlaps"].values())
    assert res["quick"] is True


def test_f1_gap_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "privacy" / "f1_gap.py"))
    res = ns["main"](["--quick", "--out", str(tmp_path)])
    data = json.loads((tmp_path / "f1_gap.json").read_text())
    assert len(data["f1"]["default"]) == len(data["f1"]["unhardened"]) == 2
    assert 0.3 < data["mean_f1"]["default"] <= 1.0
    assert res["gap_mean"] == data["gap_mean"]


def test_heldout_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "quality" / "heldout.py"))
    out = tmp_path / "heldout.json"
    res = ns["main"](["--quick", "--out", str(out)])
    data = json.loads(out.read_text())
    assert data["quick"] is True and data["complete"] is True and data["seeds"] == "heldout"
    assert set(data["families"]) == {"base", "missing_fields", "decade", "febrl"}
    assert {r["family"] for r in data["table"]} == set(data["families"])
    decade = data["families"]["decade"]["datasets"][0]
    assert len(decade["per_year"]) == 9 and "new_per_year" in decade["one_run"]
    for fam in data["families"].values():
        for ds in fam["datasets"]:
            for y in ds["per_year"]:
                lo, hi = y["interval"]
                assert lo <= y["estimate"] <= hi and 0.0 <= y["f1"] <= 1.0 and 0.0 <= y["plain_f1"] <= 1.0
    assert res["table"] == data["table"]


def test_dice_speed_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "speed" / "dice.py"))
    out = tmp_path / "dice.json"
    res = ns["main"](["--quick", "--out", str(out)])
    data = json.loads(out.read_text())
    assert data == json.loads(json.dumps(res)) and data["quick"] is True
    assert {r["bits"] for r in data["results"]} == {512, 1024}
    assert all(r["comparisons_per_s"] > 0 and r["pairs"] >= r["compared"] for r in data["results"])
    assert data["kernel"].startswith("Dice kernel: ") and len(data["load_at_start"]) == 3
    kernels = {r["kernel"] for r in data["results"]}
    assert "numpy" in kernels
    if isinstance(data["anonlink"], str) and "not installed" in data["anonlink"]:
        assert not any(k.startswith("anonlink") for k in kernels)  # skipped, with the message in the JSON
    else:  # anonlink ran beside ours: it must find exactly our candidate pairs
        assert all(r["same_pairs_as_ours"] for r in data["results"] if r["kernel"].startswith("anonlink"))
    assert {t["name"].split(",")[0] for t in data["targets"]} >= {"512-bit Dice", "1024-bit Dice"}


def test_submission_fuzz_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "robustness" / "submission_fuzz.py"))
    res = ns["main"](["--quick", "--out", str(tmp_path)])
    data = json.loads((tmp_path / "submission_fuzz.json").read_text())
    assert data["cases"] == res["cases"] == 500 and data["quick"] is True
    assert data["not_library_errors"] == 0, data["failures"]
    assert data["outcomes"].get("accepted", 0) > 0


def test_dedup_scale_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "speed" / "dedup.py"))
    out = tmp_path / "dedup.json"
    res = ns["main"](["--quick", "--out", str(out)])
    data = json.loads(out.read_text())
    assert data == json.loads(json.dumps(res)) and data["quick"] is True
    (row,) = data["results"]
    assert row["records"] == 2000 and row["encode_records_per_s"] > 0
    auto, lsh = row["runs"]
    assert auto["blocking"]["description"] == "all-pairs" and lsh["blocking"]["passes"] == 128
    assert lsh["blocking"]["compared"] < auto["blocking"]["compared"] and auto["peak_rss_mib"] > 50
    q = row["quality"]
    assert 0.9 <= q["completeness_match"] <= 1.0 and q["true_pair_completeness_at_least_0.68"] >= 0.95
    assert len(auto["load_before"]) == 3


def test_encode_speed_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "speed" / "encode.py"))
    out = tmp_path / "encode.json"
    res = ns["main"](["--quick", "--out", str(out)])
    data = json.loads(out.read_text())
    assert data == json.loads(json.dumps(res)) and data["quick"] is True
    ours = [r for r in data["results"] if r["encoder"] == "linkage"]
    assert {r["profile"] for r in ours} == {"default (hardened)", "unhardened"}
    assert all(r["records_per_s"] > 0 and r["records"] > 1000 for r in ours)
    if data["clkhash"] != "ran":  # skipped, with the reason in the JSON
        assert "not installed" in data["clkhash"] and not any(r["encoder"] == "clkhash" for r in data["results"])
    assert data["target"]["value"] == 1_000_000
