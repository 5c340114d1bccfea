"""Crash safety and concurrency with real processes, in the harness's quick mode (the full runs are in
benchmarks/registry/crash.py; their figures are in the closing note of issue 14)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from .conftest import postgres_admin_dsn

ROOT = Path(__file__).resolve().parents[2]


def _main() -> object:
    return runpy.run_path(str(ROOT / "benchmarks" / "registry" / "crash.py"))["main"]


@pytest.mark.slow
def test_killed_ingest_and_link_lose_nothing_on_sqlite(tmp_path: Path) -> None:
    res = _main()(["--quick", "--backend", "sqlite", "--trials", "6", "--concurrency", "1",  # type: ignore[operator]
                   "--out", str(tmp_path / "crash.json")])
    crash, conc = res["crash"], res["concurrency"]
    assert crash["trials"] == 6 and crash["failures"] == 0, crash["problems"]
    assert crash["killed_while_working"] >= 3
    assert conc["failures"] == 0, conc["problems"]


@pytest.mark.slow
@pytest.mark.postgres
def test_killed_and_concurrent_ingests_count_once_on_postgres(tmp_path: Path) -> None:
    dsn = postgres_admin_dsn()
    res = _main()(["--quick", "--backend", "postgres", "--dsn", str(dsn), "--trials", "4",  # type: ignore[operator]
                   "--concurrency", "1", "--processes", "3", "--out", str(tmp_path / "crash.json")])
    crash, conc = res["crash"], res["concurrency"]
    assert crash["trials"] == 4 and crash["failures"] == 0, crash["problems"]
    assert conc["trials"] == 1 and conc["failures"] == 0 and conc["ingest_calls"] == 27, conc["problems"]


@pytest.mark.slow
def test_incremental_benchmark_quick(tmp_path: Path) -> None:
    ns = runpy.run_path(str(ROOT / "benchmarks" / "registry" / "incremental.py"))
    res = ns["main"](["--quick", "--out", str(tmp_path / "inc.json")])
    assert res["equal"] is True and res["records"] > 100 and res["full_rerun_in_place_events"] == {}
