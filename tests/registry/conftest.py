"""Fixtures for the registry tests: both backends, reporters with keys, submissions from synthetic data.

The PostgreSQL backend runs against the server named by ``LINKAGE_TEST_POSTGRES_DSN``
(``.ci/run`` starts one): every test gets a fresh database, dropped afterwards. Without
the variable the PostgreSQL cases are skipped locally and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import linkage
from linkage.encode import LinkageKey, encode_dataframe

from ..conftest import TEST_SECRET

PG_ENV = "LINKAGE_TEST_POSTGRES_DSN"


def postgres_admin_dsn() -> str | None:
    dsn = os.environ.get(PG_ENV)
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must start a PostgreSQL server (.ci/run)")
        pytest.skip(f"{PG_ENV} not set (no PostgreSQL server)")
    return dsn


def _pg_database() -> Iterator[str]:
    import psycopg

    admin = postgres_admin_dsn()
    assert admin is not None
    name = "reg_" + secrets.token_hex(6)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | Path]:
    """A place for a new registry on each backend."""
    if request.param == "sqlite":
        yield tmp_path / "registry.sqlite"
    else:
        yield from _pg_database()


@pytest.fixture()
def pg_target() -> Iterator[str]:
    yield from _pg_database()


@dataclass
class World:
    """Reporters with signing keys, one linkage key, and a way to make their submissions."""

    tmp: Path
    schema: linkage.Schema
    key: LinkageKey
    signing: dict[str, Any] = field(default_factory=dict)
    idmaps: dict[Path, pd.DataFrame] = field(default_factory=dict)
    counter: int = 0

    def pub(self, reporter: str) -> Path:
        return self.tmp / "trusted" / f"{reporter}.pub"

    def add(self, reporter: str) -> None:
        sk = linkage.generate_signing_key()
        (self.tmp / "trusted").mkdir(exist_ok=True)
        (self.tmp / "keys").mkdir(exist_ok=True)
        linkage.write_signing_key(sk, self.tmp / "keys" / f"{reporter}.key", self.pub(reporter))
        self.signing[reporter] = sk

    def submission(self, reporter: str, df: pd.DataFrame, period: tuple[str, str] | None = ("2024-01-01",
                   "2024-01-31"), replaces: str | None = None, key: LinkageKey | None = None,
                   name: str | None = None, record_ids: list[str | None] | None = None) -> Path:
        self.counter += 1
        out = self.tmp / "subs" / (name or f"{reporter}-{self.counter}.lnk")
        out.parent.mkdir(exist_ok=True)
        enc = encode_dataframe(df, self.schema, key or self.key)
        self.idmaps[out] = linkage.write_submission(
            out, enc, self.schema, reporter_id=reporter, signing_key=self.signing[reporter], period=period,
            replaces=replaces, record_ids=record_ids)
        return out


@pytest.fixture()
def world(tmp_path: Path, schema: linkage.Schema) -> World:
    w = World(tmp_path, schema, LinkageKey(TEST_SECRET))
    for r in ("police", "fairwork", "care"):
        w.add(r)
    return w


_SYNTH: dict[tuple[int, int], pd.DataFrame] = {}


def synth_reports(seed: int = 1, year: int = 2022) -> pd.DataFrame:
    """One year of synthetic reports (all reporters), cached."""
    if (seed, year) not in _SYNTH:
        from linkage.synth import generate

        _SYNTH[(seed, year)] = generate(seed=seed, years=(year,)).reports
    return _SYNTH[(seed, year)].copy()


def rows(df: pd.DataFrame, n: int, start: int = 0) -> pd.DataFrame:
    return df.iloc[start:start + n].reset_index(drop=True)
