"""Examples and benchmarks run here in quick mode, so they cannot rot."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest

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
