"""Executors: the same dedup wherever it runs (threads, a process pool sharing the filters, a Dask cluster)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import linkage
from linkage.cli import cli
from linkage.encode import LinkageKey
from linkage.execution import DaskExecutor, LocalExecutor, ProcessExecutor, SharedArray, imap_shared
from linkage.records import RegistryRecords

from .test_cli import _encode, runner, setup  # noqa: F401  (fixtures)


def _sum_rows(item: tuple[int, int], *, data: np.ndarray, scale: float) -> float:
    return float(data[item[0]:item[1]].sum() * scale)


def _pid(_: int) -> int:
    return os.getpid()


@pytest.fixture(scope="module")
def records() -> RegistryRecords:
    from linkage.normalise import normalise_records
    from linkage.synth import generate, reporter_tables

    schema = linkage.default_schema()
    key = LinkageKey(bytes(range(32)))
    encs = [linkage.encode_records(normalise_records(t, schema), schema, key)
            for t in reporter_tables(generate(seed=11, n_reports=2500)).values()]
    f = np.concatenate([e.filters for e in encs])
    n = len(f)
    return RegistryRecords(reporter=np.array([f"r{i % 4}" for i in range(n)]),
                           record_id=np.array([f"{i:032x}" for i in range(n)]),
                           submission_id=np.array([f"s{i % 4}" for i in range(n)]),
                           presence=np.concatenate([e.presence for e in encs]), filters=f)


def test_process_pool_shares_arrays_and_persists() -> None:
    data = np.arange(1000, dtype=np.float64)
    chunks = [(0, 10), (10, 500), (500, 1000)]
    with ProcessExecutor(2) as ex:
        got = list(imap_shared(ex, _sum_rows, chunks, data=data, scale=2.0))
        assert got == [float(data[a:b].sum() * 2.0) for a, b in chunks]
        workers = set(ex._get_pool()._processes)  # type: ignore[attr-defined]
        pids = set(ex.map(_pid, range(8))) | set(ex.map(_pid, range(8)))
        assert pids <= workers and set(ex._get_pool()._processes) == workers  # type: ignore[attr-defined]
        assert os.getpid() not in pids  # the same spawned workers serve every call
        handle = ex.share(data)
        assert isinstance(handle, SharedArray) and len(repr(handle)) < 60  # pickles as a path, not the data
        path = handle.path
        assert os.path.exists(path) and np.array_equal(handle.get(), data)
    assert not os.path.exists(path)  # removed at close


@pytest.mark.parametrize("blocking", ["none", "lsh"])
def test_every_executor_gives_the_local_result(records: RegistryRecords, blocking: str) -> None:
    schema = linkage.default_schema()
    opts = {"draws": 30}
    base = linkage.dedup_records(records, schema, blocking=blocking, executor=LocalExecutor(1), estimate_options=opts)
    threads = linkage.dedup_records(records, schema, blocking=blocking, executor=LocalExecutor(2),
                                    estimate_options=opts)
    with ProcessExecutor(2) as pex:
        proc = linkage.dedup_records(records, schema, blocking=blocking, executor=pex, estimate_options=opts)
    with DaskExecutor(workers=2) as dex:  # a real dask.distributed LocalCluster
        dask = linkage.dedup_records(records, schema, blocking=blocking, executor=dex, estimate_options=opts)
    for other in (threads, proc, dask):
        assert other.pairs.equals(base.pairs)
        assert other.persons.equals(base.persons)
        assert other.summary.to_json() == base.summary.to_json()
        assert other.blocking["compared"] == base.blocking["compared"]


def test_cli_executors(setup: dict[str, Path], runner: CliRunner, tmp_path: Path) -> None:  # noqa: F811
    for rep in ("police", "fairwork"):
        assert _encode(runner, setup, rep).exit_code == 0  # type: ignore[attr-defined]
    subs = [str(setup["tmp"] / "police.lnk"), str(setup["tmp"] / "fairwork.lnk")]
    outs = {}
    for name, extra in (("local", ["--workers", "1"]), ("process", ["--executor", "process", "--workers", "2"]),
                        ("dask", ["--executor", "dask", "--workers", "1"])):
        out = tmp_path / name
        r = runner.invoke(cli, ["dedup", *subs, "--trusted-keys", str(setup["trusted"]), "--out", str(out),
                                "--json", *extra])
        assert r.exit_code == 0, r.stderr
        outs[name] = (json.loads(r.stdout), pd.read_csv(out / "persons.csv"))
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["parameters"]["blocking"]["description"] == "all-pairs"
    for name in ("process", "dask"):
        assert outs[name][0] == outs["local"][0] and outs[name][1].equals(outs["local"][1])
    r = runner.invoke(cli, ["dedup", *subs, "--trusted-keys", str(setup["trusted"]), "--out", str(tmp_path / "x"),
                            "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 2 and "--executor dask" in r.stderr


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:1", "not an address"])
def test_an_unreachable_dask_scheduler_is_a_clear_error(address: str) -> None:
    import dask
    import dask.distributed  # noqa: F401  (its defaults join dask's config before one is overridden)

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(linkage.LinkageError, match="cannot reach the Dask scheduler"):
            DaskExecutor(address)
