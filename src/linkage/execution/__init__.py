"""Execution: where chunks of registry work run.

An executor is anything with ``map(fn, items) -> list`` that preserves order.
The pipeline hands it pure functions over plain arrays, so results do not
depend on where the work ran. This release ships the in-process executor and
a process-pool executor.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

__all__ = ["Executor", "LocalExecutor", "ProcessExecutor"]

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...


class LocalExecutor:
    """Run every chunk in this process, in order."""

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(x) for x in items]

    def __repr__(self) -> str:
        return "LocalExecutor()"


class ProcessExecutor:
    """Run chunks in a pool of worker processes (results in input order).

    Workers are started with ``spawn``: forking a process that already runs
    compiled kernels' thread pools is not safe.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            return list(pool.map(fn, items))

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers})"
