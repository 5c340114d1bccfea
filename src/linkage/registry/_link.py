"""Incremental linkage with stable person ids, answers respected, merges and splits recorded.

What is incremental: the comparison. Every pair of records scoring at least the
candidate floor (:func:`linkage.classify.candidate_floor`) is stored once, when the
later of its two records is linked: new records are compared with each other and with
the records already held, never the held ones among themselves again. Classification
and clustering then run over the stored pairs of all active records, which is cheap
(it is linear in the pairs) and makes the result equal to a full re-run on the same
records: the stored pairs are exactly the pairs a full comparison finds, and the
classification (whose match probabilities depend on the whole register) and the
clustering see the same input. ``link(full=True)`` recomputes every pair from scratch;
tests assert both give the same persons.

Clustering merges match edges from the strongest down, with the reporters' answers on
top: a "same person" answer is an edge stronger than any score, a "different persons"
answer a constraint no merge may break, "unknown" leaves the pair to its score. Under
the schema's ``one_per_submission`` clustering two records of one submission are never
one person unless a reporter answered that they are.

Person ids are stable: a new cluster keeps the id most of its records already had
(ties: the smallest id); merges keep one id and end the others, splits keep the id for
the largest part; each is recorded (``person_events``) with its reason. A new person's
id derives from its smallest record key, so a full re-run in a fresh registry gives the
same ids as long as no merge or split history intervened.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.classify import REVIEW, candidate_floor, classify_pairs
from linkage.compare import dice_cross, dice_upper_triangle
from linkage.estimate import CountModel, default_count_model
from linkage.records import RegistryRecords, ScoredPairs
from linkage.registry._store import Registry, RegistryError, _iso, append_audit
from linkage.schema import Schema

__all__ = ["ActiveRecords", "LinkResult", "Partition", "cluster_with_answers", "link", "load_active", "partition"]

ANSWERS = ("same", "different", "unknown")


@dataclass(frozen=True)
class ActiveRecords:
    """The records a link or a count works on, sorted by (reporter, record id), with their stored pairs."""

    ids: npt.NDArray[np.int64]  # store row ids
    records: RegistryRecords
    year: npt.NDArray[np.int64]
    linked: npt.NDArray[np.bool_]
    person_id: list[str | None]
    pairs: ScoredPairs  # indices into the arrays above

    def __len__(self) -> int:
        return len(self.records)


@dataclass(frozen=True)
class Partition:
    """Persons as labels over :class:`ActiveRecords` (labels are the smallest member index)."""

    labels: npt.NDArray[np.int64]
    review: list[tuple[int, int, str]]  # pairs for query-back: (i, j, reason)
    matches: int


@dataclass(frozen=True)
class LinkResult:
    run: int
    mode: str
    records: int
    new_records: int
    pairs_added: int
    persons: int
    events: Mapping[str, int]
    queryback: Mapping[str, pd.DataFrame] = field(repr=False, default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "mode": self.mode, "records": self.records, "new_records": self.new_records,
                "pairs_added": self.pairs_added, "persons": self.persons, "events": dict(self.events),
                "queryback": {r: int(len(df)) for r, df in self.queryback.items()}}


def _model(schema: Schema) -> CountModel | None:
    return default_count_model(schema) if schema.threshold_method == "posterior" else None


def load_active(tx: Any, schema: Schema, *, epoch: int | None, as_of: str | None = None) -> ActiveRecords:
    """Active records (or, ``as_of`` an ISO time, those active then that the registry still holds)."""
    words = schema.words
    if as_of is None:
        where = "s.status='active'"
        params: list[Any] = []
    else:
        where = "s.ingested_at <= ? AND (s.ended_at IS NULL OR s.ended_at > ? OR s.status='active')"
        params = [as_of, as_of]
    if epoch is not None:
        where += " AND r.epoch=?"
        params.append(epoch)
    rows = tx.all(
        "SELECT r.id, r.reporter_id, r.record_id, r.submission_id, r.presence, r.filter, r.year, r.linked, "
        f"r.person_id FROM records r JOIN submissions s USING (submission_id) WHERE {where} "
        "ORDER BY r.reporter_id, r.record_id, r.id", params)
    n = len(rows)
    filters = (np.frombuffer(b"".join(bytes(r[5]) for r in rows), dtype="<u8").reshape(n, words).astype(np.uint64)
               if n else np.zeros((0, words), np.uint64))
    ids = np.array([int(r[0]) for r in rows], dtype=np.int64)
    recs = RegistryRecords(
        reporter=np.array([r[1] for r in rows], dtype=str) if n else np.zeros(0, "<U1"),
        record_id=np.array([r[2] for r in rows], dtype="<U32"),
        submission_id=np.array([r[3] for r in rows], dtype="<U32"),
        presence=np.array([r[4] for r in rows], dtype=np.uint16),
        filters=filters,
    )
    index = {int(i): k for k, i in enumerate(ids.tolist())}
    pair_rows = tx.all(
        "SELECT p.a, p.b, p.score FROM pairs p JOIN records ra ON ra.id = p.a JOIN records rb ON rb.id = p.b "
        "JOIN submissions sa ON sa.submission_id = ra.submission_id "
        "JOIN submissions sb ON sb.submission_id = rb.submission_id "
        + ("WHERE sa.status='active' AND sb.status='active'" if as_of is None else
           "WHERE sa.ingested_at <= ? AND sb.ingested_at <= ? "
           "AND (sa.ended_at IS NULL OR sa.ended_at > ? OR sa.status='active') "
           "AND (sb.ended_at IS NULL OR sb.ended_at > ? OR sb.status='active')"),
        [] if as_of is None else [as_of, as_of, as_of, as_of])
    left, right, score = [], [], []
    for a, b, s in pair_rows:
        ia, ib = index.get(int(a)), index.get(int(b))
        if ia is None or ib is None:
            continue
        left.append(min(ia, ib))
        right.append(max(ia, ib))
        score.append(float(s))
    order = np.lexsort((np.array(right, dtype=np.int64), np.array(left, dtype=np.int64)))
    pairs = ScoredPairs(np.array(left, dtype=np.int64)[order], np.array(right, dtype=np.int64)[order],
                        np.array(score, dtype=np.float64)[order])
    return ActiveRecords(ids, recs, np.array([int(r[6]) for r in rows], dtype=np.int64),
                         np.array([bool(r[7]) for r in rows], dtype=bool), [r[8] for r in rows], pairs)


def load_answers(tx: Any) -> list[tuple[str, str, str, str, str]]:
    return [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in tx.all(
        "SELECT a_reporter, a_record, b_reporter, b_record, answer FROM answers ORDER BY id")]


def cluster_with_answers(
    n: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], strength: npt.NDArray[np.float64],
    groups: npt.NDArray[np.int64] | None, same: Sequence[tuple[int, int]], different: Sequence[tuple[int, int]],
) -> npt.NDArray[np.int64]:
    """Merge edges from the strongest down; "same" answers first, "different" answers never broken.

    ``groups`` (one per submission) are kept apart unless an answer joins them.
    Labels are the smallest member index.
    """
    parent = list(range(n))
    members: dict[int, set[int]] = {i: {i} for i in range(n)}
    group_sets: dict[int, set[int]] = {i: {int(groups[i])} for i in range(n)} if groups is not None else {}
    apart: dict[int, set[int]] = {}
    for a, b in different:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def forbidden(a: int, b: int) -> bool:
        small, big = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        return any(apart.get(x, set()) & members[big] for x in members[small] if x in apart)

    def union(a: int, b: int) -> None:
        if b < a:
            a, b = b, a
        parent[b] = a
        members[a] |= members.pop(b)
        if groups is not None:
            group_sets[a] |= group_sets.pop(b)

    for a0, b0 in sorted(same):
        a, b = find(a0), find(b0)
        if a != b and not forbidden(a, b):
            union(a, b)
    order = np.lexsort((right, left, -np.asarray(strength)))
    for k in order.tolist():
        a, b = find(int(left[k])), find(int(right[k]))
        if a == b or forbidden(a, b):
            continue
        if groups is not None and group_sets[a] & group_sets[b]:
            continue
        union(a, b)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def partition(active: ActiveRecords, schema: Schema, answers: Sequence[tuple[str, str, str, str, str]],
              model: CountModel | None = None) -> Partition:
    """Classify the stored pairs and cluster them into persons, respecting the answers."""
    recs = active.records
    n = len(recs)
    if n == 0:
        return Partition(np.zeros(0, np.int64), [], 0)
    model = model if model is not None else _model(schema)
    decided = classify_pairs(active.pairs, recs, schema, count_model=model)
    left, right = decided.pairs.left, decided.pairs.right
    is_match = decided.is_match
    key_index = {k: i for i, k in enumerate(recs.keys())}
    same: list[tuple[int, int]] = []
    different: list[tuple[int, int]] = []
    answered: set[tuple[int, int]] = set()
    for ar, arec, br, brec, ans in answers:
        ia, ib = key_index.get(f"{ar}/{arec}"), key_index.get(f"{br}/{brec}")
        if ia is None or ib is None:
            continue
        pair = (min(ia, ib), max(ia, ib))
        answered.add(pair)
        if ans == "same":
            same.append(pair)
        elif ans == "different":
            different.append(pair)
    groups = (np.unique(recs.submission_id, return_inverse=True)[1].astype(np.int64)
              if schema.clustering == "one_per_submission" else None)
    labels = cluster_with_answers(n, left[is_match], right[is_match], decided.strength[is_match], groups,
                                  same, different)
    rev = decided.is_review & (labels[left] != labels[right])
    reason = np.where(decided.by_score == REVIEW, "ambiguous",
                      np.where(decided.same_submission, "same_submission", "few_shared_fields"))
    review = [(int(a), int(b), str(w)) for a, b, w in zip(left[rev].tolist(), right[rev].tolist(),
                                                           reason[rev].tolist(), strict=True)
              if (int(a), int(b)) not in answered]
    return Partition(labels, review, int(np.count_nonzero(is_match)))


def _new_person_id(key: str, taken: set[str]) -> str:
    salt = 0
    while True:
        text = key if salt == 0 else f"{key}#{salt}"
        pid = "P" + hashlib.sha256(b"linkage/person/v1\x00" + text.encode("utf-8")).hexdigest()[:15]
        if pid not in taken:
            return pid
        salt += 1


def assign_ids(labels: npt.NDArray[np.int64], keys: Sequence[str], previous: Sequence[str | None],
               taken: set[str], seniority: Sequence[int]) -> tuple[list[str], list[tuple[str, str, list[str], str]]]:
    """Stable ids for the clusters in ``labels``; returns the ids and events (kind, id, others, why).

    Larger clusters choose first; between equal sizes, the one holding the record the
    registry has held longest (smallest ``seniority``): when a person splits in two
    halves, the half with its first record keeps the id.
    """
    comps: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        comps.setdefault(lab, []).append(i)
    order = sorted(comps, key=lambda c: (-len(comps[c]), min(seniority[i] for i in comps[c])))
    used: set[str] = set()
    ids: dict[int, str] = {}
    events: list[tuple[str, str, list[str], str]] = []
    for c in order:
        prev = Counter(p for i in comps[c] if (p := previous[i]) is not None)
        keep = None
        for pid, _ in sorted(prev.items(), key=lambda kv: (-kv[1], kv[0])):
            if pid not in used:
                keep = pid
                break
        if keep is None:
            keep = _new_person_id(min(keys[i] for i in comps[c]), taken | used)
            if not prev:
                events.append(("new", keep, [], "new record(s)"))
        used.add(keep)
        ids[c] = keep
        others = sorted(set(prev) - {keep})
        if others:
            events.append(("merge", keep, others, ""))
    # splits: an earlier id whose records now sit in more than one cluster
    where: dict[str, set[str]] = {}
    for i, lab in enumerate(labels.tolist()):
        p = previous[i]
        if p is not None:
            where.setdefault(p, set()).add(ids[lab])
    for p, now in sorted(where.items()):
        if len(now) > 1:
            events.append(("split", p, sorted(now - {p}), ""))
    return [ids[lab] for lab in labels.tolist()], events


def _why(kind: str, pid: str, others: list[str], labels: npt.NDArray[np.int64], ids: list[str],
         previous: Sequence[str | None], new: npt.NDArray[np.bool_], answered_same: set[str],
         answered_diff: set[str], lost: set[str]) -> str:
    if kind == "merge":
        if pid in answered_same or any(o in answered_same for o in others):
            return "a reporter answered: same person"
        members = [i for i, x in enumerate(ids) if x == pid]
        if any(new[i] for i in members):
            return "new record(s) linked them"
        return "re-classified with the register's new match probabilities"
    if kind == "split":
        if pid in answered_diff:
            return "a reporter answered: different persons"
        if pid in lost:
            return "record(s) withdrawn, replaced or expired"
        return "re-classified with the register's new match probabilities"
    return "new record(s)"


def link(registry: Registry, *, actor: str | None = None, full: bool = False,
         count_model: CountModel | None = None, attempts: int = 3) -> LinkResult:
    """Link the records not yet linked (``full``: recompare everything) and update the persons, in one transaction."""
    schema = registry.schema
    model = count_model if count_model is not None else _model(schema)
    if model is not None:
        model.check(schema)
    floor = candidate_floor(schema, model)
    for _ in range(attempts):
        with registry.db.read() as tx:
            head = tx.one("SELECT seq FROM audit ORDER BY seq DESC LIMIT 1")
            cur = tx.one("SELECT epoch FROM epochs ORDER BY epoch DESC LIMIT 1")
            epoch = None if cur is None else int(cur[0])
            active = load_active(tx, schema, epoch=epoch)
            answers = load_answers(tx)
            taken = {str(r[0]) for r in tx.all("SELECT person_id FROM persons")}
            # persons of this epoch (records of an earlier epoch wait for their re-send: not ended)
            prev_owner = {str(r[0]) for r in tx.all(
                "SELECT DISTINCT person_id FROM records WHERE person_id IS NOT NULL AND epoch=?",
                (-1 if epoch is None else epoch,))}
            # persons that lost records since the last link (ended submissions; withdrawals are logged in persons)
            lost = {str(r[0]) for r in tx.all(
                "SELECT DISTINCT r.person_id FROM records r JOIN submissions s USING (submission_id) "
                "WHERE s.status<>'active' AND r.person_id IS NOT NULL AND r.epoch=?",
                (-1 if epoch is None else epoch,))}
            last_run = int(tx.scalar("SELECT value FROM meta WHERE name='link_run'"))
            lost |= {str(r[0]) for r in tx.all("SELECT person_id FROM person_events WHERE kind='record_removed' "
                                                 "AND link_run=?", (last_run,))}
        recs = active.records
        n = len(recs)
        new = ~active.linked if not full else np.ones(n, dtype=bool)
        new_idx = np.flatnonzero(~active.linked)
        # Compare: new with new, new with held (full: everything).
        f = recs.filters
        if full:
            li, ri, sc = dice_upper_triangle(f, floor)
            added = ScoredPairs(np.asarray(li, np.int64), np.asarray(ri, np.int64), np.asarray(sc, np.float64))
        else:
            old_idx = np.flatnonzero(active.linked)
            parts = []
            if len(new_idx):
                a, b, s = dice_upper_triangle(f[new_idx], floor)
                parts.append(ScoredPairs(new_idx[a], new_idx[b], np.asarray(s, np.float64)))
                if len(old_idx):
                    a, b, s = dice_cross(f[new_idx], f[old_idx], floor)
                    x, y = new_idx[a], old_idx[b]
                    parts.append(ScoredPairs(np.minimum(x, y), np.maximum(x, y), np.asarray(s, np.float64)))
            added = ScoredPairs.concat(parts)
        if full:
            pairs = added
        else:
            pairs = ScoredPairs.concat([active.pairs, added])
        order = np.lexsort((pairs.right, pairs.left))
        pairs = ScoredPairs(pairs.left[order], pairs.right[order], pairs.score[order])
        act = ActiveRecords(active.ids, recs, active.year, active.linked, active.person_id, pairs)
        part = partition(act, schema, answers, model)
        keys = recs.keys()
        ids, events = assign_ids(part.labels, keys, active.person_id, taken, active.ids.tolist())
        key_index = {k: i for i, k in enumerate(keys)}
        answered_same: set[str] = set()
        answered_diff: set[str] = set()
        for ar, arec, br, brec, ans in answers:
            for k in (f"{ar}/{arec}", f"{br}/{brec}"):
                i = key_index.get(k)
                if i is None:
                    continue
                for p in (active.person_id[i], ids[i]):
                    if p is not None:
                        (answered_same if ans == "same" else answered_diff if ans == "different" else set()).add(p)
        kept_ids = set(ids)
        ended = sorted(p for p in prev_owner if p not in kept_ids)
        # The write: only if nothing changed since the snapshot.
        with registry.db.write() as tx:
            now_head = tx.one("SELECT seq FROM audit ORDER BY seq DESC LIMIT 1")
            if now_head != head:
                continue
            run = int(tx.scalar("SELECT value FROM meta WHERE name='link_run'")) + 1
            tx.run("UPDATE meta SET value=? WHERE name='link_run'", (str(run),))
            at = _iso(None)
            if full:
                tx.run("DELETE FROM pairs WHERE a IN (SELECT r.id FROM records r JOIN submissions s "
                       "USING (submission_id) WHERE s.status='active')")
            tx.many("INSERT INTO pairs (a, b, score) VALUES (?, ?, ?)",
                    [(int(active.ids[a]), int(active.ids[b]), float(s)) for a, b, s in
                     zip(added.left.tolist(), added.right.tolist(), added.score.tolist(), strict=True)])
            changed = [(ids[i], int(active.ids[i])) for i in range(n)
                       if ids[i] != active.person_id[i] or not active.linked[i]]
            tx.many("UPDATE records SET person_id=?, linked=1 WHERE id=?", changed)
            # records of ended submissions no longer belong to a current person
            tx.run("UPDATE records SET person_id=NULL WHERE person_id IS NOT NULL AND epoch=? AND submission_id IN "
                   "(SELECT submission_id FROM submissions WHERE status<>'active')", (-1 if epoch is None else epoch,))
            fresh = sorted(set(ids) - taken)
            tx.many("INSERT INTO persons (person_id, created_at, ended_at) VALUES (?, ?, NULL)",
                    [(p, at) for p in fresh])
            tx.many("UPDATE persons SET ended_at=? WHERE person_id=?", [(at, p) for p in ended])
            tally: Counter[str] = Counter()
            rows = []
            for kind, pid, others, _ in events:
                why = _why(kind, pid, others, part.labels, ids, active.person_id, new, answered_same,
                           answered_diff, lost)
                rows.append((run, at, kind, pid, json.dumps(others), why))
                tally[kind] += 1
            for p in ended:
                if not any(p in json.loads(r[4]) for r in rows if r[2] == "merge"):
                    rows.append((run, at, "ended", p, "[]", "its records were withdrawn, replaced or expired"))
                    tally["ended"] += 1
            tx.many("INSERT INTO person_events (link_run, at, kind, person_id, others, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows)
            persons = len(set(ids))
            tx.run("INSERT INTO link_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (run, at, "full" if full else "incremental", n, int(len(new_idx)), len(added), persons))
            append_audit(tx, actor, "link", {
                "run": run, "mode": "full" if full else "incremental", "epoch": epoch, "records": n,
                "new_records": int(len(new_idx)), "pairs_added": len(added), "matches": part.matches,
                "persons": persons, "events": dict(tally), "answers_used": len(answers)})
        qb = _queryback(recs, part)
        return LinkResult(run, "full" if full else "incremental", n, int(len(new_idx)), len(added), persons,
                          dict(tally), qb)
    raise RegistryError("the registry kept changing while linking; run link again")


def _queryback(recs: RegistryRecords, part: Partition) -> dict[str, pd.DataFrame]:
    cols = ["record_id", "other_reporter", "other_record_id", "reason"]
    rows: list[tuple[str, str, str, str, str]] = []
    rep, rid = recs.reporter, recs.record_id
    for a, b, why in part.review:
        rows.append((str(rep[a]), str(rid[a]), str(rep[b]), str(rid[b]), why))
        rows.append((str(rep[b]), str(rid[b]), str(rep[a]), str(rid[a]), why))
    df = pd.DataFrame(rows, columns=["reporter", *cols])
    return {r: df[df["reporter"] == r][cols].sort_values(cols, kind="stable", ignore_index=True)
            for r in sorted(set(rep.tolist()))}


def persons_table(registry: Registry) -> pd.DataFrame:
    """Current persons: ``person_id``, ``reporter``, ``record_id`` of every active linked record."""
    with registry.db.read() as tx:
        rows = tx.all("SELECT r.person_id, r.reporter_id, r.record_id FROM records r JOIN submissions s "
                      "USING (submission_id) WHERE s.status='active' AND r.linked=1 "
                      "ORDER BY r.person_id, r.reporter_id, r.record_id")
    return pd.DataFrame(rows, columns=["person_id", "reporter", "record_id"])


def person_events(registry: Registry) -> pd.DataFrame:
    with registry.db.read() as tx:
        rows = tx.all("SELECT link_run, at, kind, person_id, others, reason FROM person_events ORDER BY id")
    return pd.DataFrame(rows, columns=["link_run", "at", "kind", "person_id", "others", "reason"])
