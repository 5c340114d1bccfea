"""Execution: where chunks of registry work run.

An executor is anything with ``map(fn, items) -> list`` that preserves order.
The pipeline hands it pure functions over plain arrays, so results do not
depend on where the work ran. Executors that can also ``share(array)`` (send a
large array to the workers once) and ``imap`` (results in order, as they come)
get the big arrays once instead of with every chunk, and bounded memory:

* :class:`LocalExecutor`: in this process; the compiled kernels use
  ``workers`` threads (default: every core).
* :class:`ProcessExecutor`: a persistent pool of ``workers`` processes; shared
  arrays go to a shared-memory block once and are mapped by every worker
  (nothing is pickled per chunk); one kernel thread per worker.
* :class:`DaskExecutor`: a ``dask.distributed`` cluster (a ``LocalCluster`` of
  ``workers`` processes, or a scheduler address); shared arrays are scattered
  to every worker once. Needs the ``dask`` extra.

Call :func:`imap_shared` to run ``fn(item, **shared)`` for each item on any of
them (or on a plain ``map``-only executor).
"""

from __future__ import annotations

from linkage.execution._executors import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    ProcessExecutor,
    SharedArray,
    executor_workers,
    imap_shared,
)

__all__ = [
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "ProcessExecutor",
    "SharedArray",
    "executor_workers",
    "imap_shared",
]
