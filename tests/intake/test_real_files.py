"""Real-looking files go through (issue 12 targets): FEBRL3 and a messy CoMensha-like set of reporter files.

``--invalid missing``: every reporter file is encoded (0 refused), each bad
cell left out and listed in the rejects file. ``--invalid refuse``: every file
with a bad cell fails, listing every one of them (no "... and N more"). Files
that are not reporter tables (header only, unknown columns, a damaged
workbook) are refused under both. The whole decade (about 60 files) runs with
``-m slow`` and as ``python -m tests.intake.messy --out DIR``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.cli import cli
from linkage.errors import InvalidValue
from linkage.evaluate import load_febrl, reduce_febrl
from linkage.normalise import resolve_birth_year

from . import messy


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("keys")
    r = CliRunner()
    assert r.invoke(cli, ["keygen", "--out", str(tmp / "s")]).exit_code == 0
    assert r.invoke(cli, ["keygen", "--signing", "--out", str(tmp / "k")]).exit_code == 0
    return {"secret": tmp / "s", "key": tmp / "k"}


def _encode(keys: dict[str, Path], table: Path, out: Path, *extra: str) -> object:
    return CliRunner().invoke(cli, ["encode", str(table), "--reporter", "febrl", "--signing-key", str(keys["key"]),
                                    "--key-file", str(keys["secret"]), "--out", str(out), *extra])


def test_febrl3(tmp_path: Path, keys: dict[str, Path]) -> None:
    """FEBRL3 as a reporter would send it: names, the raw date of birth (35-odd corrupt ones), a nationality."""
    full = load_febrl(3)
    reduced = reduce_febrl(full)
    table = pd.DataFrame({"given_name": full["given_name"], "surname": full["surname"],
                          "date_of_birth": full["date_of_birth"], "nationality": reduced["nationality"],
                          "rec_id": full["record_key"]})
    path = tmp_path / "febrl3.csv"
    table.to_csv(path, index=False)

    bad_dates = []
    for i, v in enumerate(table["date_of_birth"].tolist(), start=1):
        try:
            resolve_birth_year(date_of_birth=v)
        except InvalidValue:
            bad_dates.append(i)
    assert len(bad_dates) > 20  # more than an error message used to show

    res = _encode(keys, path, tmp_path / "refuse.lnk", "--json")
    assert res.exit_code == 1 and not (tmp_path / "refuse.lnk").exists()
    info = json.loads(res.stdout)
    problems = info["problems"]
    assert {p["row"] for p in problems if p["column"] == "date_of_birth"} == set(bad_dates)
    assert all(p["field"] in ("birth_year", "initials") for p in problems)
    res = _encode(keys, path, tmp_path / "refuse.lnk")
    assert res.exit_code == 1 and "more" not in res.stderr
    for p in problems:  # every problem is listed on the terminal, by row and column
        assert f"row {p['row']}, column '{p['column']}'" in res.stderr
    assert "1956" not in res.stderr  # no value

    res = _encode(keys, path, tmp_path / "missing.lnk", "--invalid", "missing", "--json")
    assert res.exit_code == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["records"] == len(table) == 5000 and info["invalid_cells"] == len(problems)
    fields = {f["field"]: f for f in info["fields"]}
    assert fields["birth_year"]["refused"] == len(bad_dates)
    assert fields["initials"]["read"] > 4900 and fields["nationality"]["read"] > 4800
    rejects = pd.read_csv(info["written"]["rejects"])
    assert len(rejects) == len(problems) and list(rejects.columns) == ["row", "field", "column", "reason"]
    assert set(rejects["row"]) >= set(bad_dates)
    assert {c["header"] for c in info["columns"]["read"]} == {"given_name", "surname", "date_of_birth",
                                                              "nationality", "rec_id"}


def _check_set(files: list[messy.MessyFile], workdir: Path) -> dict[str, int]:
    result = messy.run_set(files, workdir)
    assert result["mismatches"] == []
    counts = result["counts"]
    assert counts["exit_3"] == 0
    assert counts["missing_refused"] == 0 and counts["missing_encoded"] == counts["report_files"]
    assert counts["missing_exact_rejects"] == counts["report_files"]
    with_bad = sum(1 for f in files if f.kind == "report" and f.refused_cells)
    assert counts["refuse_refused"] == counts["refuse_exact_problem_lists"] == with_bad
    assert counts["special_refused"] == counts["special_files"] == 3
    return dict(counts)


def test_messy_files_fast(tmp_path: Path) -> None:
    files = messy.write_messy_set(tmp_path / "files", seed=3, years=(2021, 2022), scale=0.4, rate=0.05)
    styles = {f.path.suffix for f in files}
    assert styles == {".csv", ".txt", ".xlsx"}
    counts = _check_set(files, tmp_path / "runs")
    assert counts["report_files"] == 12 and counts["refused_cells"] > 10 and counts["accepted_messy_cells"] > 10


@pytest.mark.slow
def test_messy_decade(tmp_path: Path) -> None:
    files = messy.write_messy_set(tmp_path / "files", seed=12, scale=1.0)
    counts = _check_set(files, tmp_path / "runs")
    assert counts["report_files"] == 60
