"""A messy CoMensha-like set of reporter files, as reporters' own systems export them (synthetic values only).

:func:`write_messy_set` turns a synthetic decade (``linkage.synth``) into one
file per reporter and year, each reporter in its own house style:

========== ======================================================================
police     Excel-NL CSV export: semicolon, UTF-8 with BOM, CRLF, Dutch headers,
           blank ``;;;;`` rows between and after the records
kmar       ``.xlsx``: Dutch headers (``Naam``, ``Geb. datum``, ``M/V``); dates of
           birth as Excel date cells, some as bare serial numbers, some as text
           with a Dutch month name
nla        CSV in Windows-1252, comma, English headers (``dob``, ``gender``)
fairwork   tab-separated ``.txt`` in UTF-16 with BOM: initials, age, report date
care       CSV in Latin-1 (ISO 8859-1), semicolon, ``Volledige naam``,
           ``Voornaam``, ``Achternaam``, ``Geboortejaar``, ``Sekse``
other      ``.xlsx`` with English headers (``first name``, ``DOB``, ``Age``)
========== ======================================================================

Into a few percent of the cells go the values real files hold: accepted ones
(``XX``, ``ZZ``, ``onbekend``, ``W``, ``31 december 1990``, ``~34``,
``00-00-0000``, an Excel serial date in a workbook) and refused ones
(``Koerdisch``, ``Roma``, ``EU``, ``NL/MA``, ``O``, ``NB``, ``30-35``,
``34+``, a serial number in a CSV, ``31-02-1990``, a two-digit year). Each
file knows which cells (row, header) it made refusable, so a test can check
that ``--invalid refuse`` lists exactly those and ``--invalid missing`` leaves
exactly those out.

Besides the decade: a header-only file, a file whose columns are all
unknown, and a damaged workbook -- each must be refused.

``python -m tests.intake.messy --out DIR`` writes the set and runs
``linkage encode`` on every file under both policies, printing a JSON summary.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import json
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from anyascii import anyascii

from linkage.synth import generate, reporter_tables

# Messy values: accepted (read as a value or as unknown) and refused (each with a clear reason).
NATIONALITY_ACCEPTED = ["XX", "ZZ", "XXX", "onbekend", "onb.", "Onbekend/stateloos"]
NATIONALITY_REFUSED = ["Koerdisch", "Roma", "EU", "NL/MA", "Europa"]
SEX_ACCEPTED = ["W", "onbekend", "?"]
SEX_REFUSED = ["O", "NB"]
AGE_ACCEPTED = ["~{a}", "ca. {a}", "{a} jaar", "onbekend"]
AGE_REFUSED = ["{a}-{b}", "{a}+"]
DUTCH_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december"]

STYLES: dict[str, dict[str, Any]] = {
    "police": {
        "ext": ".csv", "encoding": "utf-8-sig", "delimiter": ";", "newline": "\r\n", "blank_rows": True,
        "headers": {"case_ref": "Registratienummer", "report_date": "Meldingsdatum", "full_name": "Volledige naam",
                    "given_names": "Voornamen", "surname": "Achternaam", "date_of_birth": "Geboortedatum",
                    "nationality": "Nationaliteit", "sex": "Geslacht"},
        "extra": {"Tussenvoegsel": None, "Opmerking": None}, "dates": "dmy",
    },
    "kmar": {
        "ext": ".xlsx", "headers": {"case_ref": "Kenmerk", "report_date": "Datum melding", "full_name": "Naam",
                                    "date_of_birth": "Geb. datum", "nationality": "Nationaliteit", "sex": "M/V"},
        "dates": "excel",
    },
    "nla": {
        "ext": ".csv", "encoding": "cp1252", "delimiter": ",", "newline": "\r\n",
        "headers": {"case_ref": "case id", "report_date": "date reported", "full_name": "full name",
                    "date_of_birth": "dob", "birth_year": "year of birth", "nationality": "nationality",
                    "sex": "gender"},
        "dates": "iso",
    },
    "fairwork": {
        "ext": ".txt", "encoding": "utf-16", "delimiter": "\t", "newline": "\n",
        "headers": {"case_ref": "Dossiernummer", "report_date": "Datum melding", "initials": "Initialen",
                    "age": "Leeftijd", "nationality": "Nationaliteit", "sex": "Geslacht"},
        "dates": "dmy",
    },
    "care_coordinator": {
        "ext": ".csv", "encoding": "latin-1", "delimiter": ";", "newline": "\n",
        "headers": {"case_ref": "Dossiernr", "report_date": "Aanmelddatum", "full_name": "Volledige naam",
                    "given_names": "Voornaam", "surname": "Achternaam", "date_of_birth": "Geboortedatum",
                    "birth_year": "Geboortejaar", "nationality": "Nationaliteit", "sex": "Sekse"},
        "dates": "dmy",
    },
    "other": {
        "ext": ".xlsx", "headers": {"case_ref": "Ref", "report_date": "Report date", "full_name": "Complete name",
                                    "given_names": "first name", "surname": "last name", "initials": "Initials",
                                    "date_of_birth": "DOB", "birth_year": "Birth year", "age": "Age",
                                    "nationality": "Nationality", "sex": "Sex"},
        "extra": {"Country of origin": None}, "dates": "excel",
    },
}


@dataclass
class MessyFile:
    """One file of the set and what a correct intake must do with it."""

    path: Path
    kind: str  # "report", "header_only", "unknown_columns", "corrupt"
    reporter: str = ""
    year: int = 0
    records: int = 0
    refused_cells: set[tuple[int, str]] = field(default_factory=set)
    accepted_messy: int = 0
    headers: set[str] = field(default_factory=set)  # the headers intake must read

    def to_json(self) -> dict[str, Any]:
        return {"file": self.path.name, "kind": self.kind, "reporter": self.reporter, "year": self.year,
                "records": self.records, "refused_cells": len(self.refused_cells),
                "accepted_messy_cells": self.accepted_messy}


def _fit(text: str, encoding: str) -> str:
    """What an export in a single-byte code page makes of a name: unencodable letters best-fit."""
    out = []
    for ch in text:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch)[0]
            try:
                base.encode(encoding)
                out.append(base)
            except UnicodeEncodeError:
                out.append(anyascii(ch) or "?")
    return "".join(out)


def _dmy(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}-{m}-{y}"


def _date_text(value: object) -> dt.date | None:
    """A synthetic date of birth (ISO or day-first text) as a date."""
    if not isinstance(value, str):
        return None
    parts = value.split("-")
    if len(parts) != 3:
        return None
    try:
        if len(parts[0]) == 4:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def _excel_serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days


def _messify(table: pd.DataFrame, style: dict[str, Any], rng: np.random.Generator, rate: float,
             mf: MessyFile) -> pd.DataFrame:
    """Put messy values into some cells; record the refusable ones by (row index, canonical column)."""
    t = table.copy().astype(object)
    t = t.where(pd.notna(t), None)
    xlsx = style["ext"] == ".xlsx"
    refused: set[tuple[int, str]] = set()
    n = len(t)
    for i in range(n):
        row = t.iloc[i]
        if "nationality" in t.columns and row["nationality"] is not None and rng.random() < rate:
            if rng.random() < 0.5:
                t.iat[i, t.columns.get_loc("nationality")] = str(rng.choice(NATIONALITY_ACCEPTED))
                mf.accepted_messy += 1
            else:
                t.iat[i, t.columns.get_loc("nationality")] = str(rng.choice(NATIONALITY_REFUSED))
                refused.add((i, "nationality"))
        if "sex" in t.columns and row["sex"] is not None and rng.random() < rate:
            if rng.random() < 0.5:
                t.iat[i, t.columns.get_loc("sex")] = str(rng.choice(SEX_ACCEPTED))
                mf.accepted_messy += 1
            else:
                t.iat[i, t.columns.get_loc("sex")] = str(rng.choice(SEX_REFUSED))
                refused.add((i, "sex"))
        dob = row["date_of_birth"] if "date_of_birth" in t.columns else None
        d = _date_text(dob)
        if d is not None and rng.random() < 2 * rate:
            u = rng.random()
            col = t.columns.get_loc("date_of_birth")
            if u < 0.3:
                t.iat[i, col] = f"{d.day} {DUTCH_MONTHS[d.month - 1]} {d.year}"
                mf.accepted_messy += 1
            elif u < 0.45 and xlsx:
                t.iat[i, col] = _excel_serial(d)  # a bare number in a workbook: its serial date
                mf.accepted_messy += 1
            elif u < 0.5:
                t.iat[i, col] = "00-00-0000"
                mf.accepted_messy += 1
            elif u < 0.65 and not xlsx:
                t.iat[i, col] = str(_excel_serial(d))  # a serial number in a CSV: which date system? refused
                refused.add((i, "date_of_birth"))
            elif u < 0.8:
                t.iat[i, col] = f"31-02-{d.year}"
                refused.add((i, "date_of_birth"))
            else:
                t.iat[i, col] = f"{d.day:02d}-{d.month:02d}-{d.year % 100:02d}"
                refused.add((i, "date_of_birth"))
        primary_age = (
            "age" in t.columns and row["age"] is not None
            and all(c not in t.columns or row[c] is None for c in ("date_of_birth", "birth_year"))
        )
        if primary_age and rng.random() < 2 * rate:
            a = int(row["age"])
            if rng.random() < 0.6:
                t.iat[i, t.columns.get_loc("age")] = str(rng.choice(AGE_ACCEPTED)).format(a=a)
                mf.accepted_messy += 1
            else:
                t.iat[i, t.columns.get_loc("age")] = str(rng.choice(AGE_REFUSED)).format(a=a, b=a + 5)
                refused.add((i, "age"))
    mf.refused_cells = refused  # canonical names and 0-based positions for now
    return t


def _render_dates(t: pd.DataFrame, style: dict[str, Any]) -> pd.DataFrame:
    t = t.copy()
    kind = style["dates"]
    for col in ("report_date", "date_of_birth"):
        if col not in t.columns:
            continue
        out: list[object] = []
        for v in t[col].tolist():
            if isinstance(v, str) and len(v) == 10 and v[4] == "-" and kind == "dmy":
                out.append(_dmy(v))
            elif isinstance(v, str) and kind == "excel" and _date_text(v) is not None and col == "report_date":
                out.append(_date_text(v))  # a date cell
            elif isinstance(v, str) and kind == "excel" and _date_text(v) is not None:
                out.append(_date_text(v))
            else:
                out.append(v)
        t[col] = pd.Series(out, index=t.index, dtype=object)
    return t


def _write_text(path: Path, header: list[str], rows: list[list[object]], style: dict[str, Any],
                blank_after: set[int]) -> dict[int, int]:
    """Write a text export; returns data-row position -> row number in the file (blank rows count)."""
    enc, delim, nl = style["encoding"], style["delimiter"], style["newline"]

    def cell(v: object) -> str:
        if v is None:
            return ""
        s = _fit(str(v), enc if enc not in ("utf-8-sig", "utf-16") else "utf-8")
        if delim in s or '"' in s or "\n" in s:
            s = '"' + s.replace('"', '""') + '"'
        return s

    lines = [delim.join(cell(h) for h in header)]
    numbers: dict[int, int] = {}
    number = 0
    for i, r in enumerate(rows):
        number += 1
        numbers[i] = number
        lines.append(delim.join(cell(v) for v in r))
        if i in blank_after:
            number += 1
            lines.append(delim * (len(header) - 1))
    if style.get("blank_rows"):
        lines += [delim * (len(header) - 1)] * 3  # Excel's trailing formatted rows
    text = nl.join(lines) + nl
    if enc == "utf-16":
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    else:
        path.write_bytes(text.encode(enc))
    return numbers


def _write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> dict[int, int]:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Meldingen"
    ws.append(header)
    for r in rows:
        ws.append(r)
    extra = wb.create_sheet("Toelichting")
    extra.append(["Export van het registratiesysteem"])
    wb.save(path)
    return {i: i + 1 for i in range(len(rows))}


def write_messy_set(root: str | Path, *, seed: int = 12, years: tuple[int, ...] = tuple(range(2013, 2023)),
                    scale: float = 1.0, rate: float = 0.02) -> list[MessyFile]:
    """Write the messy set into ``root``; returns each file with what intake must do with it."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    data = generate(seed=seed, years=years, scale=scale)
    tables = reporter_tables(data)
    files: list[MessyFile] = []
    for reporter, table in sorted(tables.items()):
        style = STYLES[reporter]
        for year in years:
            part = table[table["report_date"].str.startswith(str(year))].reset_index(drop=True)
            if not len(part):
                continue
            path = root / f"{reporter}-{year}{style['ext']}"
            mf = MessyFile(path=path, kind="report", reporter=reporter, year=year, records=len(part))
            messy = _render_dates(_messify(part, style, rng, rate, mf), style)
            canon = list(messy.columns)
            headers = [style["headers"][c] for c in canon] + list(style.get("extra", {}))
            rows = [[*r, *[None] * len(style.get("extra", {}))] for r in messy.itertuples(index=False)]
            blank_after = {int(i) for i in rng.choice(len(rows), size=min(2, len(rows)), replace=False)} \
                if style.get("blank_rows") else set()
            if style["ext"] == ".xlsx":
                numbers = _write_xlsx(path, headers, rows)
            else:
                numbers = _write_text(path, headers, rows, style, blank_after)
            mf.refused_cells = {(numbers[i], style["headers"][c]) for i, c in mf.refused_cells}
            mf.headers = {style["headers"][c] for c in canon}
            files.append(mf)
    # Files that must be refused.
    header_only = root / "header-only.csv"
    header_only.write_bytes(("\ufeff" + ";".join(STYLES["police"]["headers"].values()) + "\r\n").encode("utf-8"))
    files.append(MessyFile(path=header_only, kind="header_only"))
    unknown = root / "unknown-columns.csv"
    unknown.write_text("Code;Omschrijving;Status\nA;eerste melding;open\nB;tweede melding;gesloten\n", "utf-8")
    files.append(MessyFile(path=unknown, kind="unknown_columns", records=2))
    good_xlsx = next(f.path for f in files if f.path.suffix == ".xlsx")
    corrupt = root / "damaged.xlsx"
    data_bytes = good_xlsx.read_bytes()
    corrupt.write_bytes(data_bytes[: len(data_bytes) // 2])
    files.append(MessyFile(path=corrupt, kind="corrupt"))
    return files


def run_set(files: list[MessyFile], workdir: Path) -> dict[str, Any]:
    """``linkage encode`` on every file under both policies (in process); a summary and every mismatch."""
    from click.testing import CliRunner

    from linkage.cli import cli

    runner = CliRunner()
    workdir.mkdir(parents=True, exist_ok=True)
    secret, key = workdir / "linkage.secret", workdir / "reporter.key"
    if not secret.exists():
        assert runner.invoke(cli, ["keygen", "--out", str(secret)]).exit_code == 0
        assert runner.invoke(cli, ["keygen", "--signing", "--out", str(key)]).exit_code == 0
    out: dict[str, Any] = {"files": [], "mismatches": []}
    counts = {"report_files": 0, "missing_encoded": 0, "missing_refused": 0, "refuse_refused": 0,
              "refuse_encoded": 0, "refuse_exact_problem_lists": 0, "missing_exact_rejects": 0,
              "special_files": 0, "special_refused": 0, "exit_3": 0, "records": 0, "refused_cells": 0,
              "accepted_messy_cells": 0}
    for mf in files:
        row: dict[str, Any] = mf.to_json()
        for policy in ("missing", "refuse"):
            target = workdir / f"{mf.path.stem}.{policy}.lnk"
            r = runner.invoke(cli, ["encode", str(mf.path), "--reporter", "r1", "--signing-key", str(key),
                                    "--key-file", str(secret), "--out", str(target), "--invalid", policy,
                                    "--overwrite", "--json"])
            row[f"{policy}_exit"] = r.exit_code
            if r.exit_code == 3:
                counts["exit_3"] += 1
            if mf.kind != "report":
                if r.exit_code == 1 and not target.exists():
                    counts["special_refused"] += 1 if policy == "missing" else 0
                else:
                    out["mismatches"].append(f"{mf.path.name} ({policy}): exit {r.exit_code}, expected a refusal")
                continue
            info = json.loads(r.stdout) if r.stdout.strip() else {}
            if policy == "missing":
                if r.exit_code == 0:
                    counts["missing_encoded"] += 1
                    rejects = pd.read_csv(info["written"]["rejects"], dtype=str, keep_default_na=False)
                    got = {(int(a), str(b)) for a, b in zip(rejects["row"], rejects["column"], strict=True)}
                    if got == mf.refused_cells:
                        counts["missing_exact_rejects"] += 1
                    else:
                        out["mismatches"].append(f"{mf.path.name}: rejects differ from the injected cells")
                    if not any(f["read"] for f in info["fields"]) or info["records"] != mf.records:
                        out["mismatches"].append(f"{mf.path.name}: encoded as empty records")
                    read = {c["header"] for c in info["columns"]["read"]}
                    if read != mf.headers:
                        out["mismatches"].append(f"{mf.path.name}: columns read {sorted(read)}, "
                                                 f"expected {sorted(mf.headers)}")
                    counts["records"] += info["records"]
                else:
                    counts["missing_refused"] += 1
                    out["mismatches"].append(f"{mf.path.name}: refused under --invalid missing: {r.stderr[-300:]}")
            else:
                if not mf.refused_cells:
                    ok = r.exit_code == 0
                    counts["refuse_encoded"] += int(ok)
                    if not ok:
                        out["mismatches"].append(f"{mf.path.name}: clean file refused")
                    continue
                if r.exit_code == 1 and not target.exists():
                    counts["refuse_refused"] += 1
                    got = {(p["row"], p["column"]) for p in info.get("problems", [])}
                    if got == mf.refused_cells:
                        counts["refuse_exact_problem_lists"] += 1
                    else:
                        out["mismatches"].append(f"{mf.path.name}: listed problems differ from the injected cells")
                else:
                    out["mismatches"].append(f"{mf.path.name}: exit {r.exit_code} under refuse")
        if mf.kind == "report":
            counts["report_files"] += 1
            counts["refused_cells"] += len(mf.refused_cells)
            counts["accepted_messy_cells"] += mf.accepted_messy
        else:
            counts["special_files"] += 1
        out["files"].append(row)
    out["counts"] = counts
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the files and the runs")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    files = write_messy_set(args.out / "files", seed=args.seed, scale=args.scale)
    result = run_set(files, args.out / "runs")
    result["seconds"] = round(time.perf_counter() - t0, 1)
    result["command"] = f"python -m tests.intake.messy --out {args.out} --seed {args.seed} --scale {args.scale}"
    (args.out / "messy.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"counts": result["counts"], "mismatches": result["mismatches"][:20],
                      "seconds": result["seconds"]}, indent=2))
    return 0 if not result["mismatches"] and result["counts"]["exit_3"] == 0 else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
