"""``linkage registry ...`` end to end through the command line (a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import World, rows, synth_reports


def run(args: list[str], env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_SECRET")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "linkage", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_init_to_ingest_status_and_audit(world: World) -> None:
    reg = str(world.tmp / "reg.sqlite")
    base = ["registry", "--registry", reg, "--actor", "operator1"]
    assert run([*base, "init", "--suppress-below", "5"]).returncode == 0
    r = run([*base, "reporters", "add", "police", "--public-key", str(world.pub("police")), "--type", "police"])
    assert r.returncode == 0, r.stderr
    sub = world.submission("police", rows(synth_reports(), 25))
    first = run([*base, "ingest", str(sub), "--json"])
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["new"] == 1
    again = run([*base, "ingest", str(sub), "--json"])
    assert json.loads(again.stdout)["duplicates"] == 1
    st = json.loads(run([*base, "status", "--json"]).stdout)
    assert st["records"] == 25 and st["submissions"] == {"active": 1} and st["settings"]["suppress_below"] == 5
    ok = run([*base, "audit", "--verify"])
    assert ok.returncode == 0 and "intact" in ok.stdout
    log = json.loads(run([*base, "audit", "--json"]).stdout)
    assert {e["actor"] for e in log} == {"operator1"}
    assert [e["action"] for e in log] == ["init", "reporter_add", "epoch_start", "ingest", "ingest_duplicate"]


def test_errors_exit_1_and_never_take_a_key(world: World) -> None:
    reg = str(world.tmp / "reg.sqlite")
    base = ["registry", "--registry", reg]
    missing = run([*base, "status"])
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert run([*base, "init"]).returncode == 0
    secret = world.tmp / "k.secret"
    secret.write_text("x")
    r = run([*base, "status"], {"LINKAGE_SECRET_FILE": str(secret)})
    assert r.returncode == 1 and "never accept" in r.stderr
    unregistered = world.submission("care", rows(synth_reports(), 5))
    r = run([*base, "ingest", str(unregistered)])
    assert r.returncode == 1 and "no reporter is registered" in r.stderr
    keyfile = world.tmp / "keys" / "police.key"
    r = run([*base, "ingest", str(keyfile)])
    assert r.returncode == 2 and "key file" in r.stderr
    assert not Path(reg).with_name("reg.sqlite-journal").exists()


def test_the_readme_workflow_from_init_to_published_statistics(world: World) -> None:
    import csv

    from linkage.submission import parse_period

    reg = str(world.tmp / "reg.sqlite")
    base = ["registry", "--registry", reg]
    assert run([*base, "init", "--retention-days", "3650"]).returncode == 0
    for r, t in (("police", "police"), ("fairwork", "fairwork")):
        assert run([*base, "reporters", "add", r, "--public-key", str(world.pub(r)), "--type", t]).returncode == 0
    df = synth_reports(seed=4)
    pol = world.submission("police", df[df["reporter"] == "police"].reset_index(drop=True),
                           period=parse_period("2022"))
    fw = world.submission("fairwork", df[df["reporter"] == "fairwork"].reset_index(drop=True),
                          period=parse_period("2022"))
    assert run([*base, "ingest", str(pol), str(fw)]).returncode == 0
    qb = world.tmp / "queryback"
    r = run([*base, "link", "--queryback", str(qb), "--json"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # 596 reports of 587 persons, the duplicates mostly police-FairWork pairs that FairWork's initials
    # and age leave to query-back: persons found may equal reports here (as in a plain dedup)
    assert out["new_records"] == out["records"] > 500 and out["persons"] <= out["records"]
    assert sorted(p.name for p in qb.iterdir()) == ["fairwork.csv", "police.csv"]
    # fairwork answers its query-back list: all 'unknown', signed with its key
    with (qb / "fairwork.csv").open() as fh:
        rows_ = list(csv.DictReader(fh))
    ans = world.tmp / "answers.csv"
    with ans.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "other_reporter", "other_record_id", "answer"])
        for q in rows_[:3]:
            w.writerow([q["record_id"], q["other_reporter"], q["other_record_id"], "unknown"])
    key = world.tmp / "keys" / "fairwork.key"
    assert run(["sign-answers", str(ans), "--signing-key", str(key)]).returncode == 0
    r = run([*base, "answers", str(ans)])
    assert r.returncode == 0, r.stderr
    assert run([*base, "link"]).returncode == 0
    stats = world.tmp / "stats-2022"
    r = run([*base, "stats", "--out", str(stats)])
    assert r.returncode == 0, r.stderr
    assert "2022:" in r.stdout and "estimate" in r.stdout
    assert (stats / "stats.html").exists() and (stats / "manifest.json").exists()
    sid = json.loads((stats / "manifest.json").read_text())["counted_submissions"][0]["submission_id"]
    assert run([*base, "withdraw", "--submission", sid, "--reason", "sent in error"]).returncode == 0
    assert run([*base, "purge"]).returncode == 0
    assert run([*base, "epoch", "new", "--key-id", "kid-" + "ab" * 16, "--reason", "rotation"]).returncode == 0
    r = run([*base, "ingest", str(pol)])
    assert r.returncode == 1
    assert run([*base, "audit", "--verify"]).returncode == 0
    text = (stats / "stats.json").read_text() + (qb / "police.csv").read_text()
    for value in df["surname"].dropna().astype(str).head(50):
        assert value not in text
