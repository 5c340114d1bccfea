"""One store interface over two databases: embedded SQLite (the default) and PostgreSQL (a server).

The registry speaks plain SQL with ``?`` placeholders through :class:`Database`;
each backend translates what differs (placeholders, binary and serial column
types, how a writer takes the store's write lock). Every change to the registry
happens inside :meth:`Database.write`, one transaction that commits whole or not
at all, with the store's write lock held (SQLite ``BEGIN IMMEDIATE``, PostgreSQL
a transaction-scoped advisory lock), so concurrent writers are serialised and a
killed process leaves the previous state.

SQLite runs in WAL mode with ``synchronous=FULL`` and ``secure_delete=ON``
(deleted content is overwritten with zeros, in the pages it was on and in the
WAL); :meth:`Database.compact` checkpoints and truncates the WAL and runs
``VACUUM``, so that purged data is gone from the file, its free pages and its WAL.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from linkage.errors import StoreError

__all__ = ["Database", "open_database", "is_postgres_target"]

#: Advisory-lock key of the registry's write lock on PostgreSQL ("LNKREG14").
_PG_LOCK = 0x4C4E4B5245473134 & 0x7FFFFFFFFFFFFFFF

_DDL = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS epochs (
    epoch INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reporters (
    reporter_id TEXT PRIMARY KEY,
    reporter_type TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signer TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    submission_id TEXT PRIMARY KEY,
    reporter_id TEXT NOT NULL REFERENCES reporters(reporter_id),
    payload_sha256 TEXT NOT NULL UNIQUE,
    signer TEXT NOT NULL,
    key_id TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    record_count INTEGER NOT NULL,
    created TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    period_declared_by TEXT NOT NULL,
    replaces TEXT,
    status TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    ended_at TEXT,
    end_reason TEXT,
    flags TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id {serial},
    reporter_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    submission_id TEXT NOT NULL REFERENCES submissions(submission_id),
    epoch INTEGER NOT NULL,
    year INTEGER NOT NULL,
    presence INTEGER NOT NULL,
    filter {blob} NOT NULL,
    linked INTEGER NOT NULL,
    person_id TEXT,
    UNIQUE (submission_id, record_id)
);
CREATE INDEX IF NOT EXISTS records_reporter ON records(reporter_id, record_id);
CREATE INDEX IF NOT EXISTS records_linked ON records(linked);
CREATE TABLE IF NOT EXISTS pairs (
    a {bigint} NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    b {bigint} NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    score DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS pairs_b ON pairs(b);
CREATE TABLE IF NOT EXISTS answers (
    id {serial},
    answered_by TEXT NOT NULL,
    a_reporter TEXT NOT NULL,
    a_record TEXT NOT NULL,
    b_reporter TEXT NOT NULL,
    b_record TEXT NOT NULL,
    answer TEXT NOT NULL,
    answered_on TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    UNIQUE (a_reporter, a_record, b_reporter, b_record)
);
CREATE TABLE IF NOT EXISTS persons (
    person_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE TABLE IF NOT EXISTS person_events (
    id {serial},
    link_run INTEGER NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    person_id TEXT NOT NULL,
    others TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS link_runs (
    run INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    mode TEXT NOT NULL,
    records INTEGER NOT NULL,
    new_records INTEGER NOT NULL,
    pairs_added INTEGER NOT NULL,
    persons INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""

_SQLITE_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

_PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION linkage_audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION linkage_audit_append_only();
"""


def is_postgres_target(target: str | Path) -> bool:
    return isinstance(target, str) and re.match(r"^postgres(ql)?://", target) is not None


def describe_target(target: str | Path) -> str:
    """A target as it may appear in a message: a file's name, or a DSN without its credentials."""
    if is_postgres_target(target):
        return re.sub(r"//[^@/]*@", "//", str(target)).split("?")[0]
    return Path(target).name


class Database:
    """A connection to the registry's database. Not shared between threads or processes."""

    kind: str

    def __init__(self) -> None:
        self._conn: Any = None

    # -- what each backend provides --------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        return sql

    @contextmanager
    def _begin(self) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield None

    def compact(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- shared ----------------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One transaction holding the store's write lock: commits whole, or rolls back on any exception."""
        with self._begin() as cur:
            yield Transaction(self, cur)

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        """A read-only snapshot (one transaction)."""
        with self._begin_read() as cur:
            yield Transaction(self, cur)

    @contextmanager
    def _begin_read(self) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield None


class Transaction:
    """Statements inside one transaction, with ``?`` placeholders on every backend."""

    def __init__(self, db: Database, cur: Any) -> None:
        self.db = db
        self._cur = cur

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cur.execute(self.db._sql(sql), tuple(params))

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cur.executemany(self.db._sql(sql), [tuple(r) for r in rows])

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self._cur.execute(self.db._sql(sql), tuple(params))
        row = self._cur.fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._cur.execute(self.db._sql(sql), tuple(params))
        return [tuple(r) for r in self._cur.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]


class SQLiteDatabase(Database):
    kind = "sqlite"

    def __init__(self, path: Path, *, create: bool) -> None:
        super().__init__()
        self.path = path
        if not path.parent.is_dir():
            raise StoreError(f"cannot open registry {path.name!r}: its directory does not exist")
        if path.is_dir():
            raise StoreError(f"registry {(path.name or str(path))!r} is a directory, not a registry file")
        if not create and not path.exists():
            raise StoreError(f"registry {path.name!r} does not exist (create it with 'linkage registry init')")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # 0600 whatever the umask; -wal/-shm follow
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"cannot open registry {path.name!r}: {exc.strerror}") from None
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=60.0)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "secure_delete=ON",
                           "busy_timeout=60000"):
                self._conn.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open registry {path.name!r}: {exc}") from None

    def create_tables(self) -> None:
        ddl = _DDL.format(serial="INTEGER PRIMARY KEY", blob="BLOB", bigint="INTEGER")
        try:
            self._conn.executescript("BEGIN IMMEDIATE;" + ddl + _SQLITE_TRIGGERS + "COMMIT;")
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise StoreError(f"cannot create the registry tables: {exc}") from None

    @contextmanager
    def _begin(self) -> Iterator[Any]:
        cur = self._conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the registry: {exc}") from None
        try:
            yield cur
            cur.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise StoreError(f"cannot write to the registry: {exc}") from None
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _begin_read(self) -> Iterator[Any]:
        cur = self._conn.cursor()
        cur.execute("BEGIN")
        try:
            yield cur
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the registry: {exc}") from None
        finally:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def compact(self) -> None:
        """Checkpoint and truncate the WAL, rebuild the file (no free page keeps old content)."""
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.execute("VACUUM")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot compact the registry: {exc}") from None


class PostgresDatabase(Database):
    kind = "postgresql"

    def __init__(self, dsn: str) -> None:
        super().__init__()
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "a PostgreSQL registry needs psycopg 3: pip install 'linkage[postgres]'"
            ) from None
        self._psycopg = psycopg
        try:
            self._conn = psycopg.connect(dsn, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to the PostgreSQL registry ({type(exc).__name__})") from None

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def create_tables(self) -> None:
        ddl = _DDL.format(serial="BIGSERIAL PRIMARY KEY", blob="BYTEA", bigint="BIGINT")
        with self._begin() as cur:
            for stmt in ddl.split(";"):
                if stmt.strip():
                    cur.execute(stmt)
            cur.execute(_PG_TRIGGERS)

    @contextmanager
    def _begin(self) -> Iterator[Any]:
        psycopg = self._psycopg
        try:
            tx = self._conn.transaction()
            tx.__enter__()
        except psycopg.Error as exc:
            raise StoreError(f"cannot write to the registry ({type(exc).__name__})") from None
        cur = self._conn.cursor()
        try:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK,))
            yield cur
        except psycopg.Error as exc:
            tx.__exit__(type(exc), exc, exc.__traceback__)
            raise StoreError(f"cannot write to the registry: {exc.diag.message_primary or type(exc).__name__}") \
                from None
        except BaseException as exc:
            tx.__exit__(type(exc), exc, exc.__traceback__)
            raise
        else:
            try:
                tx.__exit__(None, None, None)
            except psycopg.Error as exc:
                raise StoreError(f"cannot commit to the registry ({type(exc).__name__})") from None

    @contextmanager
    def _begin_read(self) -> Iterator[Any]:
        psycopg = self._psycopg
        with self._conn.transaction(force_rollback=True):
            cur = self._conn.cursor()
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            try:
                yield cur
            except psycopg.Error as exc:
                raise StoreError(f"cannot read the registry ({type(exc).__name__})") from None

    def compact(self) -> None:
        """``VACUUM FULL`` of the tables that held data: dead row versions are rewritten away."""
        try:
            for table in ("records", "pairs", "answers", "submissions", "persons", "person_events"):
                self._conn.execute(f"VACUUM FULL {table}")
        except self._psycopg.Error as exc:
            raise StoreError(f"cannot compact the registry ({type(exc).__name__})") from None


def open_database(target: str | Path, *, create: bool = False) -> Database:
    """The registry database at ``target``: a SQLite file path, or a ``postgresql://`` DSN."""
    if is_postgres_target(target):
        return PostgresDatabase(str(target))
    return SQLiteDatabase(Path(target), create=create)
