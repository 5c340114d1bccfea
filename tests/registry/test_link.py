"""Incremental linkage: stable ids, answers respected, equal to a full re-run (a decade, month by month)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import linkage
from linkage.registry import add_answers, ingest, init_registry, link, person_events, persons_table, withdraw
from linkage.submission import sign_answers

from .conftest import World

REPORTERS = ("police", "kmar", "nla", "fairwork", "care_coordinator", "other")


def _decade(world: World, scale: float, years: range, seed: int = 5) -> list[list[Path]]:
    """Monthly submissions of every reporter, as files, month by month."""
    from linkage.synth import generate

    data = generate(seed=seed, years=tuple(years), scale=scale)
    rep = data.reports.copy()
    rep["month"] = rep["report_date"].str[:7]
    for r in REPORTERS:
        if r not in world.signing:
            world.add(r)
    months = []
    for month, df in sorted(rep.groupby("month")):
        files = []
        for r, part in sorted(df.groupby("reporter")):
            y, m = month.split("-")
            files.append(world.submission(str(r), part.reset_index(drop=True), period=_period(int(y), int(m))))
        months.append(files)
    return months


def _period(y: int, m: int) -> tuple[str, str]:
    from linkage.submission import parse_period

    return parse_period(f"{y:04d}-{m:02d}")


def _new_registry(target: str | Path, world: World):
    reg = init_registry(target, world.schema)
    for r in REPORTERS:
        reg.add_reporter(r, world.pub(r), r)
    return reg


def _partition(df: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset(f"{r}/{i}" for r, i in zip(g["reporter"], g["record_id"], strict=True))
            for _, g in df.groupby("person_id")}


@pytest.mark.slow
def test_a_decade_month_by_month_equals_a_full_rerun(tmp_path: Path, world: World) -> None:
    months = _decade(world, scale=0.12, years=range(2013, 2023))
    inc = _new_registry(tmp_path / "inc.sqlite", world)
    history: dict[str, set[str]] = {}
    for files in months:
        ingest(inc, files)
        res = link(inc)
        assert res.new_records > 0
        now = persons_table(inc)
        # ids are stable: a person id, once given, keeps its records unless an event says otherwise
        for pid, g in now.groupby("person_id"):
            history.setdefault(str(pid), set()).update(f"{r}/{i}" for r, i in zip(g["reporter"], g["record_id"],
                                                                                   strict=True))
    full = _new_registry(tmp_path / "full.sqlite", world)
    ingest(full, [f for files in months for f in files])
    link(full, full=True)
    a, b = persons_table(inc), persons_table(full)
    assert len(a) == len(b) > 1000
    assert _partition(a) == _partition(b)
    # a full re-run inside the incremental registry changes nothing
    again = link(inc, full=True)
    assert again.events.get("merge", 0) == again.events.get("split", 0) == 0
    assert _partition(persons_table(inc)) == _partition(a)
    ev = person_events(inc)
    assert set(ev["kind"]) <= {"new", "merge", "split", "ended", "record_removed"}
    assert (ev["reason"].str.len() > 0).all()


def test_ids_stay_and_answers_are_respected(target: str | Path, world: World) -> None:
    from .conftest import synth_reports

    df = synth_reports(seed=7)
    police = df[df["reporter"] == "police"].reset_index(drop=True).iloc[:60]
    # care reports the first 20 of the same persons again (same raw values)
    care = police.iloc[:20].reset_index(drop=True)
    reg = init_registry(target, world.schema)
    reg.add_reporter("police", world.pub("police"), "police")
    reg.add_reporter("care", world.pub("care"), "care_coordinator")
    ingest(reg, [world.submission("police", police)])
    link(reg)
    before = persons_table(reg).set_index(["reporter", "record_id"])["person_id"]
    ingest(reg, [world.submission("care", care, period=_period(2024, 2))])
    res = link(reg)
    # each care record joins its police original; a care copy may also bridge two police persons
    # by a chance look-alike (a merge, recorded as an event): then one of them changes id
    merges = res.events.get("merge", 0)
    assert res.new_records == 20 and res.persons == 60 - merges and merges <= 2
    after = persons_table(reg).set_index(["reporter", "record_id"])["person_id"]
    changed = after.loc["police"].reindex(before.loc["police"].index) != before.loc["police"]
    assert int(changed.sum()) <= merges  # the others keep their ids
    # care answers: its first record is a different person than the police record it was linked to
    t = persons_table(reg)
    pid = t[t["reporter"] == "care"]["person_id"].iloc[0]
    crec = t[(t["reporter"] == "care") & (t["person_id"] == pid)]["record_id"].iloc[0]
    prec = t[(t["reporter"] == "police") & (t["person_id"] == pid)]["record_id"].iloc[0]
    ans = world.tmp / "answers.csv"
    ans.write_text(f"record_id,other_reporter,other_record_id,answer\n{crec},police,{prec},different\n")
    (world.tmp / "answers.csv.sig").write_bytes(sign_answers(ans.read_bytes(), world.signing["care"]))
    out = add_answers(reg, ans)
    assert out == {"reporter": "care", "answers": {"same": 0, "different": 1, "unknown": 0}}
    persons_before = int(60 - merges)
    res = link(reg)
    # split off (the answer); the care record may then join a look-alike person (a merge)
    assert res.events.get("split") == 1
    assert res.persons in (persons_before, persons_before + 1)
    ev = person_events(reg)
    assert "a reporter answered: different persons" in set(ev[ev["kind"] == "split"]["reason"])
    t2 = persons_table(reg).set_index(["reporter", "record_id"])["person_id"]
    assert t2.loc[("police", prec)] == pid  # the police record keeps the id; the care record gets a new one
    assert t2.loc[("care", crec)] != pid
    # a full re-run respects the answer too
    assert link(reg, full=True).persons == res.persons
    # a tampered answers file is refused
    ans.write_text(f"record_id,other_reporter,other_record_id,answer\n{crec},police,{prec},same\n")
    with pytest.raises(linkage.errors.SignatureError):
        add_answers(reg, ans)
    # withdrawing the care submission ends its persons; police ids stay
    sid = [s for s in reg.submissions() if s["reporter_id"] == "care"][0]["submission_id"]
    withdraw(reg, submission=sid, reason="sent in error")
    res = link(reg)
    assert res.persons == 60
    t3 = persons_table(reg).set_index(["reporter", "record_id"])["person_id"]
    again = t3.loc["police"].reindex(before.loc["police"].index) != before.loc["police"]
    all_merges = int((person_events(reg)["kind"] == "merge").sum())
    assert int(again.sum()) <= all_merges  # a person a care copy had bridged into another may get a new id
    reg.close()


def test_a_new_key_epoch_refuses_old_keys_and_takes_resends(target: str | Path, world: World) -> None:
    from linkage.encode import LinkageKey
    from linkage.errors import MismatchError
    from linkage.registry import resend_guide, start_epoch

    from .conftest import rows, synth_reports

    df = rows(synth_reports(seed=9), 40)
    reg = init_registry(target, world.schema)
    reg.add_reporter("police", world.pub("police"), "police")
    first = world.submission("police", df)
    old = ingest(reg, [first]).submissions[0].submission_id
    link(reg)
    before = persons_table(reg).set_index(["reporter", "record_id"])["person_id"]
    new_key = LinkageKey(bytes(range(5, 37)))
    start_epoch(reg, new_key.key_id, reason="key rotation after a suspected leak")
    assert resend_guide(reg) == {"police": [old]}
    with pytest.raises(MismatchError, match="epoch 1"):
        ingest(reg, [world.submission("police", rows(synth_reports(seed=9), 10, 100))])
    # the reporter re-encodes under the new key and keeps its record ids (its local id map)
    from linkage.pipeline import kept_record_ids

    kept = kept_record_ids(world.idmaps[first], list(range(1, 41)), None)
    resent = world.submission("police", df, key=new_key, replaces=old, record_ids=kept)
    out = ingest(reg, [resent]).submissions[0]
    assert out.outcome == "replaces" and out.flags["persons_carried_over"] == 40
    assert resend_guide(reg) == {}
    res = link(reg)
    assert res.records == 40 and res.new_records == 40 and res.events.get("new", 0) == 0
    after = persons_table(reg).set_index(["reporter", "record_id"])["person_id"]
    assert after.sort_index().equals(before.sort_index())  # persons carried over: same records, same ids
    with pytest.raises(Exception, match="retired key never returns"):
        start_epoch(reg, world.key.key_id, reason="back")
    reg.close()


def test_kept_record_ids_match_by_case_reference_then_row() -> None:
    from linkage.pipeline import kept_record_ids

    old = pd.DataFrame({"record_id": ["a" * 32, "b" * 32, "c" * 32], "row": [1, 2, 3],
                        "case_ref": ["K1", "K2", None]})
    # the table was re-sorted: K2 is now row 1, K1 row 3; the row without a case ref matches by row
    # row 2 has no case ref: matched by row, but row 2's id (b) is taken by K2 already -> a new id
    assert kept_record_ids(old, [1, 2, 3], ["K2", None, "K1"]) == ["b" * 32, None, "a" * 32]
    assert kept_record_ids(old, [1, 2, 3, 4], None) == ["a" * 32, "b" * 32, "c" * 32, None]
