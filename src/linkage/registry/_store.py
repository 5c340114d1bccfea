"""The registry: a store that lives for years (SQLite or PostgreSQL behind one interface).

What it holds: the linkage schema it was created for, its key epochs (key ids only),
the reporters and their public keys, every submission's header facts and status,
the records (opaque record id, presence mask, filter bytes, year), the scored
candidate pairs, the reporters' query-back answers, the persons and their history,
and a hash-chained audit log. Never a key, never a raw quasi-identifier.

Every change is one transaction (:meth:`Database.write`) that also appends its audit
entry, so the log and the data cannot disagree.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from linkage.errors import LinkageError, MismatchError, StoreError
from linkage.registry._db import Database, Transaction, describe_target, is_postgres_target, open_database
from linkage.schema import Schema, load_schema
from linkage.submission import REPORTER_ID_PATTERN, public_key_id, public_pem, read_public_key

__all__ = [
    "AuditEntry",
    "REPORTER_TYPES",
    "Registry",
    "RegistryError",
    "RegistrySettings",
    "init_registry",
    "open_registry",
    "utc_now",
]

STORE_FORMAT = "linkage-registry/1"

#: Reporter types as CoMensha tables them (001_4cb8d68f4a8ac831.txt, 818-830).
REPORTER_TYPES = ("police", "kmar", "nla", "fairwork", "care_coordinator", "other")

_GENESIS = "0" * 64


class RegistryError(LinkageError):
    """A registry operation was refused (the message says why and what to do)."""


def utc_now() -> _dt.datetime:
    """Now, in UTC, to the second. ``LINKAGE_REGISTRY_NOW`` (ISO time) overrides it for tests and replays."""
    fixed = os.environ.get("LINKAGE_REGISTRY_NOW")
    if fixed:
        try:
            t = _dt.datetime.fromisoformat(fixed)
        except ValueError:
            raise RegistryError("LINKAGE_REGISTRY_NOW must be an ISO date or time") from None
        return (t if t.tzinfo else t.replace(tzinfo=_dt.UTC)).astimezone(_dt.UTC).replace(microsecond=0)
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0)


def _iso(t: _dt.datetime | None) -> str:
    return (t or utc_now()).astimezone(_dt.UTC).replace(microsecond=0).isoformat()


def default_actor() -> str:
    try:
        return os.environ.get("LINKAGE_ACTOR") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not an error
        return "unknown"


@dataclass(frozen=True)
class RegistrySettings:
    """Settings kept in the store (``linkage registry init``; changeable with ``settings``)."""

    retention_days: int | None = None  # None: keep until withdrawn
    suppress_below: int = 10
    overlap_refuse: float = 0.5
    overlap_flag: float = 0.1

    def to_json(self) -> dict[str, Any]:
        return {"retention_days": self.retention_days, "suppress_below": self.suppress_below,
                "overlap_refuse": self.overlap_refuse, "overlap_flag": self.overlap_flag}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> RegistrySettings:
        return cls(**{k: d[k] for k in ("retention_days", "suppress_below", "overlap_refuse", "overlap_flag")
                      if k in d})

    def check(self) -> None:
        if self.retention_days is not None and not 1 <= self.retention_days <= 100 * 366:
            raise RegistryError("retention must be between 1 day and 100 years")
        if not 1 <= self.suppress_below <= 1000:
            raise RegistryError("the small-cell threshold must be between 1 and 1000")
        if not 0.0 < self.overlap_flag <= self.overlap_refuse <= 1.0:
            raise RegistryError("overlap thresholds must satisfy 0 < flag <= refuse <= 1")


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    details: Mapping[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
                "details": dict(self.details), "prev_hash": self.prev_hash, "hash": self.hash}


def audit_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, details_json: str) -> str:
    body = json.dumps([prev_hash, seq, at, actor, action, details_json], separators=(",", ":"))
    return hashlib.sha256(b"linkage/audit/v1\x00" + body.encode("utf-8")).hexdigest()


class Registry:
    """An open registry. Use as a context manager; one per process or thread."""

    def __init__(self, db: Database, target: str | Path) -> None:
        self.db = db
        self.target = target
        with db.read() as tx:
            meta = dict(tx.all("SELECT name, value FROM meta"))
        if meta.get("format") != STORE_FORMAT:
            db.close()
            raise StoreError(f"{describe_target(target)} is not a linkage registry (run 'linkage registry init')")
        self.schema: Schema = load_schema(json.loads(meta["schema"]))
        if self.schema.fingerprint != meta["schema_fingerprint"]:
            db.close()
            raise StoreError("the registry's schema does not match its fingerprint (damaged store)")

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def __repr__(self) -> str:
        return f"Registry({self.db.kind}, {describe_target(self.target)!r})"

    @property
    def kind(self) -> str:
        return self.db.kind

    # -- meta --------------------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        with self.db.read() as tx:
            return dict(tx.all("SELECT name, value FROM meta"))

    def settings(self) -> RegistrySettings:
        return RegistrySettings.from_json(json.loads(self.meta()["settings"]))

    def update_settings(self, actor: str | None = None, **changes: Any) -> RegistrySettings:
        with self.db.write() as tx:
            text = str(tx.scalar("SELECT value FROM meta WHERE name='settings'"))
            current = RegistrySettings.from_json(json.loads(text))
            new = RegistrySettings.from_json({**current.to_json(), **changes})
            new.check()
            tx.run("UPDATE meta SET value=? WHERE name='settings'", (json.dumps(new.to_json(), sort_keys=True),))
            append_audit(tx, actor, "settings", {"changed": sorted(changes), "settings": new.to_json()})
        return new

    # -- epochs ------------------------------------------------------------------------------------

    def epochs(self) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            rows = tx.all("SELECT epoch, key_id, started_at, reason FROM epochs ORDER BY epoch")
        return [dict(zip(("epoch", "key_id", "started_at", "reason"), r, strict=True)) for r in rows]

    def current_epoch(self) -> tuple[int, str] | None:
        e = self.epochs()
        return (int(e[-1]["epoch"]), str(e[-1]["key_id"])) if e else None

    # -- reporters ---------------------------------------------------------------------------------

    def add_reporter(self, reporter_id: str, public_key_file: str | Path, reporter_type: str,
                     actor: str | None = None) -> dict[str, Any]:
        """Register a reporter and its Ed25519 public key (a ``.pub`` file, never a private key)."""
        if not re.fullmatch(REPORTER_ID_PATTERN, reporter_id):
            raise RegistryError("reporter id must be 1-64 characters of a-z, 0-9, '_', '.', '-'")
        if reporter_type not in REPORTER_TYPES:
            raise RegistryError(f"reporter type must be one of {', '.join(REPORTER_TYPES)}")
        pub = read_public_key(public_key_file)
        signer = public_key_id(pub)
        pem = public_pem(pub).decode("ascii")
        with self.db.write() as tx:
            if tx.one("SELECT 1 FROM reporters WHERE reporter_id=?", (reporter_id,)):
                raise RegistryError(f"reporter {reporter_id!r} is already registered")
            other = tx.scalar("SELECT reporter_id FROM reporters WHERE signer=?", (signer,))
            if other is not None:
                raise RegistryError(f"this public key is already registered for reporter {other!r}; "
                                    "each reporter signs with its own key")
            tx.run("INSERT INTO reporters VALUES (?, ?, ?, ?, ?, 1)",
                   (reporter_id, reporter_type, pem, signer, _iso(None)))
            append_audit(tx, actor, "reporter_add",
                         {"reporter": reporter_id, "type": reporter_type, "signer": signer})
        return {"reporter_id": reporter_id, "reporter_type": reporter_type, "signer": signer}

    def set_reporter_active(self, reporter_id: str, active: bool, actor: str | None = None) -> None:
        """Stop (or resume) accepting a reporter's submissions. What it sent stays counted until withdrawn."""
        with self.db.write() as tx:
            if not tx.one("SELECT 1 FROM reporters WHERE reporter_id=?", (reporter_id,)):
                raise RegistryError(f"reporter {reporter_id!r} is not registered")
            tx.run("UPDATE reporters SET active=? WHERE reporter_id=?", (int(active), reporter_id))
            append_audit(tx, actor, "reporter_resume" if active else "reporter_suspend", {"reporter": reporter_id})

    def reporters(self) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            rows = tx.all("SELECT reporter_id, reporter_type, signer, added_at, active FROM reporters "
                          "ORDER BY reporter_id")
        return [{"reporter_id": r[0], "reporter_type": r[1], "signer": r[2], "added_at": r[3],
                 "active": bool(r[4])} for r in rows]

    def trusted_keys(self, *, active_only: bool = True) -> dict[str, Ed25519PublicKey]:
        with self.db.read() as tx:
            rows = tx.all("SELECT reporter_id, public_key, active FROM reporters")
        out: dict[str, Ed25519PublicKey] = {}
        for rid, pem, active in rows:
            if active_only and not active:
                continue
            key = load_pem_public_key(str(pem).encode("ascii"))
            if not isinstance(key, Ed25519PublicKey):  # pragma: no cover - only Ed25519 keys are stored
                raise StoreError("a stored reporter key is not an Ed25519 key")
            out[str(rid)] = key
        return out

    # -- submissions -------------------------------------------------------------------------------

    def submissions(self, *, status: str | None = None) -> list[dict[str, Any]]:
        cols = ("submission_id", "reporter_id", "record_count", "created", "period_start", "period_end",
                "replaces", "status", "ingested_at", "ended_at", "end_reason", "epoch", "key_id", "flags")
        sql = f"SELECT {', '.join(cols)} FROM submissions"
        params: tuple[Any, ...] = ()
        if status is not None:
            sql += " WHERE status=?"
            params = (status,)
        with self.db.read() as tx:
            rows = tx.all(sql + " ORDER BY ingested_at, submission_id", params)
        out = []
        for r in rows:
            d = dict(zip(cols, r, strict=True))
            d["flags"] = json.loads(d["flags"])
            out.append(d)
        return out

    def record_count(self, *, active_only: bool = True) -> int:
        with self.db.read() as tx:
            if active_only:
                return int(tx.scalar("SELECT COUNT(*) FROM records r JOIN submissions s USING (submission_id) "
                                     "WHERE s.status='active'"))
            return int(tx.scalar("SELECT COUNT(*) FROM records"))

    def status(self) -> dict[str, Any]:
        """What the registry holds, in counts (no values)."""
        meta = self.meta()
        cur = self.current_epoch()
        with self.db.read() as tx:
            by_status = dict(tx.all("SELECT status, COUNT(*) FROM submissions GROUP BY status"))
            records = int(tx.scalar("SELECT COUNT(*) FROM records r JOIN submissions s USING (submission_id) "
                                    "WHERE s.status='active'"))
            unlinked = int(tx.scalar("SELECT COUNT(*) FROM records r JOIN submissions s USING (submission_id) "
                                     "WHERE s.status='active' AND r.linked=0"))
            persons = int(tx.scalar("SELECT COUNT(DISTINCT person_id) FROM records r JOIN submissions s "
                                    "USING (submission_id) WHERE s.status='active' AND r.person_id IS NOT NULL"))
            last = tx.one("SELECT run, at, mode FROM link_runs ORDER BY run DESC LIMIT 1")
            reporters = int(tx.scalar("SELECT COUNT(*) FROM reporters"))
        seq, head = self.audit_head()
        return {
            "registry": describe_target(self.target), "backend": self.kind, "schema": self.schema.name,
            "schema_fingerprint": self.schema.fingerprint, "created": meta.get("created"),
            "epoch": None if cur is None else cur[0], "key_id": None if cur is None else cur[1],
            "reporters": reporters, "submissions": {str(k): int(v) for k, v in by_status.items()},
            "records": records, "unlinked_records": unlinked, "persons": persons,
            "last_link": None if last is None else {"run": int(last[0]), "at": last[1], "mode": last[2]},
            "settings": self.settings().to_json(), "audit_entries": seq, "audit_head": head,
        }

    # -- audit -------------------------------------------------------------------------------------

    def audit_entries(self) -> list[AuditEntry]:
        with self.db.read() as tx:
            rows = tx.all("SELECT seq, at, actor, action, details, prev_hash, hash FROM audit ORDER BY seq")
        return [AuditEntry(int(r[0]), r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def audit_head(self) -> tuple[int, str]:
        with self.db.read() as tx:
            row = tx.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        return (0, _GENESIS) if row is None else (int(row[0]), str(row[1]))

    def log(self, action: str, details: Mapping[str, Any], actor: str | None = None) -> None:
        """Append an audit entry on its own (e.g. a refused ingest, which changes nothing else)."""
        with self.db.write() as tx:
            append_audit(tx, actor, action, details)


def append_audit(tx: Transaction, actor: str | None, action: str, details: Mapping[str, Any],
                 at: _dt.datetime | None = None) -> AuditEntry:
    """Append one entry to the hash chain, inside the caller's transaction.

    ``details`` holds ids, counts and outcomes only: never a key, a filter or any value.
    """
    row = tx.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    seq, prev = (1, _GENESIS) if row is None else (int(row[0]) + 1, str(row[1]))
    when = _iso(at)
    who = actor or default_actor()
    text = json.dumps(dict(details), sort_keys=True, separators=(",", ":"), default=str)
    h = audit_hash(prev, seq, when, who, action, text)
    tx.run("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)", (seq, when, who, action, text, prev, h))
    return AuditEntry(seq, when, who, action, json.loads(text), prev, h)


def verify_audit(entries: Sequence[AuditEntry], expect_head: str | None = None) -> list[str]:
    """Problems in the chain (an empty list when it is intact).

    Detects an edited entry (its hash no longer matches), a removed or reordered entry
    (a gap in ``seq`` or a ``prev_hash`` that is not its predecessor's hash) and, given
    ``expect_head`` (a hash published or kept elsewhere earlier), a cut-off tail.
    """
    problems: list[str] = []
    prev = _GENESIS
    for i, e in enumerate(entries, start=1):
        if e.seq != i:
            problems.append(f"entry {i}: sequence number {e.seq} (an entry was removed or inserted)")
            break
        if e.prev_hash != prev:
            problems.append(f"entry {e.seq}: does not follow the previous entry (removed, inserted or edited)")
        text = json.dumps(dict(e.details), sort_keys=True, separators=(",", ":"), default=str)
        if audit_hash(e.prev_hash, e.seq, e.at, e.actor, e.action, text) != e.hash:
            problems.append(f"entry {e.seq}: its content does not match its hash (edited)")
        prev = e.hash
    if expect_head is not None and expect_head not in {e.hash for e in entries}:
        problems.append("the expected head hash is not in the log (entries were removed from its end)")
    return problems


def init_registry(target: str | Path, schema: Schema, *, settings: RegistrySettings | None = None,
                  actor: str | None = None) -> Registry:
    """Create a new registry at ``target`` (a SQLite path or a ``postgresql://`` DSN) for ``schema``."""
    st = settings or RegistrySettings()
    st.check()
    if not is_postgres_target(target) and Path(target).exists() and Path(target).stat().st_size > 0:
        raise RegistryError(f"{describe_target(target)} already exists; a registry is created once")
    db = open_database(target, create=True)
    try:
        db.create_tables()  # type: ignore[attr-defined]
        with db.write() as tx:
            if tx.one("SELECT 1 FROM meta WHERE name='format'"):
                raise RegistryError(f"{describe_target(target)} already holds a registry")
            doc = {k: v for k, v in schema.document.items() if k != "columns"}
            rows = [("format", STORE_FORMAT), ("schema", json.dumps(doc, sort_keys=True)),
                    ("schema_fingerprint", schema.fingerprint), ("filter_words", str(schema.words)),
                    ("created", _iso(None)), ("settings", json.dumps(st.to_json(), sort_keys=True)),
                    ("link_run", "0")]
            tx.many("INSERT INTO meta VALUES (?, ?)", rows)
            append_audit(tx, actor, "init", {"schema": schema.name, "schema_fingerprint": schema.fingerprint,
                                             "backend": db.kind, "settings": st.to_json()})
    except BaseException:
        db.close()
        raise
    return Registry(db, target)


def open_registry(target: str | Path) -> Registry:
    """Open an existing registry (a SQLite path or a ``postgresql://`` DSN)."""
    db = open_database(target, create=False)
    try:
        return Registry(db, target)
    except StoreError:
        raise
    except LinkageError:
        db.close()
        raise
    except Exception as exc:  # a database that is not one
        db.close()
        raise StoreError(f"{describe_target(target)} is not a linkage registry ({type(exc).__name__})") from None


def require(condition: bool, message: str) -> None:
    if not condition:
        raise RegistryError(message)


def mismatch(message: str) -> MismatchError:
    return MismatchError(message)
