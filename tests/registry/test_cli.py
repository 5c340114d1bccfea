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
