"""The page reads a reporter's file as linkage.intake does: random CSVs and workbooks, cell by cell."""

from __future__ import annotations

import base64
import datetime as dt
import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from linkage.errors import LinkageError
from linkage.intake import read_reporter_file
from linkage.reporter_page import build_reporter_page

from .conftest import seeded_page

pytestmark = pytest.mark.browser

CELLS = ["Ana", "van der Berg", "1990-05-17", "17-05-1990", "V", "M", "Roemeense", "28", "", " ", "  x ",
         '"quoted"', 'a "b" c', "a,b", "a;b", "a\tb", "line\nbreak", "cr\rin", "Zoë", "Đỗ", "Олена", "=1+1", "'t Hart",
         "é", "'", "|", "ß"]


def _csv_text(rng: random.Random) -> str:
    delim = rng.choice([",", ";", "\t", "|"])
    width = rng.randint(1, 6)
    newline = rng.choice(["\n", "\r\n", "\r"])

    def field(v: str) -> str:
        if rng.random() < 0.3 or any(c in v for c in (delim, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    lines = []
    if rng.random() < 0.2:
        lines.append("")
    lines.append(delim.join(field(rng.choice(["Initialen", "Leeftijd", "Naam", "Geslacht", "", "Initialen"]))
                            for _ in range(width)))
    for _ in range(rng.randint(0, 8)):
        n = width + rng.choice([0, 0, 0, 0, 0, 0, -1, 1])
        if rng.random() < 0.1:
            lines.append(delim * max(n - 1, 0))
        else:
            lines.append(delim.join(field(rng.choice(CELLS)) for _ in range(max(n, 0))))
    text = newline.join(lines) + (newline if rng.random() < 0.7 else "")
    if rng.random() < 0.1:
        text = text.replace('"', "", 1)  # an unbalanced quote
    return text


def _encode(text: str, rng: random.Random) -> bytes:
    choice = rng.choice(["utf-8", "utf-8-bom", "cp1252", "utf-16"])
    if choice == "cp1252":
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            return text.encode("utf-8")
    if choice == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if choice == "utf-16":
        return text.encode("utf-16")
    return text.encode("utf-8")


# What the page reads text as: these, else Windows-1252 (docs/reporter-page.md). linkage.intake detects among more
# code pages, and on a short file it may pick another (a Dutch "Zoë" once came out Baltic "Zoė"); the page's
# reading is then compared with intake told --encoding cp1252.
PAGE_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252")


def _python_table(path: Path, encoding: str | None = None) -> dict[str, Any]:
    try:
        t = read_reporter_file(path, encoding=encoding)
    except LinkageError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    if t.info.encoding is not None and t.info.encoding not in PAGE_ENCODINGS:
        return _python_table(path, "cp1252")

    def cell(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return {"date": [v.year, v.month, v.day]}
        return v

    columns = [[cell(v) for v in t.frame[c].tolist()] for c in t.frame.columns]
    return {"labels": list(t.frame.columns), "columns": columns, "rows": t.rows.tolist(),
            "delimiter": t.info.delimiter, "blank": t.info.blank_rows}


def _compare(py: dict[str, Any], js: dict[str, Any], name: str) -> str | None:
    if "crash" in js:
        return f"{name}: page crashed: {js['crash']}"
    if "error" in py or "error" in js:
        if ("error" in py) != ("error" in js):
            return f"{name}: python {py} page {js}"
        message, key, detail = py["message"], js["error"], js.get("detail") or {}
        if "fields where the header has" in message:
            ok = key == "msg_too_many_fields" and f"line {detail.get('line')}: {detail.get('fields')} fields" in message
        elif "is empty" in message:
            ok = key == "msg_empty"
        elif "not valid CSV" in message:
            ok = key == "msg_bad_csv"
        else:
            ok = True
        return None if ok else f"{name}: python {message!r} page {key} {detail}"
    for k in ("labels", "columns", "rows"):
        if py[k] != js[k]:
            return f"{name}: {k} differ: python {py[k]} page {js[k]}"
    delim = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
    if "delimiter" in js["info"] and delim.get(py["delimiter"]) != js["info"]["delimiter"]:
        return f"{name}: delimiter differs"
    if py["blank"] != js["info"]["blank"]:
        return f"{name}: blank rows differ {py['blank']} {js['info']['blank']}"
    return None


def test_random_csv_files_read_like_intake(browser: Any, tmp_path: Path) -> None:
    rng = random.Random(1612)
    problems = []
    with seeded_page(browser, build_reporter_page().html, tmp_path) as page:
        for i in range(250):
            data = _encode(_csv_text(rng), rng)
            path = tmp_path / f"f{i}.csv"
            path.write_bytes(data)
            if (p := _compare(_python_table(path), _read(page, path), path.name)) is not None:
                problems.append(p)
    assert not problems, problems[:5]


def _read(page: Any, path: Path) -> Any:
    return page.evaluate("([b, n]) => globalThis.__LINKAGE_TEST_API__.readTable(b, n)",
                         [base64.b64encode(path.read_bytes()).decode(), path.name])


def test_random_workbooks_read_like_intake(browser: Any, tmp_path: Path) -> None:
    rng = random.Random(16)
    values: list[Any] = ["Ana", " ", "", "28", 28, 28.0, 28.5, 1e-3, -4, True, False, dt.datetime(1990, 5, 17),
                         dt.datetime(2022, 6, 1, 13, 45), dt.date(1985, 1, 2), 33238, "Zoë", "=SUM(A1)", None, None]
    problems = []
    with seeded_page(browser, build_reporter_page().html, tmp_path) as page:
        for i in range(40):
            wb = openpyxl.Workbook()
            ws = wb.active
            assert ws is not None
            width = rng.randint(1, 5)
            if rng.random() < 0.2:
                ws.append([None] * width)
            headers = ["Initialen", "Leeftijd", "Geboortedatum", None, "Naam", 2022]
            ws.append([rng.choice(headers) for _ in range(width)])
            for _ in range(rng.randint(0, 8)):
                ws.append([rng.choice(values) for _ in range(width + rng.choice([0, 0, 1]))])
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and rng.random() < 0.3:
                        c.number_format = rng.choice(["dd-mm-yyyy", "yyyy-mm-dd", "0.00", "[h]:mm:ss", "h:mm"])
            path = tmp_path / f"w{i}.xlsx"
            wb.save(path)
            if (p := _compare(_python_table(path), _read(page, path), path.name)) is not None:
                problems.append(p)
    assert not problems, problems[:5]
