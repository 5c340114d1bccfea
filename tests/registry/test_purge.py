"""Withdrawal, retention and purge really remove the data: read the database files' bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from linkage.encode import encode_dataframe
from linkage.registry import RegistrySettings, ingest, init_registry, link, purge, withdraw
from linkage.submission import parse_period

from .conftest import World, rows, synth_reports


def _files(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def _filters(world: World, df: object) -> list[bytes]:
    enc = encode_dataframe(df, world.schema, world.key)  # type: ignore[arg-type]
    f = np.ascontiguousarray(enc.filters.astype("<u8"))
    return [f[i].tobytes() for i in range(len(f)) if enc.presence[i]]


def test_withdrawn_and_expired_records_are_gone_from_the_file_free_pages_and_wal(world: World) -> None:
    db = world.tmp / "reg.sqlite"
    reg = init_registry(db, world.schema, settings=RegistrySettings(retention_days=365))
    for r in ("police", "fairwork", "care"):
        reg.add_reporter(r, world.pub(r), "other")
    df = synth_reports(seed=11)
    a, b, c = rows(df, 40), rows(df, 40, 100), rows(df, 40, 200)
    sa = world.submission("police", a, period=parse_period("2020-03"))
    sb = world.submission("fairwork", b, period=parse_period("2024-03"))
    sc = world.submission("care", c, period=parse_period("2024-04"))
    ingest(reg, [sa, sb, sc])
    link(reg)
    fa, fb, fc = _filters(world, a), _filters(world, b), _filters(world, c)
    # one person reported by two reporters can have the same filter twice: check only unique ones
    fa, fb, fc = ([f for f in x if sum(f in y for y in (fa, fb, fc)) == 1 and x.count(f) == 1] for x in (fa, fb, fc))
    data = _files(db)
    assert all(f in data for f in fa + fb + fc)  # the check can see them
    # withdraw a whole submission (consent withdrawn) and one record of another
    sid_b = [s for s in reg.submissions() if s["reporter_id"] == "fairwork"][0]["submission_id"]
    withdraw(reg, submission=sid_b, reason="consent withdrawn")
    one = reg.db
    with one.read() as tx:
        rec = next(r for r in tx.all("SELECT record_id, filter FROM records WHERE reporter_id='care'")
                   if bytes(r[1]) in fc)
    assert rec is not None
    withdraw(reg, reporter="care", record=str(rec[0]), reason="consent withdrawn")
    link(reg)
    data = _files(db)
    assert not any(f in data for f in fb)
    assert bytes(rec[1]) not in data
    assert sum(f in data for f in fc) == len(fc) - 1
    # retention: the 2020 submission is older than a year on 2025-01-15, the 2024 ones are not
    res = purge(reg, now=dt.datetime(2025, 1, 15, tzinfo=dt.UTC))
    assert res["records_deleted"] == 40 and len(fa) > 30
    data = _files(db)
    assert not any(f in data for f in fa)
    assert reg.record_count() == 39
    statuses = {s["reporter_id"]: s["status"] for s in reg.submissions()}
    assert statuses == {"police": "expired", "fairwork": "withdrawn", "care": "active"}
    # a withdrawn file sent again is refused, not counted again
    import pytest

    from linkage.registry import RegistryError

    with pytest.raises(RegistryError, match="withdrawn"):
        ingest(reg, [sb])
    actions = [e.action for e in reg.audit_entries()]
    assert actions.count("withdraw") == 2 and "purge" in actions
    reg.close()


def test_withdrawal_on_every_backend(target: str | Path, world: World) -> None:
    reg = init_registry(target, world.schema)
    reg.add_reporter("police", world.pub("police"), "police")
    ingest(reg, [world.submission("police", rows(synth_reports(), 30))])
    link(reg)
    sid = reg.submissions()[0]["submission_id"]
    out = withdraw(reg, submission=sid, reason="sent in error")
    assert out["records"] == 30
    with reg.db.read() as tx:
        assert tx.scalar("SELECT COUNT(*) FROM records") == 0
        assert tx.scalar("SELECT COUNT(*) FROM pairs") == 0
    assert link(reg).persons == 0
    reg.close()
