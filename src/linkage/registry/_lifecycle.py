"""Answers, withdrawal, retention, purge and key epochs: what happens to data after intake.

- **Answers**: a reporter's answers to its query-back list (``same`` / ``different`` /
  ``unknown`` per pair of record ids), a CSV signed by the reporter (a detached ``.sig``,
  :func:`linkage.submission.sign_answers`). Stored with who answered and when; every
  later link respects them (:mod:`linkage.registry._link`).
- **Withdrawal**: one record or a whole submission (consent withdrawn, an error). Its rows
  are deleted at once (with their pairs and answers); the submission stays as a tombstone
  (id, reporter, count, status ``withdrawn``) so that a re-send is refused, not re-counted.
- **Retention**: records whose reporting period ended more than ``retention_days`` ago
  are deleted by :func:`purge`.
- **Purge**: deletes what withdrawal and retention remove, then compacts the store so the
  bytes are gone from the database file, its free pages and (SQLite) its WAL.
- **Key epochs**: a new linkage key starts a new epoch; submissions under an older key are
  refused and records of different epochs are never compared.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
from pathlib import Path
from typing import Any

from linkage.errors import InputError, Problem
from linkage.registry._link import ANSWERS
from linkage.registry._store import Registry, RegistryError, _iso, append_audit, utc_now
from linkage.submission import verify_answers

__all__ = ["add_answers", "purge", "start_epoch", "withdraw"]

ANSWER_COLUMNS = ("record_id", "other_reporter", "other_record_id", "answer")


def add_answers(registry: Registry, path: str | Path, *, actor: str | None = None,
                signature: str | Path | None = None) -> dict[str, Any]:
    """Store a reporter's signed answers to its query-back list (all rows or none)."""
    p = Path(path)
    sig = Path(signature) if signature is not None else p.with_name(p.name + ".sig")
    data = p.read_bytes()
    reporter = verify_answers(data, sig, registry.trusted_keys(active_only=True), name=p.name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegistryError(f"{p.name}: answers must be UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ANSWER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegistryError(f"{p.name}: answers need the columns {', '.join(ANSWER_COLUMNS)} "
                            f"(missing: {', '.join(missing)})")
    rows = list(reader)
    now = _iso(None)
    problems: list[Problem] = []
    with registry.db.write() as tx:
        held = {(str(r[0]), str(r[1])) for r in tx.all(
            "SELECT r.reporter_id, r.record_id FROM records r JOIN submissions s USING (submission_id) "
            "WHERE s.status='active'")}
        out = []
        for i, row in enumerate(rows, start=1):
            rid = (row.get("record_id") or "").strip()
            orep = (row.get("other_reporter") or "").strip()
            orid = (row.get("other_record_id") or "").strip()
            ans = (row.get("answer") or "").strip().lower()
            answered_on = (row.get("answered_on") or "").strip() or now[:10]
            if (reporter, rid) not in held:
                problems.append(Problem(i, "record_id", f"not a record {reporter} has in the registry"))
            if (orep, orid) not in held:
                problems.append(Problem(i, "other_record_id", "not a record the registry holds"))
            if ans not in ANSWERS:
                problems.append(Problem(i, "answer", f"must be one of {', '.join(ANSWERS)}"))
            try:
                _dt.date.fromisoformat(answered_on)
            except ValueError:
                problems.append(Problem(i, "answered_on", "must be an ISO date (YYYY-MM-DD)"))
            a, b = sorted([(reporter, rid), (orep, orid)])
            out.append((reporter, a[0], a[1], b[0], b[1], ans, answered_on))
        if problems:
            raise InputError(problems)
        digest = hashlib.sha256(data).hexdigest()
        for who, ar, arec, br, brec, ans, on in out:
            tx.run("DELETE FROM answers WHERE a_reporter=? AND a_record=? AND b_reporter=? AND b_record=?",
                   (ar, arec, br, brec))
            tx.run("INSERT INTO answers (answered_by, a_reporter, a_record, b_reporter, b_record, answer, "
                   "answered_on, ingested_at, source_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (who, ar, arec, br, brec, ans, on, now, digest))
        counts = {a: sum(1 for r in out if r[5] == a) for a in ANSWERS}
        append_audit(tx, actor, "answers", {"file": p.name, "sha256": digest, "reporter": reporter,
                                            "signature": "verified", "answers": counts})
    return {"reporter": reporter, "answers": counts}


def _remove_records(tx: Any, where: str, params: tuple[Any, ...]) -> int:
    """Delete records (their pairs go with them) and the answers naming them; remember their persons."""
    rows = tx.all(f"SELECT id, reporter_id, record_id, person_id FROM records WHERE {where}", params)
    run = int(tx.scalar("SELECT value FROM meta WHERE name='link_run'"))
    at = _iso(None)
    persons = sorted({str(r[3]) for r in rows if r[3] is not None})
    tx.many("INSERT INTO person_events (link_run, at, kind, person_id, others, reason) VALUES (?, ?, ?, ?, ?, ?)",
            [(run, at, "record_removed", p, "[]", "record(s) withdrawn or expired") for p in persons])
    for _, rep, rid, _ in rows:
        tx.run("DELETE FROM answers WHERE (a_reporter=? AND a_record=?) OR (b_reporter=? AND b_record=?)",
               (rep, rid, rep, rid))
    tx.run(f"DELETE FROM pairs WHERE a IN (SELECT id FROM records WHERE {where}) "
           f"OR b IN (SELECT id FROM records WHERE {where})", params + params)
    tx.run(f"DELETE FROM records WHERE {where}", params)
    return len(rows)


def withdraw(registry: Registry, *, reason: str, submission: str | None = None, reporter: str | None = None,
             record: str | None = None, actor: str | None = None, compact: bool = True) -> dict[str, Any]:
    """Withdraw a whole submission, or one record (``reporter`` + ``record``): its data is deleted now."""
    if not reason.strip():
        raise RegistryError("a withdrawal needs a reason (e.g. 'consent withdrawn', 'sent in error')")
    if (submission is None) == (record is None):
        raise RegistryError("withdraw either a submission or one record (with its reporter)")
    with registry.db.write() as tx:
        if submission is not None:
            row = tx.one("SELECT status, reporter_id FROM submissions WHERE submission_id=?", (submission,))
            if row is None:
                raise RegistryError(f"the registry holds no submission {submission}")
            if row[0] not in ("active", "replaced"):
                raise RegistryError(f"submission {submission} is already {row[0]}")
            removed = _remove_records(tx, "submission_id=?", (submission,))
            tx.run("UPDATE submissions SET status='withdrawn', ended_at=?, end_reason=? WHERE submission_id=?",
                   (_iso(None), reason.strip()[:200], submission))
            details: dict[str, Any] = {"submission": submission, "reporter": row[1], "records": removed}
        else:
            if reporter is None:
                raise RegistryError("withdrawing one record needs its reporter")
            removed = _remove_records(tx, "reporter_id=? AND record_id=?", (reporter, record))
            if not removed:
                raise RegistryError(f"the registry holds no record {record} of {reporter}")
            details = {"reporter": reporter, "record": record, "records": removed}
        details["reason"] = reason.strip()[:200]
        append_audit(tx, actor, "withdraw", details)
    if compact:
        registry.db.compact()
    return details


def purge(registry: Registry, *, actor: str | None = None, now: _dt.datetime | None = None) -> dict[str, Any]:
    """Delete records past their retention, then compact the store (files, free pages, WAL)."""
    settings = registry.settings()
    removed = 0
    expired: list[str] = []
    when = now or utc_now()
    with registry.db.write() as tx:
        if settings.retention_days is not None:
            cutoff = (when.date() - _dt.timedelta(days=settings.retention_days)).isoformat()
            expired = [str(r[0]) for r in tx.all(
                "SELECT submission_id FROM submissions WHERE status IN ('active', 'replaced') AND period_end < ?",
                (cutoff,))]
            for sid in expired:
                removed += _remove_records(tx, "submission_id=?", (sid,))
                tx.run("UPDATE submissions SET status='expired', ended_at=?, end_reason=? WHERE submission_id=?",
                       (_iso(when), f"retention of {settings.retention_days} days", sid))
        # persons no record points to any more
        tx.run("UPDATE persons SET ended_at=? WHERE ended_at IS NULL AND person_id NOT IN "
               "(SELECT person_id FROM records WHERE person_id IS NOT NULL)", (_iso(when),))
        append_audit(tx, actor, "purge", {"retention_days": settings.retention_days, "submissions_expired": expired,
                                          "records_deleted": removed})
    registry.db.compact()
    return {"submissions_expired": expired, "records_deleted": removed}


def start_epoch(registry: Registry, key_id: str, *, reason: str, actor: str | None = None) -> dict[str, Any]:
    """Start a new key epoch (a new linkage key, e.g. after a suspected leak).

    From now on only submissions under ``key_id`` are taken in and linked; records of
    earlier epochs are never compared with them. Reporters re-send under the new key,
    naming the submission each re-send replaces (``--replaces``), so that the old records
    leave the count as the new ones enter it.
    """
    import re

    if not re.fullmatch(r"kid-[0-9a-f]{32}", key_id):
        raise RegistryError("a key id looks like kid- and 32 hex digits (linkage keygen prints it)")
    if not reason.strip():
        raise RegistryError("a new epoch needs a reason (e.g. 'key rotation after suspected leak')")
    with registry.db.write() as tx:
        if tx.one("SELECT 1 FROM epochs WHERE key_id=?", (key_id,)):
            raise RegistryError(f"key {key_id} already had an epoch; a retired key never returns")
        cur = tx.scalar("SELECT MAX(epoch) FROM epochs")
        epoch = 1 if cur is None else int(cur) + 1
        tx.run("INSERT INTO epochs VALUES (?, ?, ?, ?)", (epoch, key_id, _iso(None), reason.strip()[:200]))
        pending = [str(r[0]) for r in tx.all(
            "SELECT submission_id FROM submissions WHERE status='active' AND epoch<? ORDER BY submission_id",
            (epoch,))]
        append_audit(tx, actor, "epoch_start", {"epoch": epoch, "key_id": key_id, "reason": reason.strip()[:200],
                                                "submissions_to_resend": len(pending)})
    return {"epoch": epoch, "key_id": key_id, "submissions_to_resend": pending}


def resend_guide(registry: Registry) -> dict[str, list[str]]:
    """Per reporter, the active submissions of earlier epochs it should re-send under the current key."""
    cur = registry.current_epoch()
    if cur is None:
        return {}
    out: dict[str, list[str]] = {}
    for s in registry.submissions(status="active"):
        if int(s["epoch"]) < cur[0]:
            out.setdefault(str(s["reporter_id"]), []).append(str(s["submission_id"]))
    return out
