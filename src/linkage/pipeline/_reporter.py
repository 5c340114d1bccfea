"""The reporter side of the data path::

    reporter's file -> intake (columns found) -> normalise (invalid policy) -> encode (keyed Bloom filters)
      -> signed submission + local id map (+ local rejects file), written as one unit

Nothing is lost in silence: every run gives an :class:`EncodeReport` -- how the
file was read, which header is which input column and which were not used,
per field how many records it was read for, missing in and had a bad cell in
-- and a dry run (:func:`check_table`) gives the same without a key and
without writing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from linkage.encode import LinkageKey, encode_records
from linkage.errors import InputError, KeyFileError, LinkageError
from linkage.files import PendingFile, check_outputs, commit_files, recover_commit
from linkage.intake import ColumnMap, FileInfo, ReporterTable, read_records
from linkage.normalise import INVALID_POLICIES, FieldCounts, InvalidPolicy, RejectedCell, normalise_table
from linkage.schema import Schema
from linkage.submission import sign_submission

__all__ = ["EncodeReport", "check_table", "default_outputs", "encode_file", "encode_table"]

REJECTS_COLUMNS = ("row", "field", "column", "reason")


@dataclass(frozen=True)
class EncodeReport:
    """What an encode read, refused and wrote: the summary after every encode (and of a dry run).

    ``fields`` per schema field: the input columns it was read from, how many
    records it was read for, missing in, and had a bad cell in (refused). ``rejected``
    lists every bad cell (row, field, column, reason; never a value).
    ``written`` maps what was written (``submission``, ``id_map``, ``rejects``)
    to its path; empty for a dry run or a refused file.
    """

    info: FileInfo
    columns: ColumnMap
    records: int
    fields: tuple[FieldCounts, ...]
    invalid: InvalidPolicy
    rejected: tuple[RejectedCell, ...]
    records_without_fields: int
    schema_fingerprint: str
    written: Mapping[str, str] = field(default_factory=dict)
    key_id: str | None = None
    recovered: tuple[str, ...] = ()
    id_map: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def refused(self) -> bool:
        """True when the file has bad cells and the policy is ``refuse``: nothing is (or would be) written."""
        return self.invalid == "refuse" and bool(self.rejected)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (what ``linkage encode --json`` prints); holds no value from the file."""
        out: dict[str, Any] = {
            "input": self.info.to_json(),
            "columns": self.columns.to_json(),
            "records": self.records,
            "fields": [f.to_json() for f in self.fields],
            "records_without_fields": self.records_without_fields,
            "invalid": self.invalid,
            "invalid_cells": len(self.rejected),
            "refused": self.refused,
            "schema_fingerprint": self.schema_fingerprint,
            "written": dict(self.written),
        }
        if self.key_id is not None:
            out["key_id"] = self.key_id
        if self.recovered:
            out["recovered"] = list(self.recovered)
        if self.invalid == "refuse" or not self.written:
            out["problems"] = [r.to_json() for r in self.rejected]
        return out


def default_outputs(out_path: str | Path, id_map_path: str | Path | None = None) -> dict[str, Path]:
    """The id map and rejects files the command line writes beside a submission by default.

    ``OUT.LOCAL-ONLY-idmap.csv`` beside the submission (or ``id_map_path``), and
    ``OUT.LOCAL-ONLY-rejects.csv`` beside the id map.
    """
    out = Path(out_path)
    idm = Path(id_map_path) if id_map_path is not None else out.with_name(out.name + ".LOCAL-ONLY-idmap.csv")
    return {"id_map": idm, "rejects": idm.with_name(out.name + ".LOCAL-ONLY-rejects.csv")}


def _check_policy(invalid: str) -> InvalidPolicy:
    if invalid not in INVALID_POLICIES:
        raise LinkageError(f"invalid must be one of {', '.join(INVALID_POLICIES)}, not {invalid!r}")
    return invalid  # type: ignore[return-value]


def _read(
    source: str | Path | pd.DataFrame | ReporterTable,
    schema: Schema,
    columns: Mapping[str, str] | None,
    encoding: str | None,
    sheet: str | None,
) -> ReporterTable:
    if isinstance(source, ReporterTable):
        return source
    return read_records(source, schema, columns=columns, encoding=encoding, sheet=sheet)


def _normalise(table: ReporterTable, schema: Schema, invalid: InvalidPolicy) -> tuple[Any, EncodeReport]:
    norm = normalise_table(table.frame, schema, columns=table.columns.for_normalise(), invalid=invalid,
                           rows=table.rows.tolist())
    report = EncodeReport(
        info=table.info,
        columns=table.columns,
        records=norm.records,
        fields=norm.fields,
        invalid=invalid,
        rejected=norm.rejected,
        records_without_fields=norm.records_without_fields,
        schema_fingerprint=schema.fingerprint,
    )
    return norm, report


def check_table(
    source: str | Path | pd.DataFrame,
    schema: Schema,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    invalid: str = "refuse",
) -> EncodeReport:
    """A dry run: read and normalise a reporter's file and say what would go in; needs no key, writes nothing.

    Raises like :func:`encode_file` for a file that cannot be read at all (no
    recognised column, no records); bad cells are in the report
    (``report.refused`` says whether an encode under ``invalid`` would refuse it).
    """
    policy = _check_policy(invalid)
    table = _read(source, schema, columns, encoding, sheet)
    _, report = _normalise(table, schema, policy)
    return report


def _rejects_csv(rejected: tuple[RejectedCell, ...]) -> bytes:
    frame = pd.DataFrame([r.to_json() for r in rejected], columns=list(REJECTS_COLUMNS))
    text: str = frame.to_csv(index=False)
    return text.encode("utf-8")


def kept_record_ids(old: pd.DataFrame, rows: list[int], case_refs: list[str | None] | None) -> list[str | None]:
    """The record ids an earlier id map gave these rows: by case reference when both sides have one, else by row.

    A row the earlier map does not cover gets a new id (``None``).
    """
    if "record_id" not in old.columns or "row" not in old.columns:
        raise KeyFileError("the earlier id map needs the columns record_id and row (it is the .LOCAL-ONLY-idmap.csv)")
    by_row = {int(r): str(i) for r, i in zip(old["row"].tolist(), old["record_id"].tolist(), strict=True)}
    by_case: dict[str, str] = {}
    if case_refs is not None and "case_ref" in old.columns:
        refs = [str(c) for c in old["case_ref"].tolist() if isinstance(c, str) and c]
        dup = {c for c in refs if refs.count(c) > 1}
        by_case = {str(c): str(i) for c, i in zip(old["case_ref"].tolist(), old["record_id"].tolist(), strict=True)
                   if isinstance(c, str) and c and c not in dup}
    out: list[str | None] = []
    used: set[str] = set()
    for r in rows:
        ref = case_refs[r - 1] if case_refs is not None and 0 < r <= len(case_refs) else None
        rid = by_case.get(ref) if (ref is not None and by_case) else by_row.get(int(r))
        if rid is None or rid in used:
            out.append(None)
            continue
        used.add(rid)
        out.append(rid)
    return out


def encode_file(
    source: str | Path | pd.DataFrame | ReporterTable,
    schema: Schema,
    key: LinkageKey,
    signing_key: Ed25519PrivateKey,
    *,
    reporter_id: str,
    out_path: str | Path,
    id_map_path: str | Path | None = None,
    rejects_path: str | Path | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    invalid: str = "refuse",
    overwrite: bool = False,
    period: tuple[str, str] | None = None,
    replaces: str | None = None,
    keep_ids: pd.DataFrame | None = None,
) -> EncodeReport:
    """Read, normalise, encode and sign a reporter's file; write the submission with its local files.

    ``source`` is a file (CSV/TSV/TXT, XLSX, Parquet), a DataFrame or a
    :class:`~linkage.intake.ReporterTable`. ``columns`` maps input columns to
    the reporter's headers (besides the built-in names and the schema's
    ``columns``). ``invalid``: ``"refuse"`` raises one
    :class:`~linkage.errors.InputError` listing every bad cell (its ``report``
    is the :class:`EncodeReport`) and writes nothing; ``"missing"`` encodes
    bad cells as missing, writes the rejects file (row, field, column, reason;
    no values) to ``rejects_path`` and puts per-field counts in the signed
    header. ``period`` (``(start, end)`` ISO dates, see
    :func:`linkage.submission.parse_period`) and ``replaces`` (the submission id
    of an earlier submission this one corrects) go into the signed header for
    the registry. ``keep_ids`` (the local id map of an earlier submission of the
    same records) keeps their record ids, matched by case reference where both
    have one, else by row: a re-encoding under a new key epoch then lets the
    registry carry the persons over.

    Every output is checked before anything is read (its directory exists; it
    does not exist unless ``overwrite``; it never holds a key). The id map,
    the rejects file and the submission are written as one unit (both or
    neither, also when killed): a submission never exists without its id map.
    """
    policy = _check_policy(invalid)
    out = Path(out_path)
    outputs: dict[str, Path] = {"the submission": out}
    if id_map_path is not None:
        outputs["the id map"] = Path(id_map_path)
    if policy == "missing" and rejects_path is not None:
        outputs["the rejects file"] = Path(rejects_path)
    if not isinstance(key, LinkageKey):
        raise KeyFileError("encoding needs the linkage key (read it with read_linkage_key)")
    if not isinstance(signing_key, Ed25519PrivateKey):
        raise KeyFileError("signing needs an Ed25519 private key (read it with read_signing_key)")
    recovered = recover_commit(out)
    check_outputs(outputs, overwrite=overwrite)
    table = _read(source, schema, columns, encoding, sheet)
    norm, report = _normalise(table, schema, policy)
    if report.refused:
        raise InputError([r.problem() for r in report.rejected], report=report)
    encoded = encode_records(norm.frame, schema, key)
    case_refs = table.case_refs()
    signed = sign_submission(
        encoded, schema, reporter_id=reporter_id, signing_key=signing_key, case_refs=case_refs,
        dropped_cells=norm.dropped_cells() if policy == "missing" else None, period=period, replaces=replaces,
        record_ids=None if keep_ids is None else kept_record_ids(keep_ids, encoded.rows.tolist(), case_refs),
    )
    files: list[PendingFile] = []
    written: dict[str, str] = {}
    if id_map_path is not None:
        files.append(PendingFile(Path(id_map_path), [signed.id_map_csv()]))
        written["id_map"] = str(id_map_path)
    if policy == "missing" and rejects_path is not None:
        files.append(PendingFile(Path(rejects_path), [_rejects_csv(report.rejected)]))
        written["rejects"] = str(rejects_path)
    files.append(PendingFile(out, [signed.data]))
    written["submission"] = str(out)
    commit_files(files, overwrite=overwrite)
    return EncodeReport(
        info=report.info, columns=report.columns, records=report.records, fields=report.fields,
        invalid=policy, rejected=report.rejected, records_without_fields=report.records_without_fields,
        schema_fingerprint=schema.fingerprint, written=written, key_id=key.key_id,
        recovered=tuple(str(p) for p in recovered), id_map=signed.id_map,
    )


def encode_table(
    df: pd.DataFrame,
    schema: Schema,
    key: LinkageKey,
    signing_key: Ed25519PrivateKey,
    *,
    reporter_id: str,
    out_path: str | Path,
    id_map_path: str | Path | None = None,
    case_ref_column: str | None = "case_ref",
    overwrite: bool = False,
    columns: Mapping[str, str] | None = None,
    invalid: str = "refuse",
    rejects_path: str | Path | None = None,
    period: tuple[str, str] | None = None,
    replaces: str | None = None,
    keep_ids: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Normalise, encode and sign a reporter's table; returns the local id map.

    The table's columns are found as :func:`encode_file` finds a file's
    (built-in Dutch and English names, ``columns``); ``case_ref_column`` names
    the case-reference column when it has another name (``None``: only its
    built-in names, such as ``case_ref`` or ``dossiernummer``). Under
    ``invalid="refuse"`` nothing is written unless every row is valid.
    """
    mapping = dict(columns or {})
    if case_ref_column is not None and "case_ref" not in mapping:
        labels = {str(c).strip().casefold(): str(c) for c in df.columns}
        if case_ref_column.strip().casefold() in labels:
            mapping["case_ref"] = labels[case_ref_column.strip().casefold()]
    report = encode_file(
        df, schema, key, signing_key, reporter_id=reporter_id, out_path=out_path, id_map_path=id_map_path,
        rejects_path=rejects_path, columns=mapping, invalid=invalid, overwrite=overwrite, period=period,
        replaces=replaces, keep_ids=keep_ids,
    )
    assert report.id_map is not None
    return report.id_map
