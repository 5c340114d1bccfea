from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.cli import cli

from .conftest import FAIRWORK_ROWS, POLICE_ROWS


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def setup(tmp_path: Path, runner: CliRunner) -> dict[str, Path]:
    """A custodian secret, two reporters with keys and inputs, a trusted-keys dir."""
    p = {"tmp": tmp_path, "secret": tmp_path / "linkage.secret", "trusted": tmp_path / "trusted"}
    p["trusted"].mkdir()
    r = runner.invoke(cli, ["keygen", "--out", str(p["secret"])])
    assert r.exit_code == 0, r.stdout
    for rep, rows in (("police", POLICE_ROWS), ("fairwork", FAIRWORK_ROWS)):
        r = runner.invoke(cli, ["keygen", "--signing", "--out", str(tmp_path / f"{rep}.key"),
                                "--public-out", str(p["trusted"] / f"{rep}.pub")])
        assert r.exit_code == 0, r.stdout
        pd.DataFrame(rows).to_csv(tmp_path / f"{rep}.csv", index=False)
        p[rep] = tmp_path / f"{rep}.csv"
    return p


def _encode(runner: CliRunner, setup: dict[str, Path], rep: str, *extra: str) -> object:
    return runner.invoke(cli, ["encode", str(setup[rep]), "--reporter", rep, "--signing-key",
                               str(setup["tmp"] / f"{rep}.key"), "--key-file", str(setup["secret"]),
                               "--out", str(setup["tmp"] / f"{rep}.lnk"), *extra])


def test_keygen_prints_key_id_not_key(setup: dict[str, Path], runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["keygen", "--out", str(tmp_path / "k2"), "--json"])
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["key_id"].startswith("kid-")
    secret_b64 = (tmp_path / "k2").read_text().splitlines()[1]
    assert secret_b64 not in r.stdout
    assert stat.S_IMODE((tmp_path / "k2").stat().st_mode) == 0o600
    r = runner.invoke(cli, ["keygen", "--out", str(tmp_path / "k2")])
    assert r.exit_code == 1 and "never overwritten" in r.stderr


def test_no_key_option_takes_the_key_itself() -> None:
    for command in cli.commands.values():
        for param in command.params:
            assert param.name not in {"key", "secret", "linkage_key", "password"}, (command.name, param.name)


def test_encode_inspect_dedup(setup: dict[str, Path], runner: CliRunner) -> None:
    for rep in ("police", "fairwork"):
        r = _encode(runner, setup, rep, "--json")
        assert r.exit_code == 0, r.stderr
        info = json.loads(r.stdout)
        assert info["records"] == len(POLICE_ROWS if rep == "police" else FAIRWORK_ROWS)
        assert Path(info["id_map"]).exists()
    r = runner.invoke(cli, ["inspect", str(setup["tmp"] / "police.lnk"), "--trusted-keys", str(setup["trusted"]),
                            "--json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["record_count"] == 4
    r = runner.invoke(cli, ["inspect", str(setup["tmp"] / "police.lnk"), "--trusted-keys", str(setup["trusted"])])
    assert r.exit_code == 0 and "verified" in r.stdout
    out = setup["tmp"] / "out"
    r = runner.invoke(cli, ["dedup", str(setup["tmp"] / "police.lnk"), str(setup["tmp"] / "fairwork.lnk"),
                            "--trusted-keys", str(setup["trusted"]), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["reports"] == 7
    r = runner.invoke(cli, ["dedup", str(setup["tmp"] / "police.lnk"), "--trusted-keys", str(setup["trusted"]),
                            "--out", str(out)])
    assert r.exit_code == 0 and "unique persons" in r.stdout


def test_dedup_refuses_key_files_and_key_env(setup: dict[str, Path], runner: CliRunner) -> None:
    assert _encode(runner, setup, "police").exit_code == 0
    out = str(setup["tmp"] / "out")
    for bad in (setup["secret"], setup["tmp"] / "police.key"):
        r = runner.invoke(cli, ["dedup", str(setup["tmp"] / "police.lnk"), str(bad), "--trusted-keys",
                                str(setup["trusted"]), "--out", out])
        assert r.exit_code == 1 and "key file" in r.stderr
    r = runner.invoke(cli, ["dedup", str(setup["tmp"] / "police.lnk"), "--trusted-keys", str(setup["trusted"]),
                            "--out", out], env={"LINKAGE_SECRET_FILE": str(setup["secret"])})
    assert r.exit_code == 1 and "never accept" in r.stderr
    (setup["trusted"] / "oops.pub").write_bytes((setup["tmp"] / "police.key").read_bytes())
    r = runner.invoke(cli, ["inspect", str(setup["tmp"] / "police.lnk"), "--trusted-keys", str(setup["trusted"])])
    assert r.exit_code == 1


def test_bad_input_names_row_and_field_not_value(setup: dict[str, Path], runner: CliRunner) -> None:
    rows = [dict(r) for r in POLICE_ROWS]
    rows[2]["nationality"] = "Atlantisch Rijk"
    rows[3]["date_of_birth"] = "31-31-2999"
    pd.DataFrame(rows).to_csv(setup["police"], index=False)
    r = _encode(runner, setup, "police")
    assert r.exit_code == 1
    assert "row 3" in r.stderr and "nationality" in r.stderr
    assert "row 4" in r.stderr
    assert "Atlantisch" not in r.stderr and "2999" not in r.stderr
    assert not (setup["tmp"] / "police.lnk").exists()  # nothing half-written


def test_missing_key_and_wrong_files(setup: dict[str, Path], runner: CliRunner) -> None:
    r = runner.invoke(cli, ["encode", str(setup["police"]), "--reporter", "police", "--signing-key",
                            str(setup["tmp"] / "police.key"), "--out", str(setup["tmp"] / "x.lnk")], env={})
    assert r.exit_code == 1 and "no linkage key" in r.stderr
    r = runner.invoke(cli, ["inspect", str(setup["police"]), "--trusted-keys", str(setup["trusted"])])
    assert r.exit_code == 1 and "not a linkage submission" in r.stderr
    r = runner.invoke(cli, ["dedup", "--out", "x"])
    assert r.exit_code == 2


def test_key_from_environment(setup: dict[str, Path], runner: CliRunner) -> None:
    r = runner.invoke(cli, ["encode", str(setup["police"]), "--reporter", "police", "--signing-key",
                            str(setup["tmp"] / "police.key"), "--out", str(setup["tmp"] / "e.lnk")],
                      env={"LINKAGE_SECRET_FILE": str(setup["secret"])})
    assert r.exit_code == 0, r.stderr


def test_schema_command(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["schema"])
    assert r.exit_code == 0 and json.loads(r.stdout)["name"] == "comensha-default"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1}))
    r = runner.invoke(cli, ["schema", str(bad)])
    assert r.exit_code == 1 and "problem" in r.stderr


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("linkage")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "linkage"]
    r = subprocess.run([*cmd, "--help"], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and "dedup" in r.stdout
    r = subprocess.run([*cmd, "inspect", str(tmp_path), "--trusted-keys", str(tmp_path)], capture_output=True,
                       text=True, check=False, env={**os.environ, "LINKAGE_SECRET": ""})
    assert r.returncode == 2


def test_demo_command(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["demo", "--workdir", str(tmp_path / "demo"), "--json"])
    assert r.exit_code == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["true_unique_persons"] > 500
    # quasi-identifiers only: the count is close, not exact (see the quality benchmark)
    assert abs(res["count_error_pct"]) < 15
    assert res["quality"]["precision"] > 0.7
    assert res["found_unique_persons"] == res["summary"]["unique_persons"]
    assert (tmp_path / "demo" / "registry" / "out" / "persons.csv").exists()
    r = runner.invoke(cli, ["demo", "--workdir", str(tmp_path / "demo")])
    assert r.exit_code == 0 and "TRUE unique persons" in r.stdout


def test_dedup_validation_sample_and_answers(setup: dict[str, Path], runner: CliRunner) -> None:
    for rep in ("police", "fairwork"):
        assert _encode(runner, setup, rep).exit_code == 0
    subs = [str(setup["tmp"] / "police.lnk"), str(setup["tmp"] / "fairwork.lnk")]
    out = setup["tmp"] / "out"
    r = runner.invoke(cli, ["dedup", *subs, "--trusted-keys", str(setup["trusted"]), "--out", str(out),
                            "--validation-size", "5", "--same-submission", "review", "--json"])
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["estimate"]["answers"]["sample"] <= 5
    # every pair in a query-back list answered 'different' by the police
    qb = pd.read_csv(out / "queryback" / "police.csv", dtype=str)
    answers = setup["tmp"] / "answers" / "police.csv"
    answers.parent.mkdir()
    qb.assign(answer="different").to_csv(answers, index=False)
    out2 = setup["tmp"] / "out2"
    r = runner.invoke(cli, ["dedup", *subs, "--trusted-keys", str(setup["trusted"]), "--out", str(out2),
                            "--validation-size", "5", "--answers", str(answers), "--json"])
    assert r.exit_code == 0, r.stderr
    again = pd.read_csv(out2 / "queryback" / "police.csv", dtype=str)
    assert len(again) == 0 or not set(zip(again["record_id"], again["other_record_id"], strict=True)) & set(
        zip(qb["record_id"], qb["other_record_id"], strict=True))
    bad = setup["tmp"] / "answers" / "fairwork.csv"
    bad.write_text("record_id,other_reporter,other_record_id,answer\nx,police,y,perhaps\n")
    r = runner.invoke(cli, ["dedup", *subs, "--trusted-keys", str(setup["trusted"]), "--out", str(out2),
                            "--answers", str(bad)])
    assert r.exit_code == 1 and "row 2, column 'answer'" in r.stderr
