"""Lint and types are part of the test suite: ruff over the repository, mypy --strict over src."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean() -> None:
    assert shutil.which("ruff") or _run("ruff", "--version").returncode == 0
    out = _run("ruff", "check", "--no-cache", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_is_clean() -> None:
    out = _run("mypy", "--strict", "--no-incremental", "src")
    assert out.returncode == 0, out.stdout + out.stderr
