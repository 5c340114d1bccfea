"""Ingest: verified submissions into the registry, each exactly once, all of a run or nothing.

For every file, in this order, before anything is written:

1. the signature against the registered reporters' public keys, then the header and
   the embedded schema (:func:`linkage.submission.read_submission`); the schema must be
   the registry's, the key id the current epoch's;
2. the reporting period (signed in the header, or declared by the operator for files
   made before headers carried one) and, for a correction, the submission it replaces;
3. records a schema cannot produce: presence bits beyond the schema's fields, a filter
   with no bit or every bit set, a fill far outside what its presence pattern gives
   (robust distance from the median fill of records with that pattern).

Then one transaction for the whole run: a submission whose payload (the SHA-256 of its
records, signed in the header) is already stored counts once, whatever the file is
called or however often it was re-signed; a correction replaces the submission it names;
a submission that repeats most of the records of one of its reporter's earlier
submissions (a re-encoded re-send, an overlapping cumulative export) is refused, and a
smaller overlap is flagged. Any failure rolls the whole run back and is logged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.compare import dice_cross, popcount
from linkage.errors import LinkageError, MismatchError, SubmissionError
from linkage.registry._store import Registry, RegistryError, _iso, append_audit
from linkage.submission import Submission, read_submission

__all__ = ["IngestResult", "SubmissionOutcome", "check_records", "ingest"]

#: Dice at or above which two records of one reporter count as the same record sent again.
NEAR_IDENTICAL = 0.95
#: A repeat is refused only when it covers at least this many records (a small submission may re-report one person).
OVERLAP_MIN_RECORDS = 5
#: Records with a presence pattern are checked for fill once the registry holds this many of that pattern.
FILL_REFERENCE_MIN = 20


@dataclass(frozen=True)
class SubmissionOutcome:
    file: str
    submission_id: str
    reporter_id: str
    records: int
    outcome: str  # "new", "duplicate" (already stored), "replaces"
    detail: str = ""
    flags: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "submission_id": self.submission_id, "reporter_id": self.reporter_id,
                "records": self.records, "outcome": self.outcome, "detail": self.detail, "flags": self.flags}


@dataclass(frozen=True)
class IngestResult:
    submissions: tuple[SubmissionOutcome, ...]

    @property
    def new(self) -> int:
        return sum(1 for s in self.submissions if s.outcome in ("new", "replaces"))

    @property
    def duplicates(self) -> int:
        return sum(1 for s in self.submissions if s.outcome == "duplicate")

    def to_json(self) -> dict[str, Any]:
        return {"new": self.new, "duplicates": self.duplicates,
                "submissions": [s.to_json() for s in self.submissions]}


def _records_problem(sub: Submission, rows: npt.NDArray[np.int64], reason: str) -> str:
    shown = ", ".join(str(int(r) + 1) for r in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
    return f"record(s) {shown}: {reason}"


def check_records(sub: Submission, n_fields: int, reference: dict[int, npt.NDArray[np.int64]]) -> list[str]:
    """Records the schema cannot produce, by record number (1-based, in file order) and reason.

    ``reference`` maps a presence pattern to the fills (set bits) of records with that
    pattern already accepted; the submission's own records are added to it.
    """
    problems: list[str] = []
    presence = sub.presence.astype(np.int64)
    bits = sub.filters.shape[1] * 64
    fill = popcount(sub.filters).astype(np.int64) if len(sub) else np.zeros(0, np.int64)
    beyond = np.flatnonzero(presence >> n_fields)
    if len(beyond):
        problems.append(_records_problem(sub, beyond, f"presence bits beyond the schema's {n_fields} fields"))
    zero = np.flatnonzero((fill == 0) & (presence != 0))
    if len(zero):
        problems.append(_records_problem(sub, zero, "an empty filter (no bit set) although fields are present"))
    full = np.flatnonzero(fill == bits)
    if len(full):
        problems.append(_records_problem(sub, full, "a filter with every bit set"))
    odd: list[int] = []
    for pat in np.unique(presence).tolist():
        mine = presence == pat
        ref = np.concatenate([reference.get(int(pat), np.zeros(0, np.int64)), fill[mine]])
        if len(ref) < FILL_REFERENCE_MIN:
            continue
        med = float(np.median(ref))
        mad = float(np.median(np.abs(ref - med))) * 1.4826
        margin = max(8.0 * mad, 0.05 * bits, 8.0)
        far = np.flatnonzero(mine & (np.abs(fill - med) > margin))
        odd.extend(far.tolist())
    if odd:
        problems.append(_records_problem(sub, np.array(sorted(odd), dtype=np.int64),
                                         "a fill far outside what its presence pattern gives"))
    return problems


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fills_by_pattern(presence: npt.NDArray[np.int64], filters: npt.NDArray[np.uint64]
                      ) -> dict[int, npt.NDArray[np.int64]]:
    out: dict[int, npt.NDArray[np.int64]] = {}
    if not len(presence):
        return out
    fill = popcount(filters).astype(np.int64)
    for pat in np.unique(presence).tolist():
        out[int(pat)] = fill[presence == pat]
    return out


def _load_filters(rows: Sequence[tuple[Any, ...]], words: int, col: int) -> npt.NDArray[np.uint64]:
    if not rows:
        return np.zeros((0, words), np.uint64)
    return np.frombuffer(b"".join(bytes(r[col]) for r in rows), dtype="<u8").reshape(len(rows), words).astype(
        np.uint64)


def ingest(
    registry: Registry,
    paths: Sequence[str | Path],
    *,
    actor: str | None = None,
    period: tuple[str, str] | None = None,
    replaces: str | None = None,
    accept_overlap: bool = False,
) -> IngestResult:
    """Verify and store submission files: all of them in one transaction, or none.

    ``period`` declares the reporting period of files whose signed header has none
    (it must agree with a header that has one); ``replaces`` names the submission a
    single file corrects, for files made before headers carried it. ``accept_overlap``
    stores a submission that repeats most of an earlier one's records (recorded in the
    audit log) instead of refusing it.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise RegistryError("no submission files given")
    if replaces is not None and len(files) != 1:
        raise RegistryError("--replaces names the submission one file corrects; give one file")
    try:
        return _ingest(registry, files, actor, period, replaces, accept_overlap)
    except LinkageError as exc:
        registry.log("ingest_refused", {"files": [f.name for f in files], "reason": str(exc)}, actor)
        raise


def _ingest(registry: Registry, files: list[Path], actor: str | None, period: tuple[str, str] | None,
            replaces: str | None, accept_overlap: bool) -> IngestResult:
    schema = registry.schema
    all_keys = registry.trusted_keys(active_only=False)
    active = {r["reporter_id"] for r in registry.reporters() if r["active"]}
    if not all_keys:
        raise RegistryError("no reporter is registered (add one with 'linkage registry reporters add')")
    settings = registry.settings()
    subs: list[tuple[Path, Submission, str, tuple[str, str], str, str | None]] = []
    for f in files:
        sub = read_submission(f, all_keys, schema=schema)
        if sub.reporter_id not in active:
            raise RegistryError(f"{f.name}: reporter {sub.reporter_id!r} is suspended; its submissions are refused")
        h = sub.header
        if h.period is not None:
            sub_period = (str(h.period["start"]), str(h.period["end"]))
            if period is not None and period != sub_period:
                raise RegistryError(f"{f.name}: the declared period differs from the one signed in the file")
            declared_by = "reporter (signed)"
        elif period is not None:
            sub_period = period
            declared_by = "operator"
        else:
            raise RegistryError(
                f"{f.name}: submission {sub.submission_id} declares no reporting period; ask the reporter to "
                "encode with --period, or declare it with --period"
            )
        if h.replaces is not None and replaces is not None and h.replaces != replaces:
            raise RegistryError(f"{f.name}: --replaces differs from the submission the file itself names")
        subs.append((f, sub, _file_sha256(f), sub_period, declared_by, h.replaces or replaces))

    n_fields = len(schema.field_names)
    words = schema.words
    outcomes: list[SubmissionOutcome] = []
    reference: dict[int, npt.NDArray[np.int64]] | None = None
    reference_epoch = -1
    with registry.db.write() as tx:
        epochs = tx.all("SELECT epoch, key_id FROM epochs ORDER BY epoch")
        for f, sub, file_hash, sub_period, declared_by, repl in subs:
            h = sub.header
            # Key epoch.
            if not epochs:
                tx.run("INSERT INTO epochs VALUES (1, ?, ?, ?)", (h.key_id, _iso(None), "first submission"))
                append_audit(tx, actor, "epoch_start", {"epoch": 1, "key_id": h.key_id, "reason": "first submission"})
                epochs = [(1, h.key_id)]
            cur_epoch, cur_key = int(epochs[-1][0]), str(epochs[-1][1])
            if h.key_id != cur_key:
                older = [int(e) for e, k in epochs if k == h.key_id]
                if older:
                    raise MismatchError(
                        f"{f.name}: submission {sub.submission_id} is encoded under the key of epoch {older[0]}; "
                        f"the registry is in epoch {cur_epoch} (key {cur_key}): the reporter must re-encode "
                        "under the current key"
                    )
                raise MismatchError(
                    f"{f.name}: submission {sub.submission_id} is encoded under key {h.key_id}, which is not the "
                    f"registry's (epoch {cur_epoch}, key {cur_key}); if the key was rotated, start a new epoch "
                    "with 'linkage registry epoch new'"
                )
            # Exactly once: by the payload's hash.
            known = tx.one("SELECT submission_id, status FROM submissions WHERE payload_sha256=?", (h.payload_sha256,))
            if known is not None:
                if known[1] in ("active", "replaced"):
                    outcomes.append(SubmissionOutcome(
                        f.name, sub.submission_id, sub.reporter_id, len(sub), "duplicate",
                        f"same records as submission {known[0]} ({known[1]}); counted once"))
                    append_audit(tx, actor, "ingest_duplicate", {
                        "file": f.name, "file_sha256": file_hash, "submission": sub.submission_id,
                        "stored_as": known[0], "reporter": sub.reporter_id, "signer": h.signer,
                        "signature": "verified"})
                    continue
                raise RegistryError(
                    f"{f.name}: submission {sub.submission_id} holds the records of submission {known[0]}, which "
                    f"was {known[1]}; it is not taken in again"
                )
            if tx.one("SELECT 1 FROM submissions WHERE submission_id=?", (sub.submission_id,)):
                raise RegistryError(f"{f.name}: submission {sub.submission_id} is already stored with other records")
            # Records the schema cannot produce (the reference: fills of the records held, read once per run).
            if reference is None or reference_epoch != cur_epoch:
                ref_rows = tx.all(
                    "SELECT r.presence, r.filter FROM records r JOIN submissions s USING (submission_id) "
                    "WHERE s.status='active' AND r.epoch=?", (cur_epoch,))
                reference = _fills_by_pattern(np.array([r[0] for r in ref_rows], dtype=np.int64),
                                              _load_filters(ref_rows, words, 1))
                reference_epoch = cur_epoch
            problems = check_records(sub, n_fields, reference)
            if problems:
                raise SubmissionError(
                    f"{f.name}: submission {sub.submission_id} of {sub.reporter_id!r} holds records the schema "
                    f"cannot produce, refused: " + "; ".join(problems)
                )
            # A correction replaces what it names.
            outcome = "new"
            detail = ""
            if repl is not None:
                target = tx.one("SELECT reporter_id, status FROM submissions WHERE submission_id=?", (repl,))
                if target is None:
                    raise RegistryError(f"{f.name}: submission {sub.submission_id} replaces {repl}, "
                                        "which the registry does not hold")
                if target[0] != sub.reporter_id:
                    raise RegistryError(f"{f.name}: submission {sub.submission_id} replaces {repl}, "
                                        "which another reporter sent")
                if target[1] != "active":
                    raise RegistryError(f"{f.name}: submission {repl}, which {sub.submission_id} replaces, "
                                        f"is already {target[1]}")
                tx.run("UPDATE submissions SET status='replaced', ended_at=?, end_reason=? WHERE submission_id=?",
                       (_iso(None), f"replaced by {sub.submission_id}", repl))
                outcome, detail = "replaces", f"replaces submission {repl}"
            # Near-identical record sets from one reporter.
            flags = _overlap(tx, sub, cur_epoch, words)
            same = sub.filters.view(np.uint8).reshape(len(sub), -1) if len(sub) else None
            if same is not None:
                _, counts = np.unique(same, axis=0, return_counts=True)
                repeated = int(counts[counts > 1].sum())
                if repeated:
                    flags["identical_filters_within"] = repeated
            big = [o for o in flags.get("overlaps", []) if o["repeated"] >= OVERLAP_MIN_RECORDS]
            worst = max((o["share"] for o in big), default=0.0)
            if worst >= settings.overlap_refuse and not accept_overlap:
                o = max(big, key=lambda x: x["share"])
                raise RegistryError(
                    f"{f.name}: submission {sub.submission_id} of {sub.reporter_id!r} repeats "
                    f"{o['repeated']} of the {o['of']} records of its earlier submission {o['submission']} "
                    f"({100 * o['share']:.0f}%): a re-encoded re-send or an overlapping cumulative export? "
                    "If it corrects that submission, it must name it (encode with --replaces); otherwise "
                    "re-run with --accept-overlap to count both"
                )
            if max((o["share"] for o in flags.get("overlaps", [])), default=0.0) >= settings.overlap_flag:
                flags["flagged"] = True
            if accept_overlap and worst >= settings.overlap_refuse:
                flags["overlap_accepted"] = True
            tx.run(
                "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, NULL, NULL, ?)",
                (sub.submission_id, sub.reporter_id, h.payload_sha256, h.signer, h.key_id, cur_epoch, len(sub),
                 h.created, sub_period[0], sub_period[1], declared_by, repl, _iso(None),
                 json.dumps(flags, sort_keys=True)),
            )
            year = int(sub_period[0][:4])
            filt = np.ascontiguousarray(sub.filters.astype("<u8"))
            tx.many(
                "INSERT INTO records (reporter_id, record_id, submission_id, epoch, year, presence, filter, linked, "
                "person_id) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)",
                [(sub.reporter_id, rid, sub.submission_id, cur_epoch, year, int(p), filt[i].tobytes())
                 for i, (rid, p) in enumerate(zip(sub.record_ids.tolist(), sub.presence.tolist(), strict=True))],
            )
            for pat, fills in _fills_by_pattern(sub.presence.astype(np.int64), sub.filters).items():
                reference[pat] = np.concatenate([reference.get(pat, np.zeros(0, np.int64)), fills])
            carried = 0
            if repl is not None:
                # records sent again under the same record id keep their person (e.g. re-encoded in a new epoch)
                tx.run("UPDATE records SET person_id = (SELECT o.person_id FROM records o WHERE o.submission_id=? "
                       "AND o.record_id = records.record_id) WHERE submission_id=? AND person_id IS NULL",
                       (repl, sub.submission_id))
                carried = int(tx.scalar("SELECT COUNT(*) FROM records WHERE submission_id=? AND person_id IS NOT "
                                        "NULL", (sub.submission_id,)))
                if carried:
                    flags["persons_carried_over"] = carried
            append_audit(tx, actor, "ingest", {
                "file": f.name, "file_sha256": file_hash, "submission": sub.submission_id,
                "payload_sha256": h.payload_sha256, "reporter": sub.reporter_id, "signer": h.signer,
                "signature": "verified", "key_id": h.key_id, "epoch": cur_epoch, "records": len(sub),
                "period": list(sub_period), "period_declared_by": declared_by, "replaces": repl,
                "flags": flags})
            outcomes.append(SubmissionOutcome(f.name, sub.submission_id, sub.reporter_id, len(sub), outcome,
                                              detail, flags))
    return IngestResult(tuple(outcomes))


def _overlap(tx: Any, sub: Submission, epoch: int, words: int) -> dict[str, Any]:
    """How much of each earlier active submission of this reporter the new one repeats."""
    rows = tx.all(
        "SELECT r.submission_id, r.presence, r.filter FROM records r JOIN submissions s USING (submission_id) "
        "WHERE s.status='active' AND r.reporter_id=? AND r.epoch=?", (sub.reporter_id, epoch))
    if not rows or not len(sub):
        return {}
    old = _load_filters(rows, words, 2)
    old_sub = np.array([r[0] for r in rows])
    old_pres = np.array([r[1] for r in rows], dtype=np.int64)
    left, right, _ = dice_cross(sub.filters, old, NEAR_IDENTICAL)
    keep = sub.presence.astype(np.int64)[left] == old_pres[right]
    left, right = left[keep], right[keep]
    overlaps = []
    for s in np.unique(old_sub).tolist():
        in_s = old_sub[right] == s
        if not in_s.any():
            continue
        of = int(np.count_nonzero(old_sub == s))
        covered = len(np.unique(right[in_s]))
        new_hit = len(np.unique(left[in_s]))
        share = max(covered / of, new_hit / len(sub))
        overlaps.append({"submission": s, "repeated": covered, "of": of, "new_records_repeating": new_hit,
                         "share": round(share, 4)})
    return {"overlaps": overlaps} if overlaps else {}
