"""A held-out data set: reporters' raw tables and the truth; its canonical CSV and hash."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.errors import LinkageError
from linkage.evaluate.heldout._params import ScenarioParams
from linkage.evaluate.heldout._render import INPUT_COLUMNS, render
from linkage.evaluate.heldout._reporting import simulate

TRUTH_COLUMNS: tuple[str, ...] = ("report_id", "reporter", "row", "case_ref", "person_id", "year")


@dataclass(frozen=True)
class HeldoutData:
    """One data set.

    ``tables``: reporter -> raw table (text or ``None`` cells, only the columns
    that reporter sends, rows in the order of its file). ``truth``: one row per
    report: ``report_id``, ``reporter``, ``row`` (0-based row in that reporter's
    table), ``case_ref``, ``person_id``, ``year`` (of the report). ``encodings``:
    the file encoding of each reporter's table when written
    (:func:`write_tables`); ``utf-8`` unless the data set is messy.
    ``info``: facts the generator chose (e.g. the dominant nationality).
    """

    family: str
    seed: int
    params: ScenarioParams
    tables: Mapping[str, pd.DataFrame]
    truth: pd.DataFrame
    encodings: Mapping[str, str]
    messy: bool = False
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.truth["year"].tolist()})

    def true_persons(self, year: int | None = None) -> int:
        t = self.truth if year is None else self.truth[self.truth["year"] == year]
        return int(t["person_id"].nunique())


def generate(params: ScenarioParams, seed: int, *, family: str = "custom", messy: bool = False) -> HeldoutData:
    """A data set for ``params`` and ``seed``: the same arguments give identical output.

    ``messy=True`` also writes values today's reader refuses (see
    :data:`linkage.evaluate.heldout.MESSY_KINDS`); everything else is as with
    ``messy=False``.
    """
    if not isinstance(seed, int) or seed < 0:
        raise LinkageError("seed must be a non-negative integer")
    sim = simulate(params, seed)
    tables, truth, encodings = render(sim, params, seed, messy=messy)
    info: dict[str, Any] = {"dominant": sim.dominant, "persons": int(truth["person_id"].nunique()),
                            "reports": len(truth)}
    return HeldoutData(family=family, seed=seed, params=params, tables=tables, truth=truth,
                       encodings=encodings, messy=messy, info=info)


def _csv_field(value: str) -> str:
    if any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def canonical_csv(data: HeldoutData) -> bytes:
    """The data set as one canonical CSV (UTF-8, ``\\n`` line ends): what its SHA-256 freezes.

    Long format, one line per cell a reporter sent plus three truth lines per
    report: ``report_id,field,value``. Reports in ``report_id`` order; per report
    ``reporter``, ``year`` and ``person_id``, then the sent columns in the order
    of the reader's input columns (an empty value is an empty cell). A column a
    reporter does not send has no line, so "not sent" and "sent empty" differ.
    Fields with a comma, quote or line break are quoted as in RFC 4180.
    """
    truth = data.truth.sort_values("report_id", kind="stable", ignore_index=True)
    n = len(truth)
    fields = ["reporter", "year", "person_id", *INPUT_COLUMNS]
    extra = sorted({c for t in data.tables.values() for c in t.columns if c not in INPUT_COLUMNS})
    fields += extra
    cells = np.full((n, len(fields)), "", dtype=object)
    sent = np.zeros((n, len(fields)), dtype=bool)
    cells[:, 0] = truth["reporter"].to_numpy(dtype=object)
    cells[:, 1] = truth["year"].astype(str).to_numpy(dtype=object)
    cells[:, 2] = [_csv_field(v) for v in truth["person_id"].astype(str).tolist()]
    sent[:, :3] = True
    reporter = truth["reporter"].to_numpy(dtype=object)
    row = truth["row"].to_numpy(dtype=np.int64)
    for rep in sorted(data.tables):
        table = data.tables[rep]
        idx = np.flatnonzero(reporter == rep)
        if len(idx) != len(table) or not np.array_equal(np.sort(row[idx]), np.arange(len(table))):
            raise LinkageError("truth and table disagree on the reports")
        at = idx[np.argsort(row[idx], kind="stable")]
        for col in table.columns:
            j = fields.index(col)
            cells[at, j] = ["" if v is None else _csv_field(str(v)) for v in table[col].tolist()]
            sent[at, j] = True
    rid = np.asarray([_csv_field(r) + "," for r in truth["report_id"].astype(str).tolist()], dtype=object)
    names = np.asarray([_csv_field(f) + "," for f in fields], dtype=object)
    lines = (rid[:, None] + names[None, :]) + cells
    body = "\n".join(lines[sent].tolist())
    return ("report_id,field,value\n" + body + "\n").encode("utf-8")


def dataset_sha256(data: HeldoutData) -> str:
    """SHA-256 (hex) of :func:`canonical_csv`."""
    return hashlib.sha256(canonical_csv(data)).hexdigest()


def write_tables(data: HeldoutData, directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write each reporter's table as ``<reporter>.csv`` (in its encoding) and ``truth.csv``.

    Characters a legacy encoding cannot hold are written as ``?`` (what such
    systems do). Returns the written paths by reporter (``truth`` included).
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for rep, table in sorted(data.tables.items()):
        path = out / f"{rep}.csv"
        text = table.to_csv(index=False, lineterminator="\n")
        path.write_bytes(text.encode(data.encodings.get(rep, "utf-8"), errors="replace"))
        paths[rep] = path
    truth_path = out / "truth.csv"
    data.truth.to_csv(truth_path, index=False, lineterminator="\n")
    paths["truth"] = truth_path
    return paths


def reporter_years(data: HeldoutData, reporter: str) -> npt.NDArray[np.int64]:
    """The report year of each row of ``reporter``'s table."""
    t = data.truth[data.truth["reporter"] == reporter].sort_values("row")
    out: npt.NDArray[np.int64] = t["year"].to_numpy(dtype=np.int64)
    return out
