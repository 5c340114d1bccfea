"""Statistics as of any date, with estimates, suppression, and outputs written as one set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkage.registry import compute_stats, ingest, init_registry, link, suppress, write_stats
from linkage.submission import parse_period

from .conftest import World, synth_reports


def test_suppression_primary_and_secondary() -> None:
    assert suppress({"persons": 120, "new": 115, "earlier_known": 5}, 10, total="persons") == {
        "persons": 120, "new": None, "earlier_known": None}
    assert suppress({"persons": 8, "new": 8, "earlier_known": 0}, 10, total="persons") == {
        "persons": None, "new": None, "earlier_known": 0}
    assert suppress({"police": 50, "kmar": 3, "nla": 12, "other": 0}, 10) == {
        "police": 50, "kmar": None, "nla": None, "other": 0}
    assert suppress({"a": 30, "b": 40}, 10) == {"a": 30, "b": 40}


def test_stats_as_of_a_date_stay_the_same_after_later_intake(tmp_path: Path, world: World,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    reg = init_registry(tmp_path / "reg.sqlite", world.schema)
    for r in ("police", "fairwork", "care"):
        reg.add_reporter(r, world.pub(r), {"care": "care_coordinator"}.get(r, r))
    y21, y22 = synth_reports(seed=3, year=2021), synth_reports(seed=3, year=2022)
    monkeypatch.setenv("LINKAGE_REGISTRY_NOW", "2022-01-10T12:00:00")
    for rep, who in (("police", "police"), ("fairwork", "fairwork"), ("care_coordinator", "care")):
        ingest(reg, [world.submission(who, y21[y21["reporter"] == rep].reset_index(drop=True),
                                      period=parse_period("2021"))])
    link(reg)
    monkeypatch.setenv("LINKAGE_REGISTRY_NOW", "2022-02-01T00:00:00")
    early = compute_stats(reg, draws=40)
    monkeypatch.setenv("LINKAGE_REGISTRY_NOW", "2023-01-10T12:00:00")
    for rep, who in (("police", "police"), ("care_coordinator", "care")):
        ingest(reg, [world.submission(who, y22[y22["reporter"] == rep].reset_index(drop=True),
                                      period=parse_period("2022"))])
    link(reg)
    import datetime as dt

    again = compute_stats(reg, as_of=dt.datetime(2022, 2, 1, tzinfo=dt.UTC), draws=40)
    assert again.years == early.years and again.by_reporter_type == early.by_reporter_type
    now = compute_stats(reg, draws=40)
    assert [r["year"] for r in now.years] == [2021, 2022]
    y2021, y2022 = now.years  # 2021 may be revised by what 2022 shows (a link through a later report)
    assert abs(y2021["persons"] - early.years[0]["persons"]) <= 5
    raw = compute_stats(reg, draws=40, suppress_below=1).years[1]
    assert raw["persons"] == raw["new"] + raw["earlier_known"] == y2022["persons"]
    assert raw["earlier_known"] > 0  # persons reported again a year later are known earlier
    if raw["earlier_known"] < 10:  # suppressed, and 'new' with it, or the total would reveal it
        assert y2022["earlier_known"] is None and y2022["new"] is None
    lo, hi = y2022["interval"]
    assert lo <= y2022["estimate"] <= hi and y2022["persons"] > 100
    out = tmp_path / "published"
    write_stats(reg, now, out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["manifest.json", "persons_by_reporter_type.csv", "persons_by_year.csv", "stats.html",
                     "stats.json"]
    assert (out / "persons_by_year.csv").read_text().splitlines()[0] == (
        "year,persons,new,earlier_known,reports,estimate,interval_low,interval_high,level")
    assert (out / "persons_by_reporter_type.csv").read_text().splitlines()[0] == (
        "year,police,kmar,nla,fairwork,care_coordinator,other")
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["counted_submissions"]) == 5
    assert {s["submission_id"] for s in manifest["counted_submissions"]} == {s["submission_id"]
                                                                              for s in reg.submissions()}
    page = (out / "stats.html").read_text()
    assert "data:image/png;base64," in page and "<script" not in page and "http" not in page.replace(
        "http-equiv", "")
    # a second write is refused; with overwrite the old set is replaced as a whole
    from linkage.registry import RegistryError

    with pytest.raises(RegistryError):
        write_stats(reg, early, out)
    write_stats(reg, early, out, overwrite=True)
    assert json.loads((out / "stats.json").read_text())["as_of"] == early.as_of
    assert not list(tmp_path.glob(".published.partial-*"))
    assert [e.action for e in reg.audit_entries()].count("stats") == 2
    reg.close()
