"""The registry side of the data path (takes no key, cannot take one)::

    submissions -> verify -> store -> block -> compare -> classify -> cluster -> estimate -> outputs
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import logging
import platform
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from linkage.block import AllPairs, Blocking, all_pairs_ranges, default_blocking, pair_count, reduction_ratio
from linkage.classify import (
    MATCH,
    NON_MATCH,
    REVIEW,
    Decisions,
    candidate_floor,
    classify_pairs,
    same_submission_policy,
)
from linkage.cluster import connected_components, constrained_components, person_ids
from linkage.compare import (
    BlockedStats,
    dice_block_pass,
    dice_upper_triangle,
    iter_dice_blocked,
    iter_dice_upper_triangle,
    mark_blocks,
    popcount,
)
from linkage.errors import LinkageError, MismatchError, StoreError
from linkage.estimate import (
    CountEstimate,
    CountModel,
    PairEvidence,
    ValidationFrame,
    ValidationSample,
    calibrate_with_answers,
    default_count_model,
    estimate_periods,
    estimate_unique_persons,
    evidence_floor,
    match_probabilities,
    pair_totals,
)
from linkage.execution import Executor, LocalExecutor, executor_workers, imap_shared
from linkage.outputs import (
    QUERYBACK_COLUMNS,
    DedupSummary,
    PairCounts,
    ReporterCounts,
    ThresholdsUsed,
    write_outputs,
)
from linkage.records import RegistryRecords, ScoredPairs
from linkage.schema import Schema
from linkage.store import SQLiteStore
from linkage.submission import read_submission

Progress = Callable[[str, int, int], None]

log = logging.getLogger("linkage")

#: Bytes of compared pairs a dedup run keeps in memory before it spills them to a private temporary file.
SPILL_BUDGET = 256 << 20


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# ---------------------------------------------------------------------------
# Registry side


@dataclass(frozen=True)
class DedupResult:
    """What a dedup run produces. No scores leave through ``persons`` or ``queryback``."""

    persons: pd.DataFrame
    queryback: Mapping[str, pd.DataFrame]
    summary: DedupSummary
    pairs: pd.DataFrame = field(repr=False)  # registry-internal: left/right index, score, decision
    blocking: Mapping[str, Any] = field(default_factory=dict)  # what the blocking was and did (no record data)


def dedup_records(
    records: RegistryRecords,
    schema: Schema,
    *,
    executor: Executor | None = None,
    progress: Progress = _no_progress,
    count_model: CountModel | None = None,
    estimate_options: Mapping[str, Any] | None = None,
    blocking: Blocking | str = "auto",
    same_submission: str = "auto",
    validation_size: int = 0,
    validation_seed: int = 0,
    answers: Mapping[tuple[tuple[str, str], tuple[str, str]], str] | None = None,
    periods: Sequence[str] | None = None,
) -> DedupResult:
    """Block, compare, classify and cluster the registry's records into persons.

    ``validation_size`` pairs (with a count model) are drawn as a validation
    sample (:func:`linkage.estimate.validation_sample`, seeded by
    ``validation_seed``) and added to the query-back lists (reason
    ``validation``). ``answers`` (from :func:`read_answers`: a pair of
    ``(reporter, record_id)`` keys -> ``same`` / ``different`` / ``unknown``)
    fix those pairs' decisions (same: one person; different: never linked
    directly), and answers to the sample correct the estimate
    (:func:`linkage.estimate.calibrate_with_answers`). ``periods`` (one label
    per record, e.g. its report year) with a count model and two or more
    periods add ``summary.periods`` (:func:`linkage.estimate.estimate_periods`).

    ``blocking`` says which pairs are compared: ``"auto"``
    (:func:`linkage.block.default_blocking`: all pairs up to 50,000 records,
    Hamming LSH above), ``"none"`` (all pairs), ``"lsh"`` (the default
    :class:`linkage.block.HammingLSH`) or a :class:`linkage.block.Blocking`.
    Under a blocking the classification and the estimate weight each compared
    pair by the inverse of the chance that the blocking compares it, so pairs it
    never compared are not taken for chance non-matches. ``result.blocking``
    says what it did (pairs compared, reduction ratio, skipped giant blocks).

    With a count model (``count_model``, or for a schema whose thresholds method is
    ``posterior`` the bundled :func:`linkage.estimate.default_count_model`) the
    summary also holds ``estimate``: the true number of unique persons corrected
    for chance pairs and missed links, with a 95% interval
    (:func:`linkage.estimate.estimate_unique_persons`). Under ``posterior`` pairs
    are classified on their probability of being one person
    (:func:`linkage.estimate.match_probabilities`). ``estimate_options`` (``level``,
    ``draws``, ``seed``) go to the estimate. ``same_submission`` (``auto``,
    ``match``, ``review``) is the run's same-submission rule
    (:func:`linkage.classify.same_submission_policy`): by default a run over one
    source matches pairs inside a submission (a single file is a batch dedup job).
    """
    if schema.threshold_method == "posterior" and count_model is None:
        count_model = default_count_model(schema)
    if count_model is not None:
        count_model.check(schema)
    ex = executor or LocalExecutor()
    n = len(records)
    if records.filters.shape[1] != schema.words and n:
        raise MismatchError("stored filters do not have the schema's filter length")
    filters = np.ascontiguousarray(records.filters, dtype=np.uint64)
    popcounts = popcount(filters)
    floor = candidate_floor(schema, count_model)
    if count_model is not None:  # the estimate counts pairs down to its own floor, from the same pass
        floor = min(floor, evidence_floor(count_model))
    candidates = _Candidates(records, filters, popcounts, floor, _blocking(blocking, n), ex, progress)
    frame = ValidationFrame(validation_size, validation_seed) if count_model is not None and validation_size else None
    decided, evidence = _classify_stream(candidates, records, schema, count_model, same_submission, frame)
    block_report = candidates.report
    totals = candidates.totals
    left, right = decided.pairs.left, decided.pairs.right
    decision = decided.decision.copy()
    answered = _answer_index(records, answers or {})
    extra_l, extra_r = _apply_answers(left, right, decision, answered)
    is_match = decision == MATCH
    link_l = np.concatenate([left[is_match], extra_l])
    link_r = np.concatenate([right[is_match], extra_r])
    if schema.clustering == "one_per_submission":
        groups = np.unique(records.submission_id, return_inverse=True)[1].astype(np.int64)
        strength = np.concatenate([decided.strength[is_match], np.ones(len(extra_l))])
        labels = constrained_components(n, link_l, link_r, strength, groups)
    else:
        labels = connected_components(n, link_l, link_r)
    keys = records.keys()
    pids = person_ids(labels, keys)
    persons = pd.DataFrame(
        {"person_id": pids, "reporter": records.reporter.tolist(), "record_id": records.record_id.tolist()}
    ).sort_values(["person_id", "reporter", "record_id"], kind="stable", ignore_index=True)

    # Query-back: pairs in the review band whose records are not already one person.
    # The reason says why without a score: an ambiguous score, too few shared
    # fields for a match on its own, or two records of one submission.
    rev = (decision == REVIEW) & (labels[left] != labels[right])
    reason = np.where(
        decided.by_score == REVIEW, "ambiguous",
        np.where(decided.same_submission, "same_submission", "few_shared_fields"),
    )
    rows: list[tuple[str, str, str, str, str]] = []
    rep = records.reporter
    rid = records.record_id
    listed: set[tuple[int, int]] = set()
    for a, b, why in zip(left[rev].tolist(), right[rev].tolist(), reason[rev].tolist(), strict=True):
        if (a, b) in answered:
            continue
        listed.add((a, b))
        rows.append((str(rep[a]), str(rid[a]), str(rep[b]), str(rid[b]), why))
        rows.append((str(rep[b]), str(rid[b]), str(rep[a]), str(rid[a]), why))
    sample: ValidationSample | None = None
    if frame is not None:
        sample = frame.sample(validation_size) if frame is not None else None
        for a, b in zip(sample.left.tolist(), sample.right.tolist(), strict=True):
            if (a, b) in listed or (a, b) in answered:
                continue
            rows.append((str(rep[a]), str(rid[a]), str(rep[b]), str(rid[b]), "validation"))
            rows.append((str(rep[b]), str(rid[b]), str(rep[a]), str(rid[a]), "validation"))
    qb = pd.DataFrame(rows, columns=["reporter", *QUERYBACK_COLUMNS])
    reporters = sorted(set(rep.tolist()))
    queryback = {
        r: qb[qb["reporter"] == r][QUERYBACK_COLUMNS]
        .sort_values(QUERYBACK_COLUMNS, kind="stable", ignore_index=True)
        for r in reporters
    }

    pairs = pd.DataFrame({"left": left, "right": right, "score": decided.pairs.score, "decision": decision})
    if decided.probability is not None:
        pairs["probability"] = decided.probability
    choice = decided.thresholds
    estimate: CountEstimate | None = None
    if count_model is not None:
        progress("estimate", 0, 1)
        found = int(persons["person_id"].nunique())
        estimate = estimate_unique_persons(
            records.filters, records.presence, count_model, found=found, evidence=evidence, totals=totals,
            labels=labels, **dict(estimate_options or {}),
        )
        if sample is not None:
            estimate = calibrate_with_answers(estimate, sample, answered) if answered else dataclasses.replace(
                estimate, answers={"sample": len(sample), "answered": 0, "applied": False, "seed": validation_seed})
        progress("estimate", 1, 1)
    summary = summarise(persons, records, decision, ThresholdsUsed(choice.method, choice.match, choice.review),
                        estimate)
    if count_model is not None and periods is not None and estimate is not None:
        if len(periods) != n:
            raise LinkageError("periods must give one label per record")
        if len(set(periods)) >= 2:
            progress("periods", 0, 1)
            opts = dict(estimate_options or {})
            by_period = estimate_periods(records.filters, records.presence, list(periods), count_model,
                                         labels=labels, total=estimate, level=float(opts.get("level", 0.95)),
                                         seed=int(opts.get("seed", 0)))
            summary = dataclasses.replace(summary, periods=by_period)
            progress("periods", 1, 1)
    log.info(
        "dedup: %d records, %d pairs compared (%s), %d matches, %d for review, %d persons",
        n, block_report["compared"], block_report["description"], int(np.count_nonzero(is_match)),
        int(np.count_nonzero(rev)), summary.unique_persons,
    )
    return DedupResult(persons=persons, queryback=queryback, summary=summary, pairs=pairs, blocking=block_report)


def period_label(period: Mapping[str, str] | None) -> str | None:
    """A submission header's reporting period as a label: ``2022`` for a calendar year, else ``start..end``."""
    if not period:
        return None
    start, end = str(period["start"]), str(period["end"])
    if start[4:] == "-01-01" and end[4:] == "-12-31" and start[:4] == end[:4]:
        return start[:4]
    return f"{start}..{end}"


def _record_periods(records: RegistryRecords, subs: Sequence[Any]) -> list[str] | None:
    """Each record's reporting period from its submission's signed header (None unless every record has one)."""
    by_sub = {s.header.submission_id: period_label(getattr(s.header, "period", None)) for s in subs}
    labels = [by_sub.get(str(x)) for x in records.submission_id.tolist()]
    if not labels or any(v is None for v in labels):
        if any(v is not None for v in labels):
            log.info("periods: some stored submissions carry no reporting period; no per-period counts")
        return None
    return [str(v) for v in labels]


def _answer_index(
    records: RegistryRecords, answers: Mapping[tuple[tuple[str, str], tuple[str, str]], str]
) -> dict[tuple[int, int], str]:
    """Answers keyed by record index pairs (left < right); pairs naming records not held are skipped."""
    if not answers:
        return {}
    where = {(str(r), str(i)): k for k, (r, i) in enumerate(zip(records.reporter.tolist(),
                                                                records.record_id.tolist(), strict=True))}
    out: dict[tuple[int, int], str] = {}
    missing = 0
    for (ka, kb), v in answers.items():
        a, b = where.get(ka), where.get(kb)
        if a is None or b is None or a == b:
            missing += 1
            continue
        out[(min(a, b), max(a, b))] = v
    if missing:
        log.warning("answers: %d answered pair(s) name records this run does not hold; skipped", missing)
    return out


def _apply_answers(
    left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], decision: npt.NDArray[np.int8],
    answered: Mapping[tuple[int, int], str],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Fix answered pairs' decisions in place; return the 'same' pairs that were not among the decided ones."""
    if not answered:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    at = {(a, b): k for k, (a, b) in enumerate(zip(left.tolist(), right.tolist(), strict=True))}
    extra: list[tuple[int, int]] = []
    for pair, v in answered.items():
        k = at.get(pair)
        if v == "same":
            if k is None:
                extra.append(pair)
            else:
                decision[k] = MATCH
        elif v == "different" and k is not None:
            decision[k] = NON_MATCH
    ex = np.asarray(sorted(extra), dtype=np.int64).reshape(-1, 2)
    return ex[:, 0].copy(), ex[:, 1].copy()


def read_answers(paths: Sequence[str | Path]) -> dict[tuple[tuple[str, str], tuple[str, str]], str]:
    """Reporters' answers: one CSV per reporter, the query-back list's columns and ``answer``.

    Columns ``record_id``, ``other_reporter``, ``other_record_id`` and ``answer``
    (``same``, ``different`` or ``unknown``; ``reason`` and other columns are
    ignored). The answering reporter is the file's ``reporter`` column if it
    has one, else its name without ``.csv`` (as the query-back files are
    named). Two reporters answering one pair differently make it ``unknown``.
    Errors name the file, row and column, never a value.
    """
    from linkage.estimate import ANSWERS

    out: dict[tuple[tuple[str, str], tuple[str, str]], str] = {}
    conflicts = 0
    for path in (Path(p) for p in paths):
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise LinkageError(f"answers file {path.name!r} does not exist") from None
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise LinkageError(f"cannot read answers file {path.name!r} ({type(exc).__name__})") from None
        need = ["record_id", "other_reporter", "other_record_id", "answer"]
        lacking = [c for c in need if c not in df.columns]
        if lacking:
            raise LinkageError(f"answers file {path.name!r} lacks column(s) {', '.join(lacking)}")
        for i, row in enumerate(df.to_dict("records")):
            line = i + 2
            reporter = str(row.get("reporter") or path.stem).strip()
            answer = str(row["answer"]).strip().lower()
            if answer not in ANSWERS:
                raise LinkageError(f"answers file {path.name!r}, row {line}, column 'answer': expected one of "
                                   f"{', '.join(ANSWERS)}")
            for col in ("record_id", "other_reporter", "other_record_id"):
                if not str(row[col]).strip():
                    raise LinkageError(f"answers file {path.name!r}, row {line}, column {col!r}: empty")
            a = (reporter, str(row["record_id"]).strip())
            b = (str(row["other_reporter"]).strip(), str(row["other_record_id"]).strip())
            key = (min(a, b), max(a, b))
            prev = out.get(key)
            if prev is not None and prev != answer and "unknown" not in (prev, answer):
                conflicts += 1
                out[key] = "unknown"
            elif prev is None or prev == "unknown":
                out[key] = answer
    if conflicts:
        log.warning("answers: %d pair(s) answered 'same' by one reporter and 'different' by another; "
                    "taken as unknown", conflicts)
    return out


def _blocking(blocking: Blocking | str, n: int) -> Blocking:
    if isinstance(blocking, Blocking):
        return blocking
    if blocking == "auto":
        return default_blocking(n)
    if blocking == "none":
        return AllPairs()
    if blocking == "lsh":
        from linkage.block import HammingLSH

        return HammingLSH()
    raise LinkageError(f"unknown blocking {blocking!r}; expected 'auto', 'none', 'lsh' or a Blocking")


class _Candidates:
    """The compared pairs of a run, streamed: ``(pairs, weights)`` chunks, each pair once.

    All pairs come from the pruned triangle kernel in blocks (in process) or in
    row ranges on the executor; under a blocking, one chunk per pass, each pair
    weighted by the inverse of the chance that the blocking compares it.
    ``totals`` (pairs per presence stratum the blocking could compare; None: all)
    is known up front, ``report`` once the chunks are consumed.
    """

    def __init__(self, records: RegistryRecords, filters: npt.NDArray[np.uint64],
                 popcounts: npt.NDArray[np.int64], floor: float, blocking: Blocking, ex: Executor,
                 progress: Progress) -> None:
        self.records, self.filters, self.popcounts, self.floor = records, filters, popcounts, floor
        self.blocking, self.ex, self.progress = blocking, ex, progress
        n = len(records)
        self.report: dict[str, Any] = {**blocking.to_json(), "pairs": pair_count(n), "compared": pair_count(n),
                                       "reduction_ratio": 0.0, "skipped_blocks": 0, "skipped_pairs": 0}
        self.plan = None if blocking.all_pairs else blocking.plan(records, min_score=floor)
        self.totals: dict[int, int] | None = None
        groups = None if self.plan is None else self.plan.scope_groups()
        if groups is not None:
            self.totals = {}
            for g in np.unique(groups).tolist():
                for key, v in pair_totals(records.presence[groups == g]).items():
                    self.totals[key] = self.totals.get(key, 0) + v

    def __iter__(self) -> Iterator[tuple[ScoredPairs, npt.NDArray[np.float64] | None]]:
        n = len(self.records)
        local = isinstance(self.ex, LocalExecutor)
        threads = executor_workers(self.ex) if local else 1
        if self.plan is None:
            total = pair_count(n)
            self.progress("compare", 0, total)
            if local:
                for part in iter_dice_upper_triangle(self.filters, self.floor, threads=threads):
                    yield ScoredPairs(*part), None
            else:
                per = max(2_000_000, -(-total // (16 * executor_workers(self.ex))))
                ranges = all_pairs_ranges(n, per)
                done = 0
                for (a, b), part in zip(ranges, imap_shared(self.ex, _triangle_rows, ranges, filters=self.filters,
                                                            popcounts=self.popcounts, min_score=np.float64(self.floor)),
                                        strict=True):
                    done += (b - a) * (n - a) - (b - a) * (b - a + 1) // 2
                    self.progress("compare", done, total)
                    yield ScoredPairs(*part), None
            self.progress("compare", total, total)
            return
        plan = self.plan
        stats = BlockedStats()
        passes = plan.band.shape[1]
        self.progress("compare", 0, passes)
        if local:
            chunks: Iterator[tuple[Any, ...]] = iter_dice_blocked(
                self.filters, plan.band, plan.group, plan.keyset, self.floor, active=plan.active,
                max_block=self.blocking.max_block, threads=threads, stats=stats, inplace=True)
        else:
            marked = mark_blocks(plan.band, plan.group, plan.keyset, plan.active, self.blocking.max_block,
                                 stats=stats, inplace=True)
            chunks = self._counted(imap_shared(
                self.ex, _block_pass, range(passes), filters=self.filters, band=marked, group=plan.group,
                keyset=plan.keyset, active=plan.active, popcounts=self.popcounts, min_score=np.float64(self.floor)),
                stats)
        for k, part in enumerate(chunks):
            scored = ScoredPairs(*part)
            yield scored, self.weights(scored)
            self.progress("compare", k + 1, passes)
        if stats.skipped_blocks:
            log.warning("blocking: %d block(s) larger than %d records skipped in some pass (%d pairs not compared "
                        "there)", stats.skipped_blocks, self.blocking.max_block, stats.skipped_pairs)
        self.report.update(compared=stats.compared, reduction_ratio=round(reduction_ratio(stats.compared, n), 6),
                           skipped_blocks=stats.skipped_blocks, skipped_pairs=stats.skipped_pairs)

    def weights(self, scored: ScoredPairs) -> npt.NDArray[np.float64] | None:
        """Each pair's inverse chance of being compared (None without a blocking): a function of the pair."""
        if self.plan is None:
            return None
        pa, pb = self.popcounts[scored.left], self.popcounts[scored.right]
        inter = np.rint(scored.score * (pa + pb) / 2.0).astype(np.int64)
        prob = self.plan.inclusion_probability(scored.left, scored.right, pa + pb - 2 * inter)
        out: npt.NDArray[np.float64] = 1.0 / np.maximum(prob, 1e-12)
        return out

    @staticmethod
    def _counted(parts: Iterator[tuple[tuple[Any, ...], int]], stats: BlockedStats) -> Iterator[tuple[Any, ...]]:
        for pairs, compared in parts:
            stats.compared += compared
            stats.kept += len(pairs[0])
            yield pairs


def _triangle_rows(chunk: tuple[int, int], *, filters: npt.NDArray[np.uint64], popcounts: npt.NDArray[np.int64],
                   min_score: float) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """One executor task: the candidate pairs of rows ``chunk`` against every later row (one thread)."""
    return dice_upper_triangle(filters, float(min_score), start=chunk[0], stop=chunk[1], popcounts=popcounts,
                               threads=1)


def _block_pass(p: int, *, filters: npt.NDArray[np.uint64], band: npt.NDArray[np.uint32],
                group: npt.NDArray[np.int64], keyset: npt.NDArray[np.int64], active: npt.NDArray[np.int64],
                popcounts: npt.NDArray[np.int64], min_score: float) -> tuple[tuple[Any, ...], int]:
    """One executor task: the new candidate pairs of blocking pass ``p`` and the pairs it compared."""
    return dice_block_pass(filters, band, group, keyset, active, p, float(min_score), popcounts=popcounts)


class _Spill:
    """Compared pairs kept for the second look classification needs once every pair was counted.

    In memory up to ``budget`` bytes, then in ``.npz`` files of a private
    temporary directory (0700, removed on exit): registry-internal scores, never
    an output. Memory stays bounded by the budget plus one chunk. Spilled pairs
    keep 16 bytes each (record indices as uint32, the score); their weights are
    recomputed on the way back (``reweigh``), being a function of the pair.
    """

    def __init__(self, n_records: int, reweigh: Callable[[ScoredPairs], npt.NDArray[np.float64] | None],
                 budget: int | None = None) -> None:
        self.budget = SPILL_BUDGET if budget is None else budget
        self.reweigh = reweigh
        self.small = n_records < 2**32
        self.mem: list[tuple[ScoredPairs, npt.NDArray[np.float64] | None]] = []
        self.files: list[Path] = []
        self.held = 0
        self.tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()

    def add(self, pairs: ScoredPairs, weights: npt.NDArray[np.float64] | None) -> None:
        if not len(pairs):
            return
        size = len(pairs) * (32 if weights is not None else 24)
        if self.held + size <= self.budget:
            self.mem.append((pairs, weights))
            self.held += size
            return
        if self.tmp is None:
            self.tmp = tempfile.TemporaryDirectory(prefix="linkage-pairs-")
        path = Path(self.tmp.name) / f"{len(self.files)}.npz"
        idx = np.uint32 if self.small else np.int64
        np.savez(path, allow_pickle=False, left=pairs.left.astype(idx), right=pairs.right.astype(idx),
                 score=pairs.score)
        self.files.append(path)

    def __iter__(self) -> Iterator[tuple[ScoredPairs, npt.NDArray[np.float64] | None]]:
        batch: list[tuple[ScoredPairs, npt.NDArray[np.float64] | None]] = []
        size = 0
        for part in self.mem:  # small chunks are handed on in batches of a few million pairs
            batch.append(part)
            size += len(part[0])
            if size >= 4_000_000:
                yield _join(batch)
                batch, size = [], 0
        if batch:
            yield _join(batch)
        for path in self.files:
            with np.load(path) as z:
                pairs = ScoredPairs(z["left"].astype(np.int64), z["right"].astype(np.int64), z["score"])
            yield pairs, self.reweigh(pairs)

    def gather(self) -> tuple[ScoredPairs, npt.NDArray[np.float64] | None]:
        parts = list(self)
        return _join(parts) if parts else (ScoredPairs.empty(), None)


def _join(parts: list[tuple[ScoredPairs, npt.NDArray[np.float64] | None]]) -> tuple[
    ScoredPairs, npt.NDArray[np.float64] | None
]:
    if len(parts) == 1:
        return parts[0]
    weights = [w for _, w in parts if w is not None]
    return (ScoredPairs.concat([p for p, _ in parts]),
            np.concatenate(weights) if len(weights) == len(parts) else None)


def _classify_stream(
    candidates: _Candidates, records: RegistryRecords, schema: Schema, count_model: CountModel | None,
    same_submission: str, frame: ValidationFrame | None = None,
) -> tuple[Decisions, PairEvidence | None]:
    """Count every compared pair (the estimate's evidence), then classify them chunk by chunk.

    The count model's per-stratum evidence needs every pair before any can be
    classified; the pairs wait in a :class:`_Spill` meanwhile, so memory holds
    the counts, the spill budget and the pairs at or above the review band.
    ``valley`` picks its thresholds from all scores at once, so it classifies
    them together. With a validation ``frame``, every pair at or above the
    evidence floor goes into it with its match probability.
    """
    evidence = None if count_model is None else PairEvidence(records.presence, count_model)
    with _Spill(len(records), candidates.weights) as spill:
        for part, w in candidates:
            if evidence is not None:
                evidence.add(part, w)
            spill.add(part, w)
        posterior = schema.threshold_method == "posterior"

        def classify(part: ScoredPairs, w: npt.NDArray[np.float64] | None) -> Decisions:
            return classify_pairs(part, records, schema, count_model=count_model,
                                  weights=w if posterior else None, totals=candidates.totals,
                                  same_submission=same_submission, evidence=evidence if posterior else None)

        if frame is not None and count_model is not None:
            for p, w in spill:
                keep = p.score >= evidence_floor(count_model)
                part = p.select(keep)
                prob = match_probabilities(records.presence, part, count_model,
                                           weights=None if w is None else w[keep], totals=candidates.totals,
                                           evidence=evidence)
                frame.add(part.left, part.right, prob)
        if schema.threshold_method == "valley":
            decided = classify(*spill.gather())
        else:
            decided = _concat_decisions([classify(p, w) for p, w in spill] or [classify(ScoredPairs.empty(), None)])
    order = np.lexsort((decided.pairs.right, decided.pairs.left))
    return _take_decisions(decided, order), evidence


def _concat_decisions(parts: list[Decisions]) -> Decisions:
    if len(parts) == 1:
        return parts[0]
    return Decisions(
        ScoredPairs.concat([d.pairs for d in parts]),
        np.concatenate([d.strength for d in parts]),
        np.concatenate([d.by_score for d in parts]),
        np.concatenate([d.decision for d in parts]),
        np.concatenate([d.same_submission for d in parts]),
        parts[0].thresholds,
        parts[0].same_submission_policy,
    )


def _take_decisions(d: Decisions, order: npt.NDArray[np.intp]) -> Decisions:
    p = d.pairs
    return Decisions(ScoredPairs(p.left[order], p.right[order], p.score[order]), d.strength[order],
                     d.by_score[order], d.decision[order], d.same_submission[order], d.thresholds,
                     d.same_submission_policy)


def summarise(
    persons: pd.DataFrame,
    records: RegistryRecords,
    decision: npt.NDArray[np.int8],
    thresholds: ThresholdsUsed,
    estimate: CountEstimate | None = None,
) -> DedupSummary:
    """Counts: reports, unique persons, per reporter, and the reporter overlap matrix."""
    reporters = sorted(set(persons["reporter"].tolist()))
    by_person = persons.groupby("person_id")["reporter"].agg(lambda s: sorted(set(s)))
    per_reporter: dict[str, ReporterCounts] = {}
    overlap: dict[str, dict[str, int]] = {r: {s: 0 for s in reporters} for r in reporters}
    for reps in by_person.tolist():
        for r in reps:
            for s in reps:
                overlap[r][s] += 1
    for r in reporters:
        mine = persons[persons["reporter"] == r]
        per_reporter[r] = ReporterCounts(
            reports=int(len(mine)),
            persons=int(mine["person_id"].nunique()),
            persons_shared=int(sum(1 for reps in by_person.tolist() if r in reps and len(reps) > 1)),
        )
    return DedupSummary(
        reports=int(len(persons)),
        unique_persons=int(persons["person_id"].nunique()),
        persons_multi_reporter=int(sum(1 for reps in by_person.tolist() if len(reps) > 1)),
        per_reporter=per_reporter,
        reporter_overlap=overlap,
        pairs=PairCounts(match=int(np.count_nonzero(decision == MATCH)),
                         review=int(np.count_nonzero(decision == REVIEW))),
        thresholds=thresholds,
        estimate=estimate,
    )


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_manifest(
    schema: Schema, store_meta: Mapping[str, str], inputs: Sequence[Path], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """Versions, schema fingerprint, key id, parameters and input hashes of a run."""
    from importlib.metadata import PackageNotFoundError, version

    def ver(pkg: str) -> str | None:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return None

    return {
        "linkage_version": ver("linkage"),
        "python": platform.python_version(),
        "packages": {p: ver(p) for p in ("numpy", "pandas", "pyarrow", "cryptography", "numba")},
        "schema_name": schema.name,
        "schema_fingerprint": schema.fingerprint,
        "key_id": store_meta.get("key_id"),
        "parameters": dict(parameters),
        "inputs": [{"file": p.name, "sha256": file_sha256(p)} for p in inputs],
        "finished": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
    }


def run_dedup(
    submission_paths: Sequence[str | Path],
    trusted_keys: Mapping[str, Ed25519PublicKey],
    schema: Schema,
    outdir: str | Path,
    *,
    store_path: str | Path | None = None,
    key_id: str | None = None,
    executor: Executor | None = None,
    progress: Progress = _no_progress,
    count_model: CountModel | None = None,
    blocking: Blocking | str = "auto",
    same_submission: str = "auto",
    validation_size: int = 150,
    validation_seed: int = 0,
    answers: Sequence[str | Path] = (),
) -> DedupResult:
    """The registry batch job: verify, store, dedup everything stored, write outputs.

    Every submission is verified before any is stored; one bad file stops the run
    with nothing written. Takes no linkage key: the registry never holds one.
    ``same_submission`` is the run's same-submission rule (see :func:`dedup_records`).
    With a count model, ``validation_size`` pairs are sampled into the query-back
    lists (reason ``validation``), and ``answers`` (reporters' CSV files, see
    :func:`read_answers`) fix decisions and correct the estimate.
    """
    answer_map = read_answers(answers) if answers else {}
    paths = [Path(p) for p in submission_paths]
    subs = []
    for i, p in enumerate(paths):
        subs.append(read_submission(p, trusted_keys, schema=schema, key_id=key_id))
        progress("verify", i + 1, len(paths))
    key_ids = {s.header.key_id for s in subs}
    if len(key_ids) > 1:
        by_key: dict[str, list[str]] = {}
        for p, s in zip(paths, subs, strict=True):
            by_key.setdefault(s.header.key_id, []).append(p.name)
        groups = "; ".join(f"{', '.join(names)}: {kid}" for kid, names in sorted(by_key.items()))
        raise MismatchError(
            f"submissions were encoded under different linkage keys ({groups}); "
            "re-encode them under one key epoch"
        )
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise LinkageError(f"output directory {out.name!r} is a file")
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise LinkageError(f"cannot create output directory {out.name!r}: {exc.strerror}") from None
    store_file = Path(store_path) if store_path is not None else out / "registry.sqlite"
    with SQLiteStore(store_file) as store:
        new = old = 0
        for p, sub in zip(paths, subs, strict=True):
            try:
                if store.ingest(sub):
                    new += 1
                else:
                    old += 1
            except (MismatchError, StoreError) as exc:
                raise type(exc)(f"{p.name}: {exc}") from None
        log.info("store: %d new submission(s), %d already stored", new, old)
        records = store.load_records()
        meta = store.meta()
    if count_model is None and schema.threshold_method == "posterior":
        count_model = default_count_model(schema)
    if count_model is not None:
        count_model.check(schema)
    policy = same_submission_policy(records, schema, same_submission)
    record_periods = _record_periods(records, subs)
    subs.clear()  # the verified submissions are in the store and in `records` now: free them before comparing
    result = dedup_records(records, schema, executor=executor, progress=progress, count_model=count_model,
                           same_submission=policy, blocking=blocking, validation_size=validation_size,
                           validation_seed=validation_seed, answers=answer_map, periods=record_periods)
    summary = result.summary.with_submissions(new, old)
    manifest = run_manifest(
        schema,
        meta,
        paths,
        {
            "match_threshold": schema.match_threshold,
            "review_threshold": schema.review_threshold,
            "require_common": list(schema.require_common),
            "same_submission": policy,
            "executor": repr(executor or LocalExecutor()),
            "blocking": dict(result.blocking),
            "validation": {"size": validation_size, "seed": validation_seed,
                           "answers": [Path(a).name for a in answers]},
            "count_model": None if count_model is None else {
                "years": list(count_model.years), "replicates": count_model.replicates, "seed": count_model.seed
            },
        },
    )
    write_outputs(out, result.persons, result.queryback, summary, manifest)
    return DedupResult(persons=result.persons, queryback=result.queryback, summary=summary, pairs=result.pairs,
                       blocking=result.blocking)
