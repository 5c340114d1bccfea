"""The registry's persistent state in an embedded SQLite database.

What is stored: verified submission headers and their records (opaque record
id, presence mask, filter bytes). Never a key, never a raw quasi-identifier.
The first submission fixes the store's schema fingerprint and key id; later
ones that differ are refused. Ingest is idempotent: a submission already stored
(same submission id and payload hash) is skipped, so a file sent twice counts
once. Each ingest is one transaction: all of a submission or nothing.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from linkage.errors import MismatchError, StoreError
from linkage.records import RegistryRecords
from linkage.submission import Submission

_DDL = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    submission_id TEXT PRIMARY KEY,
    reporter_id TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    created TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    header_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    reporter_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    submission_id TEXT NOT NULL REFERENCES submissions(submission_id),
    presence INTEGER NOT NULL,
    filter BLOB NOT NULL,
    PRIMARY KEY (reporter_id, record_id)
);
"""


class SQLiteStore:
    """Registry store in one SQLite file. Use as a context manager."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise StoreError(f"cannot open registry store {self.path.name!r}: directory "
                             f"{str(self.path.parent)!r} does not exist")
        if self.path.is_dir():
            raise StoreError(f"registry store {self.path.name!r} is a directory")
        try:
            # Created 0600 whatever the umask (SQLite gives its -wal and -shm files the same mode).
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"cannot open registry store {self.path.name!r}: {exc.strerror}") from None
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_DDL)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open registry store {self.path.name!r}: {exc}") from None

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path.name!r})"

    def meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT name, value FROM meta").fetchall())

    def _check_meta(self, sub: Submission) -> list[tuple[str, str]]:
        meta = self.meta()
        new: list[tuple[str, str]] = []
        for name in ("schema_fingerprint", "key_id", "filter_words"):
            value = str(getattr(sub.header, name))
            if name not in meta:
                new.append((name, value))
            elif meta[name] != value:
                raise MismatchError(
                    f"submission {sub.submission_id} has a different {name} than this store "
                    "(different schema or key epoch); refusing to mix encodings"
                )
        return new

    def ingest(self, sub: Submission) -> bool:
        """Store a verified submission. Returns False if it was already stored."""
        cur = self._conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            row = cur.execute(
                "SELECT payload_sha256 FROM submissions WHERE submission_id = ?", (sub.submission_id,)
            ).fetchone()
            if row is not None:
                cur.execute("ROLLBACK")
                if row[0] != sub.header.payload_sha256:
                    raise MismatchError(
                        f"submission {sub.submission_id} is already stored with different content"
                    )
                return False
            for name, value in self._check_meta(sub):
                cur.execute("INSERT INTO meta(name, value) VALUES (?, ?)", (name, value))
            cur.execute(
                "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    sub.submission_id,
                    sub.reporter_id,
                    sub.header.payload_sha256,
                    len(sub),
                    sub.header.created,
                    _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
                    json.dumps(sub.header.to_json(), sort_keys=True),
                ),
            )
            filters = np.ascontiguousarray(sub.filters.astype("<u8"))
            cur.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                (
                    (sub.reporter_id, rid, sub.submission_id, int(p), filters[i].tobytes())
                    for i, (rid, p) in enumerate(zip(sub.record_ids.tolist(), sub.presence.tolist(), strict=True))
                ),
            )
            cur.execute("COMMIT")
            return True
        except sqlite3.IntegrityError:
            cur.execute("ROLLBACK")
            raise StoreError(
                f"submission {sub.submission_id} repeats a record id already stored for its reporter"
            ) from None
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                cur.execute("ROLLBACK")
            raise StoreError(f"cannot write to registry store: {exc}") from None
        except BaseException:
            if self._conn.in_transaction:
                cur.execute("ROLLBACK")
            raise

    def ingest_many(self, subs: Iterable[Submission]) -> tuple[int, int]:
        """Ingest several; returns ``(new, already_stored)``."""
        new = old = 0
        for s in subs:
            if self.ingest(s):
                new += 1
            else:
                old += 1
        return new, old

    def submissions(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT submission_id, reporter_id, record_count, created, ingested_at FROM submissions "
            "ORDER BY reporter_id, submission_id"
        ).fetchall()
        return [
            dict(zip(("submission_id", "reporter_id", "record_count", "created", "ingested_at"), r, strict=True))
            for r in rows
        ]

    def load_records(self) -> RegistryRecords:
        """All stored records, sorted by (reporter, record id)."""
        meta = self.meta()
        rows = self._conn.execute(
            "SELECT reporter_id, record_id, submission_id, presence, filter FROM records "
            "ORDER BY reporter_id, record_id"
        ).fetchall()
        words = int(meta.get("filter_words", "1"))
        n = len(rows)
        filters = np.frombuffer(b"".join(r[4] for r in rows), dtype="<u8").reshape(n, words).astype(np.uint64)
        return RegistryRecords(
            reporter=np.array([r[0] for r in rows], dtype=str) if n else np.zeros(0, "<U1"),
            record_id=np.array([r[1] for r in rows], dtype="<U32"),
            submission_id=np.array([r[2] for r in rows], dtype="<U32"),
            presence=np.array([r[3] for r in rows], dtype=np.uint16),
            filters=filters,
        )
