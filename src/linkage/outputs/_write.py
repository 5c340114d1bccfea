"""Outputs of the registry: persons, query-back lists, summary; written atomically.

What leaves the registry carries no similarity scores and no raw order: rows
are sorted by opaque ids, never by score or by arrival.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from linkage.files import atomic_write_bytes
from linkage.outputs._summary import DedupSummary

QUERYBACK_COLUMNS = ["record_id", "other_reporter", "other_record_id", "reason"]


def summary_table(summary: DedupSummary) -> list[tuple[str, str]]:
    """The summary as (label, value) rows for a terminal table."""
    rows = [
        ("reports", str(summary.reports)),
        ("unique persons (found)", str(summary.unique_persons)),
    ]
    est = summary.estimate
    if est is not None:
        lo, hi = est.interval
        level = f"{100 * est.level:.0f}%"
        rows.append(("unique persons (estimated)", f"{est.estimate:.0f} ({level} interval {lo:.0f}-{hi:.0f})"))
        if est.fit:
            rows.append(("count model fit", f"chi-square/df {est.fit['chi2_per_df']:.1f}"
                         + (" (poor: interval widened)" if est.fit.get("poor_fit") else "")))
        for w in est.warnings:
            rows.append(("WARNING", w))
    if summary.periods is not None:
        for pc in summary.periods.periods:
            lo, hi = pc.persons.interval
            rows.append((f"period {pc.period}", f"{pc.persons.estimate:.0f} persons ({lo:.0f}-{hi:.0f}); "
                         f"new {pc.new:.0f} ({pc.new_interval[0]:.0f}-{pc.new_interval[1]:.0f}); "
                         f"known earlier {pc.known_earlier:.0f} "
                         f"({pc.known_earlier_interval[0]:.0f}-{pc.known_earlier_interval[1]:.0f})"))
        t = summary.periods.total
        rows.append(("all periods", f"{t.estimate:.0f} persons ({t.interval[0]:.0f}-{t.interval[1]:.0f})"))
    rows += [
        ("persons reported by 2+ reporters", str(summary.persons_multi_reporter)),
        ("matched pairs", str(summary.pairs.match)),
        ("pairs for review (query-back)", str(summary.pairs.review)),
    ]
    for rep, c in summary.per_reporter.items():
        rows.append((f"  {rep}", f"{c.reports} reports, {c.persons} persons, {c.persons_shared} shared"))
    return rows


def write_outputs(
    outdir: str | Path,
    persons: pd.DataFrame,
    queryback: Mapping[str, pd.DataFrame],
    summary: DedupSummary,
    manifest: Mapping[str, Any],
) -> dict[str, Path]:
    """Write persons (CSV + Parquet), per-reporter query-back CSVs, summary and manifest JSON."""
    out = Path(outdir)
    (out / "queryback").mkdir(mode=0o700, parents=True, exist_ok=True)
    paths: dict[str, Path] = {}

    def put(rel: str, data: bytes) -> None:
        p = out / rel
        atomic_write_bytes(p, [data], overwrite=True)
        paths[rel] = p

    put("persons.csv", persons.to_csv(index=False).encode("utf-8"))
    buf = io.BytesIO()
    persons.to_parquet(buf, index=False)
    put("persons.parquet", buf.getvalue())
    for rep, df in sorted(queryback.items()):
        put(f"queryback/{rep}.csv", df[QUERYBACK_COLUMNS].to_csv(index=False).encode("utf-8"))
    put("summary.json", (json.dumps(summary.to_json(), indent=2, sort_keys=True) + "\n").encode("utf-8"))
    put("manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return paths
