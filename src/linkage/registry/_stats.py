"""Statistics as of any date: unique persons per year, new and earlier known, by reporter type,
with the estimated true count and its interval beside the found count, small cells suppressed.

As of a date ``D``, the figures are computed from what the registry held at ``D`` and still
holds (submissions ingested by ``D`` and not replaced by then; answers given by ``D``): the
stored pairs among those records are classified and clustered again, so the same date gives
the same figures in any later year, except where data were withdrawn or expired since (the
law requires them gone; the manifest lists what is counted).

Suppression: a published count below the threshold (default 10) that is not zero is
suppressed; then, wherever cells add up to a published total (new + earlier known = the
year's persons) or sit in one row of a breakdown, a lone suppressed cell takes the next
smallest cell with it (secondary suppression), so no total reveals it. An estimate is
suppressed with its found count.

The registry holds no plain attribute of a person: a breakdown by sex, age band or
nationality group needs the schema to carry them as published attributes, which the
built-in profile does not; the outputs say so instead of guessing from filters.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
import io
import json
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from linkage.errors import LinkageError
from linkage.estimate import CountModel, estimate_unique_persons
from linkage.registry._link import _model, load_active, partition
from linkage.registry._store import REPORTER_TYPES, Registry, RegistryError, _iso, append_audit, utc_now

__all__ = ["RegistryStats", "compute_stats", "suppress", "write_file_set", "write_stats"]

SUPPRESSED = None


@dataclass(frozen=True)
class RegistryStats:
    as_of: str
    years: list[dict[str, Any]]
    by_reporter_type: list[dict[str, Any]]
    suppress_below: int
    counted_submissions: list[dict[str, Any]]
    not_counted: dict[str, Any]
    notes: list[str]
    provenance: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "suppress_below": self.suppress_below, "years": self.years,
                "by_reporter_type": self.by_reporter_type, "not_counted": self.not_counted, "notes": self.notes}


def suppress(cells: Mapping[str, int], threshold: int, *, total: str | None = None) -> dict[str, int | None]:
    """Primary and secondary suppression of one group of cells (``total`` names the cell the others add up to).

    A non-zero cell below ``threshold`` is suppressed; if exactly one of the parts is then
    suppressed while the total is published, the smallest other published non-zero part
    is suppressed too.
    """
    out: dict[str, int | None] = {k: (None if 0 < v < threshold else v) for k, v in cells.items()}
    parts = [k for k in cells if k != total]
    hidden = [k for k in parts if out[k] is None]
    published_total = total is None or out.get(total) is not None
    if len(hidden) == 1 and published_total:
        rest = sorted((cells[k], k) for k in parts if out[k] is not None and cells[k] > 0)
        if rest:
            out[rest[0][1]] = None
        elif total is not None:
            out[total] = None
    return out


def compute_stats(registry: Registry, *, as_of: _dt.datetime | None = None, suppress_below: int | None = None,
                  count_model: CountModel | None = None, draws: int = 200) -> RegistryStats:
    """The registry's statistics as of ``as_of`` (default now)."""
    schema = registry.schema
    threshold = suppress_below if suppress_below is not None else registry.settings().suppress_below
    when = (as_of or utc_now()).astimezone(_dt.UTC).replace(microsecond=0)
    stamp = when.isoformat()
    model = count_model if count_model is not None else _model(schema)
    with registry.db.read() as tx:
        ep = tx.one("SELECT epoch, key_id FROM epochs WHERE started_at <= ? ORDER BY epoch DESC LIMIT 1", (stamp,))
        epoch = None if ep is None else int(ep[0])
        active = load_active(tx, schema, epoch=epoch, as_of=stamp)
        answers = [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in tx.all(
            "SELECT a_reporter, a_record, b_reporter, b_record, answer FROM answers WHERE ingested_at <= ? "
            "ORDER BY id", (stamp,))]
        types = dict(tx.all("SELECT reporter_id, reporter_type FROM reporters"))
        subs = tx.all(
            "SELECT submission_id, reporter_id, period_start, period_end, record_count, payload_sha256, "
            "ingested_at, epoch FROM submissions WHERE ingested_at <= ? AND "
            "(ended_at IS NULL OR ended_at > ? OR status='active') AND status IN ('active', 'replaced') "
            "ORDER BY ingested_at, submission_id", (stamp, stamp))
        gone = tx.all("SELECT status, COUNT(*) FROM submissions WHERE ingested_at <= ? AND status IN "
                      "('withdrawn', 'expired') GROUP BY status", (stamp,))
        run = tx.scalar("SELECT value FROM meta WHERE name='link_run'")
        head = tx.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    unlinked = int(np.count_nonzero(~active.linked))
    if unlinked:
        raise RegistryError(f"{unlinked} record(s) counted as of {stamp} are not linked yet; "
                            "run 'linkage registry link' first")
    counted = [s for s in subs if epoch is None or int(s[7]) == epoch]
    other_epochs = [s for s in subs if epoch is not None and int(s[7]) != epoch]
    part = partition(active, schema, answers, model)
    labels = part.labels
    recs = active.records
    years_of = active.year
    person_years: dict[int, set[int]] = {}
    for lab, y in zip(labels.tolist(), years_of.tolist(), strict=True):
        person_years.setdefault(lab, set()).add(int(y))
    first = {lab: min(ys) for lab, ys in person_years.items()}
    year_rows: list[dict[str, Any]] = []
    type_rows: list[dict[str, Any]] = []
    all_types = [*REPORTER_TYPES, *sorted({str(t) for t in types.values()} - set(REPORTER_TYPES))]
    notes = [
        "persons are counted in every year in which they were reported; 'new' = first reported that year",
        "a person reported by several reporter types counts once under each (the types do not add up)",
        "breakdowns by sex, age band and nationality group are not available: the registry holds no plain "
        "attributes, and the schema carries none for publication",
    ]
    for y in sorted({int(v) for v in years_of.tolist()}):
        in_year = years_of == y
        labs = set(labels[in_year].tolist())
        found = len(labs)
        new = sum(1 for lab in labs if first[lab] == y)
        cells = suppress({"persons": found, "new": new, "earlier_known": found - new}, threshold, total="persons")
        cells.update(suppress({"reports": int(np.count_nonzero(in_year))}, threshold))
        est: dict[str, Any] = {"estimate": None, "interval": None, "level": None}
        if model is not None and cells["persons"] is not None:
            try:
                e = estimate_unique_persons(recs.filters[in_year], recs.presence[in_year], model, found=found,
                                            draws=draws)
                est = {"estimate": float(e.estimate), "interval": [float(e.interval[0]), float(e.interval[1])],
                       "level": float(e.level)}
            except LinkageError as exc:
                notes.append(f"{y}: no estimate ({exc})")
        year_rows.append({"year": y, **cells, **est})
        by_type = {t: 0 for t in all_types}
        rep_types = np.array([str(types.get(r, "other")) for r in recs.reporter[in_year].tolist()])
        for t in all_types:
            by_type[t] = len(set(labels[in_year][rep_types == t].tolist())) if len(rep_types) else 0
        type_rows.append({"year": y, **suppress(by_type, threshold)})
    if other_epochs:
        notes.append(f"{len(other_epochs)} submission(s) of an earlier key epoch are not counted until re-sent "
                     "under the current key")
    counted_list = [{"submission_id": s[0], "reporter_id": s[1], "reporter_type": types.get(s[1]),
                     "period": [s[2], s[3]], "records": int(s[4]), "payload_sha256": s[5], "ingested_at": s[6]}
                    for s in counted]
    return RegistryStats(
        as_of=stamp, years=year_rows, by_reporter_type=type_rows, suppress_below=threshold,
        counted_submissions=counted_list,
        not_counted={"earlier_epoch_submissions": [s[0] for s in other_epochs],
                     **{f"{st}_submissions": int(c) for st, c in gone}},
        notes=notes,
        provenance={"schema_fingerprint": schema.fingerprint, "schema": schema.name, "epoch": epoch,
                    "key_id": None if ep is None else ep[1], "link_run": None if run is None else int(run),
                    "audit_head": None if head is None else {"seq": int(head[0]), "hash": head[1]},
                    "records": len(recs), "estimate_draws": draws,
                    "count_model": None if model is None else {"years": list(model.years),
                                                               "replicates": model.replicates}},
    )


def write_file_set(directory: str | Path, files: Mapping[str, bytes], *, overwrite: bool = False) -> Path:
    """Write ``files`` as one set: into a new hidden sibling directory, fsynced, then renamed into place.

    Readers see the previous complete set or the new complete set, never a mixture; a
    killed run leaves only a hidden ``.NAME.partial-*`` directory, removed by the next run.
    """
    target = Path(directory)
    parent = target.parent
    if not parent.is_dir():
        raise RegistryError(f"the directory of {target.name!r} does not exist")
    for stale in parent.glob(f".{target.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if target.exists() and not overwrite:
        raise RegistryError(f"{target.name} exists; outputs go to a new directory (or use --overwrite)")
    tmp = parent / f".{target.name}.partial-{secrets.token_hex(4)}"
    tmp.mkdir(mode=0o700)
    for name, data in sorted(files.items()):
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    dfd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    old = None
    if target.exists():
        old = parent / f".{target.name}.partial-old-{secrets.token_hex(4)}"
        os.rename(target, old)
    os.rename(tmp, target)
    pfd = os.open(parent, os.O_RDONLY)
    try:
        os.fsync(pfd)
    finally:
        os.close(pfd)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        vals: list[Any] = []
        for c in columns:
            if c in ("interval_low", "interval_high"):
                iv = r.get("interval")
                vals.append("" if iv is None else iv[0 if c == "interval_low" else 1])
                continue
            v = r.get(c)
            vals.append("suppressed" if v is None and c not in ("estimate", "level") else ("" if v is None else v))
        w.writerow(vals)
    return buf.getvalue().encode("utf-8")


def _plot(stats: RegistryStats) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = [r["year"] for r in stats.years]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    found = [r["persons"] if r["persons"] is not None else np.nan for r in stats.years]
    ax.plot(years, found, "o-", label="persons found")
    est = [r["estimate"] if r["estimate"] is not None else np.nan for r in stats.years]
    lo = [r["interval"][0] if r["interval"] else np.nan for r in stats.years]
    hi = [r["interval"][1] if r["interval"] else np.nan for r in stats.years]
    if not all(np.isnan(est)):
        ax.plot(years, est, "s--", label="estimated true count")
        ax.fill_between(years, lo, hi, alpha=0.2, label="95% interval")
    new = [r["new"] if r["new"] is not None else np.nan for r in stats.years]
    ax.bar(years, new, alpha=0.3, label="new persons")
    ax.set_xlabel("year")
    ax.set_ylabel("unique persons")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _html(stats: RegistryStats) -> bytes:
    def table(rows: list[dict[str, Any]], cols: list[str]) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = []
        for r in rows:
            cells = []
            for c in cols:
                v = r.get(c)
                if isinstance(v, list):
                    text = f"{v[0]:.0f}&ndash;{v[1]:.0f}"
                elif v is None:
                    text = "&middot;" if c in ("estimate", "interval") else "<i>suppressed</i>"
                elif isinstance(v, float):
                    text = f"{v:.0f}"
                else:
                    text = html.escape(str(v))
                cells.append(f"<td>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table><tr>{head}</tr>{''.join(body)}</table>"

    type_cols = ["year", *[k for k in (stats.by_reporter_type[0] if stats.by_reporter_type else {}) if k != "year"]]
    img = _plot(stats) if stats.years else ""
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in stats.notes)
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Registry statistics as of {html.escape(stats.as_of)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:right}}</style></head><body>
<h1>Unique persons, as of {html.escape(stats.as_of)}</h1>
<p>Counts below {stats.suppress_below} are suppressed, and a second cell with a lone suppressed one, so that no
total reveals it. The estimate corrects the found count for chance links and missed links (95% interval).</p>
{'<img alt="persons per year" src="data:image/png;base64,' + img + '">' if img else ''}
<h2>Per year</h2>{table(stats.years, ["year", "persons", "new", "earlier_known", "reports", "estimate", "interval"])}
<h2>By reporter type (a person counts under each type that reported it)</h2>{table(stats.by_reporter_type, type_cols)}
<h2>Notes</h2><ul>{notes}</ul>
<p>{len(stats.counted_submissions)} submissions counted (listed in manifest.json).</p>
</body></html>
"""
    return page.encode("utf-8")


def write_stats(registry: Registry, stats: RegistryStats, out: str | Path, *, actor: str | None = None,
                overwrite: bool = False) -> Path:
    """Write ``stats.json``, two CSV tables, ``stats.html`` (offline, plot inlined), ``manifest.json``: one set."""
    from importlib.metadata import PackageNotFoundError, version

    def ver(pkg: str) -> str | None:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return None

    type_cols = ["year", *[k for k in (stats.by_reporter_type[0] if stats.by_reporter_type else {}) if k != "year"]]
    files = {
        "stats.json": (json.dumps(stats.to_json(), indent=2, sort_keys=True) + "\n").encode("utf-8"),
        "persons_by_year.csv": _csv(stats.years, ["year", "persons", "new", "earlier_known", "reports", "estimate",
                                                  "interval_low", "interval_high", "level"]),
        "persons_by_reporter_type.csv": _csv(stats.by_reporter_type, type_cols),
        "stats.html": _html(stats),
    }
    manifest = {
        "as_of": stats.as_of, "written": _iso(None), "suppress_below": stats.suppress_below,
        "counted_submissions": stats.counted_submissions, "not_counted": stats.not_counted,
        **stats.provenance,
        "linkage_version": ver("linkage"), "packages": {p: ver(p) for p in ("numpy", "pandas", "matplotlib")},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    target = write_file_set(out, files, overwrite=overwrite)
    with registry.db.write() as tx:
        append_audit(tx, actor, "stats", {"as_of": stats.as_of, "out": Path(out).name,
                                          "submissions": len(stats.counted_submissions),
                                          "suppress_below": stats.suppress_below})
    return target
