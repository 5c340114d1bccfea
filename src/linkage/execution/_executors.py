"""The executors (see :mod:`linkage.execution`)."""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from linkage.errors import LinkageError

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...


def _cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def executor_workers(ex: Executor) -> int:
    """How many chunks ``ex`` runs at once (1 for an executor that does not say)."""
    return max(1, int(getattr(ex, "workers", None) or 1))


class LocalExecutor:
    """Run every chunk in this process, in order; compiled kernels use ``workers`` threads (default: all cores)."""

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and int(workers) < 1:
            raise LinkageError(f"workers must be at least 1, got {workers}")
        self.workers = _cores() if workers is None else int(workers)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(x) for x in items]

    def __repr__(self) -> str:
        return f"LocalExecutor(workers={self.workers})"


# ---------------------------------------------------------------------------
# Process pool with shared memory


class SharedArray:
    """A handle to an array in a memory-mapped file: pickles as its path only.

    ``get()`` maps the file (once per process) read-only; the pages are shared
    by every process that maps it (on ``/dev/shm`` where there is one: RAM, not
    disk).
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (SharedArray, (self.path,))

    def get(self) -> npt.NDArray[Any]:
        hit = _attached.get(self.path)
        if hit is None:
            hit = np.load(self.path, mmap_mode="r", allow_pickle=False)
            while len(_attached) >= 8:  # keep the last runs' arrays mapped, let older ones go
                _attached.pop(next(iter(_attached)))
            _attached[self.path] = hit
        return hit

    def __repr__(self) -> str:
        return f"SharedArray({os.path.basename(self.path)})"


_attached: dict[str, npt.NDArray[Any]] = {}


def _close_if_alive(ref: weakref.ReferenceType[ProcessExecutor]) -> None:
    ex = ref()
    if ex is not None:
        ex.close()


def _resolve(value: Any) -> Any:
    return value.get() if isinstance(value, SharedArray) else value


def _call_shared(fn: Callable[..., R], shared: Mapping[str, Any], item: Any) -> R:
    return fn(item, **{k: _resolve(v) for k, v in shared.items()})


def _init_worker() -> None:
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one kernel thread per worker process


def _share_dir() -> str:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.mkdtemp(prefix="linkage-shared-", dir=base)  # 0700


def _release(dirs: list[str]) -> None:
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    dirs.clear()


class ProcessExecutor:
    """A persistent pool of ``workers`` processes (spawned; results in input order).

    The pool starts on first use and stays until :meth:`close` (or the end of a
    ``with`` block, or of the interpreter), so workers import the library and
    compile kernels once. Arrays given to :meth:`share` are copied once into a
    shared-memory block that every worker maps; chunks then carry only small
    handles (the arrays are written to a private 0700 directory, on ``/dev/shm``
    where it exists, and removed by :meth:`release` / :meth:`close`). Workers
    are started with ``spawn``: forking a process that already
    runs compiled kernels' thread pools is not safe.
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and int(workers) < 1:
            raise LinkageError(f"workers must be at least 1, got {workers}")
        self.workers = _cores() if workers is None else int(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._dirs: list[str] = []
        self._finalizer = weakref.finalize(self, _release, self._dirs)
        atexit.register(_close_if_alive, weakref.ref(self))  # a weak reference: the executor can still go

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker)
        return self._pool

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return list(self._get_pool().map(fn, items))

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Results in input order as they come, at most ``2 * workers`` chunks in flight."""
        pool = self._get_pool()
        pending: list[Any] = []
        todo = iter(items)
        for x in todo:
            pending.append(pool.submit(fn, x))
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            out = pending.pop(0).result()
            for nxt in itertools.islice(todo, 1):
                pending.append(pool.submit(fn, nxt))
            yield out

    def share(self, array: npt.NDArray[Any]) -> SharedArray:
        if not self._dirs:
            self._dirs.append(_share_dir())
        path = os.path.join(self._dirs[0], f"{len(os.listdir(self._dirs[0]))}.npy")
        np.save(path, np.ascontiguousarray(array), allow_pickle=False)
        return SharedArray(path)

    def release(self) -> None:
        """Remove the files of earlier :meth:`share` calls (the pool stays)."""
        _release(self._dirs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        _release(self._dirs)

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers})"



# ---------------------------------------------------------------------------
# Dask


class DaskExecutor:
    """Run chunks on a ``dask.distributed`` cluster.

    ``address`` (``tcp://scheduler:8786``) connects to a running cluster;
    without it a ``LocalCluster`` of ``workers`` single-threaded worker
    processes starts on this machine (and stops at :meth:`close`). Shared
    arrays are scattered to every worker once (``broadcast``); chunk results
    come back in input order. Functions and arguments travel pickled, as dask
    does it, between this process and the cluster's workers: run it inside the
    registry's own network.
    """

    def __init__(self, address: str | None = None, *, workers: int | None = None, client: Any = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - the dask extra is not installed
            raise LinkageError("the Dask executor needs dask.distributed: pip install 'linkage[dask]'") from exc
        self._cluster = None
        if client is not None:
            self.client = client
        elif address is not None:
            try:
                self.client = Client(address)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError, ValueError) as exc:
                raise LinkageError(
                    f"cannot reach the Dask scheduler at {address!r} ({type(exc).__name__}); "
                    "check --scheduler (e.g. tcp://host:8786) and that the scheduler is running"
                ) from None
        else:
            n = _cores() if workers is None else int(workers)
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                                         dashboard_address=None)
            self.client = Client(self._cluster)  # type: ignore[no-untyped-call]
        info = self.client.scheduler_info()
        self.workers = max(1, len(info.get("workers", {})) if workers is None or address is not None else int(workers))
        self.address = address

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        futures = self.client.map(fn, list(items), pure=False)
        out: list[R] = self.client.gather(futures)
        return out

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        futures = self.client.map(fn, list(items), pure=False)
        for fut in futures:
            yield fut.result()
            fut.release()

    def share(self, array: npt.NDArray[Any]) -> Any:
        return self.client.scatter(np.ascontiguousarray(array), broadcast=True, hash=False)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.address if self.address else "LocalCluster"
        return f"DaskExecutor({where}, workers={self.workers})"


# ---------------------------------------------------------------------------


def imap_shared(ex: Executor, fn: Callable[..., R], items: Iterable[T], **shared: Any) -> Iterator[R]:
    """``fn(item, **shared)`` for every item on ``ex``, in input order, the ``shared`` arrays sent once.

    A process pool maps them from shared memory, a Dask cluster gets them
    scattered; an executor with only ``map`` gets them with each chunk.
    """
    share = getattr(ex, "share", None)
    imap = getattr(ex, "imap", None)
    if isinstance(ex, LocalExecutor) or share is None:
        yield from (ex.map(partial(fn, **shared), items) if imap is None else imap(partial(fn, **shared), items))
        return
    handles = {k: share(v) if isinstance(v, np.ndarray) else v for k, v in shared.items()}
    if isinstance(ex, DaskExecutor):
        # at most 2 x workers tasks in flight, so results do not pile up on the cluster
        todo = list(items)
        window = 2 * ex.workers
        pending = ex.client.map(fn, todo[:window], pure=False, **handles)
        nxt = window
        while pending:
            fut = pending.pop(0)
            yield fut.result()
            fut.release()
            if nxt < len(todo):
                pending += ex.client.map(fn, [todo[nxt]], pure=False, **handles)
                nxt += 1
        return
    call = partial(_call_shared, fn, handles)
    try:
        yield from (imap(call, items) if imap is not None else ex.map(call, items))
    finally:
        release = getattr(ex, "release", None)
        if release is not None:
            release()
