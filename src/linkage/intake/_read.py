"""Reading a reporter's own export: CSV/TSV/TXT, Excel (.xlsx) or Parquet, every cell as text or missing.

The first step on the reporter's machine, before :mod:`linkage.normalise`.

What a file is, is decided by its content, not only its name: a linkage
secret, a private or public key or a linkage submission given as the input
table is refused; a ZIP file is read as an Excel workbook, ``PAR1`` as
Parquet, an old binary ``.xls`` is refused with a hint; anything else is text.

Text files
==========

* **Encoding**: ``encoding`` when given (``--encoding``); else a byte-order
  mark (UTF-8, UTF-16, UTF-32); else UTF-16 without a mark when every other
  byte is zero; else UTF-8 when the bytes are valid UTF-8; else a single-byte
  code page chosen by ``charset-normalizer`` among the Windows and ISO code
  pages for Western and Central European, Baltic, Turkish, Cyrillic and Greek
  text. A code page that turns words into something no language writes
  (another script's letters read as a word of accented Latin letters,
  ``Îëåíà``; mixed scripts in one word) loses to one that does not; then
  Windows-1252 (what Excel writes on a Dutch machine) wins whenever it reads
  the text about as cleanly as the best (no more symbols inside words).
  Which one was used, and how, is in :class:`FileInfo` and the encode
  summary: short files in Central European code pages can look like
  Windows-1252, so check the names and give ``encoding`` if they look wrong.
* **Delimiter**: comma, semicolon, tab or ``|``, whichever splits the first
  lines into the same number of fields as the header (a tie goes to the one
  giving more fields, then in that order).
* **Rows**: the header is the first non-blank line. Fully blank rows
  (``;;;;`` from Excel, empty lines) are skipped and counted; row numbers
  (row 1 = the first line below the header) still count them, so they match
  the spreadsheet. A row with fewer fields than the header is padded with
  empty cells; a row with more non-empty fields than the header is an error
  naming its line. Parse errors name the line, never a value.

Excel workbooks
===============

The first worksheet, or ``sheet``; the header is its first non-empty row.
Cells keep their type: text, numbers, dates (Excel date cells become dates).
A number in a date column (``date_of_birth``, ``report_date``) of 10,000 or
more is an Excel serial date and becomes a date in the workbook's own date
system (1900 or 1904): :func:`excel_serial_dates`, applied once the columns
are known. A damaged workbook is a :class:`~linkage.errors.LinkageError`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.errors import ColumnError, KeyFileError, LinkageError
from linkage.files import KIND_NAMES, file_kind

__all__ = [
    "CODE_PAGES", "FileInfo", "RawTable", "decode_text", "excel_serial_dates", "read_reporter_file", "read_table",
    "table_from_frame",
]

_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
#: Code pages charset-normalizer chooses among for text that is not UTF-8.
CODE_PAGES = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "iso8859_15", "iso8859_2", "koi8_r")
_SNIFF_LINES = 200
_EXCEL_SERIAL_MIN = 10_000  # 1927-05-18; a smaller number in a date column is a year or an error
_EXCEL_SERIAL_MAX = 2_958_465  # 9999-12-31


@dataclass(frozen=True)
class FileInfo:
    """How a reporter's file was read (shown in the encode summary)."""

    name: str
    format: str
    encoding: str | None = None
    encoding_how: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    other_sheets: tuple[str, ...] = ()
    excel_epoch: dt.datetime | None = field(default=None, repr=False)
    blank_rows: int = 0
    duplicate_headers: tuple[str, ...] = ()
    serial_dates: int = 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.name, "format": self.format}
        if self.encoding is not None:
            out["encoding"] = self.encoding
            out["encoding_how"] = self.encoding_how
        if self.delimiter is not None:
            out["delimiter"] = _DELIMITER_NAMES.get(self.delimiter, self.delimiter)
        if self.sheet is not None:
            out["sheet"] = self.sheet
            out["other_sheets"] = list(self.other_sheets)
            out["excel_serial_dates"] = self.serial_dates
        out["blank_rows_skipped"] = self.blank_rows
        return out

    def describe(self) -> str:
        """One line for a terminal."""
        parts = [self.format.upper() if self.format != "dataframe" else "a DataFrame"]
        if self.encoding is not None:
            parts.append(f"encoding {self.encoding} ({self.encoding_how})")
        if self.delimiter is not None:
            parts.append(f"{_DELIMITER_NAMES.get(self.delimiter, self.delimiter)}-separated")
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
            if self.other_sheets:
                parts.append(f"{len(self.other_sheets)} other sheet(s) not read")
            if self.serial_dates:
                parts.append(f"{self.serial_dates} Excel serial date(s) converted")
        if self.blank_rows:
            parts.append(f"{self.blank_rows} blank row(s) skipped")
        return ", ".join(parts)


@dataclass(frozen=True)
class RawTable:
    """A reporter's table as read: cells as text (or typed, from Excel and Parquet) or ``None``.

    ``frame`` has the file's headers as column labels (a repeated header gets
    `` (2)``, an empty one ``(column N)``); ``rows`` is each record's row number
    in the file (1 = the first row below the header; blank rows are skipped but
    counted).
    """

    frame: pd.DataFrame = field(repr=False)
    rows: npt.NDArray[np.int64] = field(repr=False)
    info: FileInfo

    def __len__(self) -> int:
        return int(len(self.frame))


def read_table(path: str | Path, *, encoding: str | None = None, sheet: str | None = None) -> pd.DataFrame:
    """A reporter's raw table from CSV/TSV/TXT, Excel (.xlsx) or Parquet; every cell as text or missing.

    Fully blank rows are left out (:func:`read_reporter_file` keeps their row
    numbers). See the module docstring for encodings, delimiters and sheets.
    """
    return read_reporter_file(path, encoding=encoding, sheet=sheet).frame


def read_reporter_file(path: str | Path, *, encoding: str | None = None, sheet: str | None = None) -> RawTable:
    """Read a reporter's file into a :class:`RawTable` (see the module docstring)."""
    p = Path(path)
    if not p.exists():
        raise LinkageError(f"input file {p.name!r} does not exist")
    if p.is_dir():
        raise LinkageError(f"input {p.name!r} is a directory, not a file")
    kind = file_kind(p)
    if kind in ("secret", "private_key"):
        raise KeyFileError(
            f"{p.name!r} holds {KIND_NAMES[kind]}, not a table: give your records (CSV, XLSX or Parquet); "
            "never send or share a key file"
        )
    if kind is not None:
        raise LinkageError(f"{p.name!r} is {KIND_NAMES[kind]}, not a table of records")
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise LinkageError(f"cannot read input file {p.name!r}: {exc.strerror}") from None
    suffix = p.suffix.lower()
    if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(p, sheet)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LinkageError(f"{p.name!r} is an old Excel workbook (.xls): save it as .xlsx or CSV")
    if head.startswith(b"PAR1") or suffix == ".parquet":
        return _read_parquet(p)
    if suffix in {".xls", ".ods", ".numbers"}:
        raise LinkageError(f"{p.name!r}: {suffix} files are not read; save the sheet as .xlsx or CSV")
    if sheet is not None:
        raise LinkageError("a sheet can only be chosen in an Excel workbook")
    return _read_text(p, encoding)


# ---------------------------------------------------------------------------
# text


def _line_of(data: bytes, position: int, encoding: str) -> int:
    """1-based line of a byte position."""
    return data[:position].decode(encoding, errors="replace").count("\n") + 1


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str, str]:
    """``(text, encoding, how)``: how is ``given``, ``byte-order mark``, ``valid UTF-8``, ``detected``."""
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            raise LinkageError(f"unknown text encoding {encoding!r} (try utf-8, cp1252, latin-1 or utf-16)") from None
        name = codec.name
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            return data.decode(name), name, "given"
        except UnicodeDecodeError as exc:
            raise LinkageError(
                f"line {_line_of(data, exc.start, name)}: the file is not valid {name} text; "
                "give the right --encoding (the summary of a run without it shows what was detected)"
            ) from None
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(name), name, "byte-order mark"
            except UnicodeDecodeError as exc:
                raise LinkageError(
                    f"line {_line_of(data, exc.start, name)}: the file starts as {name} but is not valid {name}"
                ) from None
    sample = data[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        for zeros, name in ((odd, "utf-16-le"), (even, "utf-16-be")):
            if zeros.count(0) >= 0.9 * len(zeros) and (even if zeros is odd else odd).count(0) < 0.1 * len(zeros):
                try:
                    return data.decode(name), name, "detected"
                except UnicodeDecodeError:
                    break
    try:
        return data.decode("utf-8"), "utf-8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise LinkageError("the file holds binary data, not text; give a CSV, XLSX or Parquet file")
    from charset_normalizer import from_bytes

    results = list(from_bytes(data, cp_isolation=list(CODE_PAGES)))
    if not results:
        raise LinkageError("cannot tell the file's text encoding; give --encoding (e.g. cp1252 or utf-8)")
    least_chaos = min(r.chaos for r in results)

    def rank(r: Any) -> tuple[int, int, float, float]:
        # First: words no language writes (a Cyrillic name read in a Latin code page comes out as
        # a word of accented letters, "Îëåíà"; short files of names carry too little language for
        # charset-normalizer's coherence, which the header's Dutch words then decide). Then
        # Windows-1252 whenever it reads the text about as cleanly as the best: between Latin code
        # pages the language guess of a list of names says little (a Dutch file with ë and ï once
        # scored higher as Baltic cp1257); mess -- symbols inside words -- is what tells them apart.
        name = "cp1252" if "cp1252" in r.could_be_from_charset else r.encoding
        try:
            implausible = _implausible_words(data.decode(name))
        except UnicodeDecodeError:
            implausible = len(data)
        western = name == "cp1252" and r.chaos <= least_chaos + 0.01
        return (implausible, 0 if western else 1, r.chaos, -r.coherence)

    best = min(results, key=rank)
    name = "cp1252" if "cp1252" in best.could_be_from_charset else best.encoding
    try:
        return data.decode(name), name, "detected"
    except UnicodeDecodeError:  # pragma: no cover - charset-normalizer decoded it
        return str(best), best.encoding, "detected"


def _implausible_words(text: str) -> int:
    """Words no real name or word is written as: mixed scripts, or Latin letters mostly accented.

    Latin-script names carry an accent here and there (Zoë, Łukasz, Şahin: at most about half their
    letters); a word of four or more letters, most of them accented, is what another script's
    bytes look like in a Latin code page.
    """
    count = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        scripts = {unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0] for ch in word}
        if len(scripts) > 1:
            count += 1
        elif scripts == {"LATIN"} and len(word) >= 4:
            accented = sum(1 for ch in word if not ch.isascii())
            if accented > 0.6 * len(word):
                count += 1
    return count


_WORD = re.compile(r"[^\W\d_]+")


def _sniff(lines: list[str]) -> str:
    """The delimiter that splits the header and the next lines most consistently."""
    best: tuple[float, int, int] | None = None
    choice = ","
    for rank, d in enumerate(_DELIMITERS):
        try:
            rows = [r for r in csv.reader(lines, delimiter=d) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        same = sum(1 for r in rows[1:] if len(r) == width or _width(r) == width)
        share = same / max(len(rows) - 1, 1) if len(rows) > 1 else 1.0
        score = (share, width, -rank)
        if best is None or score > best:
            best, choice = score, d
    return choice


def _width(row: list[str]) -> int:
    """Fields of a row, trailing empty fields not counted."""
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return n


def _unique_labels(header: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Labels for a header row: stripped, ``(column N)`` for an empty one, `` (2)`` after a repeated one."""
    labels: list[str] = []
    used: set[str] = set()
    counts: dict[str, int] = {}
    duplicates: list[str] = []
    for i, h in enumerate(header, start=1):
        text = h.strip() if isinstance(h, str) else ("" if h is None else str(h))
        if not text:
            text = f"(column {i})"
        key = text.casefold()
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > 1 and text not in duplicates:
            duplicates.append(text)
        label, n = text, counts[key]
        while label.casefold() in used:
            label = f"{text} ({n})"
            n += 1
        used.add(label.casefold())
        labels.append(label)
    return labels, tuple(duplicates)


def _build(
    name: str, header: list[str], records: list[list[object]], rows: list[int], info: FileInfo
) -> RawTable:
    # Columns without a header and without any value (a trailing delimiter) are dropped.
    keep = [
        i for i, h in enumerate(header)
        if (isinstance(h, str) and h.strip()) or (h is not None and not isinstance(h, str))
        or any(i < len(r) and r[i] is not None for r in records)
    ]
    header = [header[i] for i in keep]
    labels, duplicates = _unique_labels([h if isinstance(h, str) else ("" if h is None else str(h)) for h in header])
    data = {label: [r[i] if i < len(r) else None for r in records] for label, i in zip(labels, keep, strict=True)}
    frame = pd.DataFrame(data, columns=labels, dtype=object)
    if not labels:
        raise ColumnError(f"{name!r} has no columns")
    return RawTable(frame=frame, rows=np.asarray(rows, dtype=np.int64),
                    info=replace(info, duplicate_headers=duplicates))


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_text(p: Path, encoding: str | None) -> RawTable:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LinkageError(f"cannot read input file {p.name!r}: {exc.strerror}") from None
    try:
        text, used, how = decode_text(data, encoding)
    except LinkageError as exc:
        raise LinkageError(f"{p.name!r}, {exc}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise LinkageError(f"{p.name!r}, line {line}: a NUL character; is this a text file, or another encoding?")
    head_lines = [ln for ln in text.splitlines()[: _SNIFF_LINES * 2] if ln.strip()]
    if not head_lines:
        raise ColumnError(f"{p.name!r} is empty: no header and no records")
    delimiter = _sniff(head_lines[:_SNIFF_LINES])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[list[object]] = []
    rows: list[int] = []
    blank = 0
    row_number = 0
    try:
        for raw in reader:
            if header is None:
                if any(c.strip() for c in raw):
                    header = list(raw)
                continue
            row_number += 1
            if not any(c.strip() for c in raw):
                blank += 1
                continue
            cells: list[object] = [None if not c.strip() else c for c in raw]
            if len(cells) > len(header):
                extra = cells[len(header):]
                if any(c is not None for c in extra):
                    raise LinkageError(
                        f"{p.name!r}, line {reader.line_num}: {_width(raw)} fields where the header has "
                        f"{len(header)}; is a value with a {_DELIMITER_NAMES[delimiter]} in it not quoted?"
                    )
                cells = cells[: len(header)]
            records.append(cells)
            rows.append(row_number)
        blank -= _trailing(rows, row_number)  # blank lines after the last record are not rows
    except csv.Error as exc:
        raise LinkageError(f"{p.name!r}, line {reader.line_num}: not valid CSV ({_csv_reason(exc)})") from None
    if header is None:  # pragma: no cover - head_lines had a non-blank line
        raise ColumnError(f"{p.name!r} is empty: no header and no records")
    info = FileInfo(name=p.name, format="csv", encoding=used, encoding_how=how, delimiter=delimiter,
                    blank_rows=blank)
    return _build(p.name, header, records, rows, info)


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return "a field is longer than 131,072 characters; is a quote not closed?"
    if "NUL" in text:
        return "a NUL character"
    if "new-line character" in text:
        return "a line break inside an unquoted field"
    return "the quoting is broken"


# ---------------------------------------------------------------------------
# Excel and Parquet


def _read_xlsx(p: Path, sheet: str | None) -> RawTable:
    try:
        import openpyxl
        from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900
    except ImportError:  # pragma: no cover - a core dependency
        raise LinkageError("reading .xlsx files needs openpyxl: pip install openpyxl") from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign file: any parser error is the file's fault
        raise LinkageError(
            f"cannot read {p.name!r} as an Excel workbook ({type(exc).__name__}): the file is damaged, "
            "password-protected or not .xlsx; open and save it again in Excel, or export CSV"
        ) from None
    try:
        names = list(wb.sheetnames)
        if sheet is None:
            if not names:
                raise ColumnError(f"{p.name!r} has no worksheet")
            ws = wb.worksheets[0]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise ColumnError(f"{p.name!r} has no sheet {sheet!r} (sheets: {', '.join(map(repr, names))})")
        epoch = getattr(wb, "epoch", CALENDAR_WINDOWS_1900)
        header: list[str] | None = None
        records: list[list[object]] = []
        rows: list[int] = []
        blank = 0
        row_number = 0
        for values in ws.iter_rows(values_only=True):
            cells = [_excel_cell(v) for v in values]
            if header is None:
                if any(c is not None for c in cells):
                    header = ["" if c is None else str(c) for c in cells]
                continue
            row_number += 1
            if all(c is None for c in cells):
                blank += 1
                continue
            records.append(cells)
            rows.append(row_number)
        # Trailing blank rows are formatting, not records: not counted as skipped.
        blank -= _trailing(rows, row_number)
    except LinkageError:
        raise
    except Exception as exc:
        raise LinkageError(
            f"cannot read {p.name!r} as an Excel workbook ({type(exc).__name__}): the file is damaged"
        ) from None
    finally:
        try:
            wb.close()
        except Exception:  # pragma: no cover
            pass
    if header is None:
        raise ColumnError(f"{p.name!r}: the sheet {ws.title!r} is empty: no header and no records")
    info = FileInfo(name=p.name, format="xlsx", sheet=str(ws.title),
                    other_sheets=tuple(n for n in names if n != ws.title), excel_epoch=epoch, blank_rows=blank)
    return _build(p.name, header, records, rows, info)


def _trailing(rows: list[int], last: int) -> int:
    return last - (rows[-1] if rows else 0)


def _excel_cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def excel_serial_dates(table: RawTable, labels: Sequence[str]) -> RawTable:
    """Numbers of 10,000 or more in the given columns of a workbook -> dates in its own date system.

    Leaves other tables alone. Numbers below 10,000 stay (a four-digit number is a year).
    """
    epoch = table.info.excel_epoch
    if epoch is None or not labels:
        return table
    from openpyxl.utils.datetime import from_excel

    frame = table.frame.copy()
    converted = 0
    for label in labels:
        if label not in frame.columns:
            continue
        out: list[object] = []
        for v in frame[label].tolist():
            if isinstance(v, Real) and not isinstance(v, bool) and _EXCEL_SERIAL_MIN <= float(v) <= _EXCEL_SERIAL_MAX:
                out.append(from_excel(float(v), epoch=epoch))
                converted += 1
            else:
                out.append(v)
        frame[label] = pd.Series(out, index=frame.index, dtype=object)
    return RawTable(frame=frame, rows=table.rows, info=replace(table.info, serial_dates=converted))


def _read_parquet(p: Path) -> RawTable:
    try:
        df = pd.read_parquet(p)
    except ImportError:  # pragma: no cover - pyarrow is a core dependency
        raise LinkageError("reading .parquet files needs pyarrow") from None
    except Exception as exc:
        raise LinkageError(f"cannot read {p.name!r} as a Parquet file ({type(exc).__name__})") from None
    return table_from_frame(df, name=p.name, format="parquet")


def table_from_frame(df: pd.DataFrame, *, name: str = "(DataFrame)", format: str = "dataframe") -> RawTable:
    """A DataFrame as a :class:`RawTable`: missing cells ``None``, fully blank rows left out (numbers kept)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError("expected a pandas DataFrame")
    frame = df.astype(object).where(pd.notna(df), None)
    frame.columns = [str(c) for c in frame.columns]
    n = len(frame)
    if n and len(frame.columns):
        blank = np.ones(n, dtype=bool)
        for c in range(frame.shape[1]):
            blank &= np.array([_blank(v) for v in frame.iloc[:, c].tolist()], dtype=bool)
    else:
        blank = np.zeros(n, dtype=bool)
    rows = np.arange(1, n + 1, dtype=np.int64)[~blank]
    kept = frame.loc[~blank].reset_index(drop=True)
    labels, duplicates = _unique_labels(list(frame.columns))
    kept.columns = labels
    info = FileInfo(name=name, format=format, blank_rows=int(np.count_nonzero(blank)), duplicate_headers=duplicates)
    return RawTable(frame=kept, rows=rows, info=info)
