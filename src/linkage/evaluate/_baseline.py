"""Plaintext baseline: classical record linkage on the raw values, for comparison.

What pseudonymisation costs can only be judged against what the same records
give when linked in the clear. This module runs the textbook pipeline of the
Python Record Linkage Toolkit (``recordlinkage``) on plaintext values:

1. **indexing** -- a union of blocking passes (so that one corrupted blocking
   key does not lose a true pair), deduplicated;
2. **comparison** -- binary agreement features: Jaro-Winkler similarity
   (``jellyfish``, through ``recordlinkage``) at a threshold for free text,
   exact agreement for codes, a step function for years; a missing value
   never counts as agreement;
3. **classification** -- a Fellegi-Sunter model fitted by EM *without labels*
   (:class:`recordlinkage.ECMClassifier`); pairs it classifies as matches are
4. **clustered** into persons by connected components.

Two entry points:

- :func:`plaintext_febrl` -- a FEBRL table from :func:`~linkage.evaluate._febrl.load_febrl`
  (``view="full"``: all FEBRL fields) or from :func:`~linkage.evaluate._febrl.reduce_febrl`
  (``view="reduced"``: two initials, birth year, nationality -- the project's quasi-identifiers);
- :func:`plaintext_synthetic` -- a :class:`linkage.synth.SynthData`, normalised per reporter with
  the default schema exactly as the encoding side does, so the comparison is on the same
  canonical values that the Bloom filters encode.

Both return a JSON-serialisable dict::

    {"view", "em", "n_records", "candidate_pairs", "candidate_recall", "matched_pairs",
     "pair_metrics", "cluster_metrics", "seconds", "ecm"}

``pair_metrics`` compares the matched pairs (a subset of the candidate pairs) with *all* true
pairs, so pairs lost by blocking count as misses; ``candidate_recall`` is the share of true
pairs that blocking kept (the ceiling for the pair recall). ``cluster_metrics`` is
:func:`~linkage.evaluate.all_metrics` over the connected components (pairwise and B-cubed
precision/recall/F1, found vs true unique persons, count error). ``seconds`` is the wall time
of the run after importing ``recordlinkage`` (for the synthetic data it includes the
normalisation).

How the model is fitted (``em``):

- ``"union"`` (default): one ECM model on all candidate pairs; ``ecm`` is
  ``{"m": {feature: P(agree | match)}, "u": {feature: P(agree | non-match)}, "p": P(match)}``.
- ``"per_pass"``: one ECM model per blocking pass, on that pass's pairs; a pair is a match when
  any pass's model says so (parameters estimated per pass, as in multi-pass census matching).
  ``ecm`` is ``{"passes": [{"keys", "candidate_pairs", "matched_pairs", "m", "u", "p"}, ...]}``.

Why both: with the strong fields of FEBRL's full view the two agree (F1 about 0.99). With only
the weak quasi-identifiers (reduced view, synthetic reports) a single two-class EM fit on the
union of passes converges to the structure of the blocking, not to matches: its "match" class
is, e.g., all pairs with the same birth year (the pairs of the birth-year pass) against all
pairs with the same initials, and almost every record ends up in a few huge clusters. Fitting
per pass removes most of that structure (the pass key is constant within it) and gives a far
more useful baseline on FEBRL; on the synthetic reports, where nationality strongly stratifies
names and true pairs are about 0.1% of the candidates, neither fit reaches what the comparison
features allow -- read those numbers as "unsupervised Fellegi-Sunter on four quasi-identifiers",
not as the best plaintext linkage possible. Features constant over the fitted pairs are left
out of the fit and reported with m = u = their value.

Nothing here is part of the privacy-preserving pipeline: it reads raw values, and exists only
to be run on synthetic or public benchmark data (FEBRL) for the evaluation report.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.cluster import connected_components
from linkage.errors import LinkageError
from linkage.evaluate._metrics import all_metrics, pairwise_from_pairs

__all__ = ["plaintext_febrl", "plaintext_synthetic"]

#: Jaro-Winkler similarity at or above which two FEBRL free-text values agree.
JW_THRESHOLD = 0.85
#: FEBRL full view: fields compared by Jaro-Winkler, and fields compared exactly.
FEBRL_STRING_FIELDS = ("given_name", "surname", "address_1", "address_2", "suburb")
FEBRL_EXACT_FIELDS = ("street_number", "postcode", "state", "date_of_birth", "soc_sec_id")
#: FEBRL full view: the blocking passes (their union is the candidate set).
FEBRL_FULL_BLOCKS: tuple[tuple[str, ...], ...] = (("given_name",), ("surname",), ("date_of_birth",), ("postcode",))
#: FEBRL reduced view: the blocking passes.
FEBRL_REDUCED_BLOCKS: tuple[tuple[str, ...], ...] = (("birth_year",), ("init1", "init2"), ("nationality", "birth_year"))
#: Synthetic data: birth-year bucket width; two passes offset by half a bucket keep together
#: every two records whose interval starts are at most ``_BUCKET // 2`` years apart.
_BUCKET = 4
SYNTH_BLOCKS: tuple[tuple[str, ...], ...] = (("year_bucket_a",), ("year_bucket_b",), ("initials",), ("nationality",))


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the pandas/numpy Future- and DeprecationWarnings that ``recordlinkage`` 0.16 triggers.

    Also silences numpy's divide-by-zero in the EM step (the log of a probability that
    reaches 0, which the ECM algorithm handles as ``-inf``). Local to the block; the
    global warning filters (errors in the test suite) are untouched outside it.
    """
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        yield


def _recordlinkage() -> Any:
    try:
        import recordlinkage
    except ImportError:  # pragma: no cover - the [baseline] extra is missing
        raise LinkageError(
            "the plaintext baseline needs the [baseline] extra: pip install 'linkage[baseline]'"
        ) from None
    return recordlinkage


def _jsonable(value: Any) -> Any:
    """``value`` with numpy scalars/arrays, tuples and non-string keys made JSON-friendly."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if np.isfinite(f) else None
    return value


def _candidates(
    frame: pd.DataFrame, passes: Sequence[Sequence[str]]
) -> tuple[npt.NDArray[np.int64], list[npt.NDArray[np.int64]]]:
    """Blocking on ``frame`` (RangeIndex): the union of ``passes`` and each pass's own pairs.

    Pairs are coded ``left * n + right`` with ``left < right`` (positions); the union is sorted
    and unique, and each pass's codes are sorted too. A record with a missing blocking key
    takes no part in that pass.
    """
    rl = _recordlinkage()
    n = max(len(frame), 1)
    per_pass: list[npt.NDArray[np.int64]] = []
    for keys in passes:
        indexer = rl.Index()
        indexer.block(left_on=list(keys))
        with _quiet():
            pairs = indexer.index(frame)
        a = np.asarray(pairs.get_level_values(0), dtype=np.int64)
        b = np.asarray(pairs.get_level_values(1), dtype=np.int64)
        per_pass.append(np.unique(np.minimum(a, b) * n + np.maximum(a, b)))
    union = np.unique(np.concatenate(per_pass)) if per_pass else np.zeros(0, dtype=np.int64)
    return union, per_pass


def _true_pairs(truth: Sequence[Any]) -> set[tuple[int, int]]:
    """All ``(i, j)``, ``i < j``, of positions with the same truth label."""
    groups: dict[Any, list[int]] = {}
    for i, t in enumerate(truth):
        groups.setdefault(t, []).append(i)
    out: set[tuple[int, int]] = set()
    for members in groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                out.add((members[x], members[y]))
    return out


def _feature_prob(table: Mapping[Any, float]) -> float:
    """P(feature = 1) from a ``{class: probability}`` table of the fitted model."""
    for k, v in table.items():
        if float(k) == 1.0:
            return float(v)
    return 0.0  # the feature was 0 in every fitted pair


def _fit_predict(vectors: pd.DataFrame) -> tuple[npt.NDArray[np.bool_], dict[str, Any]]:
    """Fit an ECM model on binary ``vectors`` without labels; the match flag of each row and the model.

    Features constant over ``vectors`` carry no information; they are left out of the fit
    (with the 'jaro' start values they would otherwise tilt the first E-step) and reported
    with m = u = their constant value.
    """
    rl = _recordlinkage()
    constant = [c for c in vectors.columns if vectors[c].nunique() <= 1]
    used = [c for c in vectors.columns if c not in constant]
    m: dict[str, float] = {}
    u: dict[str, float] = {}
    if not used or len(vectors) < 2:
        flags = np.zeros(len(vectors), dtype=bool)
        prior = 0.0
    else:
        x = vectors[used]
        with _quiet():
            ecm = rl.ECMClassifier(binarize=None)
            ecm.fit(x)
            with rl.option_context("classification.return_type", "array"):
                flags = np.asarray(ecm.predict(x)).astype(bool)
            m = {str(k): _feature_prob(v) for k, v in ecm.m_probs.items()}
            u = {str(k): _feature_prob(v) for k, v in ecm.u_probs.items()}
            prior = float(ecm.p)
    for c in constant:
        value = float(vectors[c].iloc[0]) if len(vectors) else 0.0
        m[str(c)] = u[str(c)] = value
    order = [str(c) for c in vectors.columns]
    return flags, {"m": {c: m[c] for c in order}, "u": {c: u[c] for c in order}, "p": prior}


def _check_em(em: str) -> None:
    if em not in ("union", "per_pass"):
        raise LinkageError(f"em must be 'union' or 'per_pass', not {em!r}")


def _link(
    frame: pd.DataFrame,
    truth: Sequence[Any],
    passes: Sequence[Sequence[str]],
    features: Callable[[Any], None],
    view: str,
    em: str,
    started: float,
) -> tuple[dict[str, Any], npt.NDArray[np.int64]]:
    """Index, compare, fit ECM, predict, cluster and score. Returns (result, cluster labels)."""
    _check_em(em)
    rl = _recordlinkage()
    frame = frame.reset_index(drop=True)
    n = len(frame)
    width = max(n, 1)
    union, per_pass = _candidates(frame, passes)
    left, right = union // width, union % width
    true_pairs = _true_pairs(truth)
    true_codes = np.array(sorted(a * width + b for a, b in true_pairs), dtype=np.int64)
    ecm_report: dict[str, Any] = {"m": {}, "u": {}, "p": 0.0}
    matched = np.zeros(len(union), dtype=bool)
    if len(union):
        compare = rl.Compare()
        features(compare)
        with _quiet():
            vectors = compare.compute(pd.MultiIndex.from_arrays([left, right]), frame)
        vectors = (vectors.fillna(0) > 0).astype(np.int64).reset_index(drop=True)
        if em == "union":
            matched, ecm_report = _fit_predict(vectors)
        else:
            reports: list[dict[str, Any]] = []
            for keys, codes in zip(passes, per_pass, strict=True):
                rows = np.searchsorted(union, codes)  # every pass's pair is in the union
                flags, model = _fit_predict(vectors.iloc[rows])
                matched[rows[flags]] = True
                reports.append({"keys": list(keys), "candidate_pairs": len(codes),
                                "matched_pairs": int(flags.sum()), **model})
            ecm_report = {"passes": reports}
    ml, mr = left[matched], right[matched]
    labels = connected_components(n, ml, mr)
    found_pairs = set(zip(ml.tolist(), mr.tolist(), strict=True))
    result: dict[str, Any] = {
        "view": view,
        "em": em,
        "n_records": n,
        "candidate_pairs": len(union),
        "candidate_recall": float(np.isin(true_codes, union).mean()) if len(true_codes) else 1.0,
        "matched_pairs": len(found_pairs),
        "pair_metrics": pairwise_from_pairs(found_pairs, true_pairs),
        "cluster_metrics": all_metrics(labels, list(truth)),
        "seconds": 0.0,
        "ecm": ecm_report,
    }
    result["seconds"] = time.perf_counter() - started
    return result, labels


def _initial(value: Any) -> str | None:
    """First letter of a name, lower-cased; ``None`` for a missing or empty value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    s = str(value).strip().lower()
    return s[0] if s else None


def _year(value: Any) -> float:
    """A birth year as a float (NaN when missing or unreadable)."""
    if value is None:
        return np.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def plaintext_febrl(df: pd.DataFrame, *, view: str = "full", em: str = "union") -> dict[str, Any]:
    """The plaintext ECM baseline on a FEBRL table.

    ``view="full"``: ``df`` from :func:`~linkage.evaluate._febrl.load_febrl`. Features:
    Jaro-Winkler >= 0.85 on given name, surname, address 1 and 2 and suburb; exact agreement
    on street number, postcode, state, date of birth and social security id. Blocking: union
    of given name, surname, date of birth and postcode.

    ``view="reduced"``: ``df`` from :func:`~linkage.evaluate._febrl.reduce_febrl`. The
    initials are the first letters of the lower-cased given name and surname. Features: first
    initial, second initial, birth year (exact), birth year within one year, nationality.
    Blocking: union of birth year, both initials, and nationality + birth year.

    The Fellegi-Sunter model is fitted by EM without labels (``em``: ``"union"`` or
    ``"per_pass"``, see the module docstring); ``person_id`` is used only to score. Returns the
    dict described in the module docstring (JSON-serialisable).
    """
    _check_em(em)
    _recordlinkage()  # import (seconds of sklearn) before the clock starts
    started = time.perf_counter()
    if view == "full":
        missing = [c for c in (*FEBRL_STRING_FIELDS, *FEBRL_EXACT_FIELDS, "person_id") if c not in df.columns]
        if missing:
            raise LinkageError(f"plaintext_febrl(view='full') needs the load_febrl columns; missing {missing}")
        frame = df[[*FEBRL_STRING_FIELDS, *FEBRL_EXACT_FIELDS]].astype(object).reset_index(drop=True)
        frame = frame.where(frame.notna(), None)
        for c in frame.columns:
            frame[c] = [None if v is None or not str(v).strip() else str(v).strip() for v in frame[c]]

        def features(compare: Any) -> None:
            for c in FEBRL_STRING_FIELDS:
                compare.string(c, c, method="jarowinkler", threshold=JW_THRESHOLD, missing_value=0, label=c)
            for c in FEBRL_EXACT_FIELDS:
                compare.exact(c, c, missing_value=0, label=c)

        passes = FEBRL_FULL_BLOCKS
    elif view == "reduced":
        needed = ("given_names", "surname", "birth_year", "nationality", "person_id")
        missing = [c for c in needed if c not in df.columns]
        if missing:
            raise LinkageError(f"plaintext_febrl(view='reduced') needs the reduce_febrl columns; missing {missing}")
        def text(col: str) -> pd.Series:
            return pd.Series([None if v is None or pd.isna(v) else str(v) for v in df[col]], dtype=object)

        frame = pd.DataFrame({
            "init1": pd.Series([_initial(v) for v in df["given_names"]], dtype=object),
            "init2": pd.Series([_initial(v) for v in df["surname"]], dtype=object),
            "birth_year": text("birth_year"),
            "birth_year_num": np.array([_year(v) for v in df["birth_year"]], dtype=np.float64),
            "nationality": text("nationality"),
        })

        def features(compare: Any) -> None:
            compare.exact("init1", "init1", missing_value=0, label="init1")
            compare.exact("init2", "init2", missing_value=0, label="init2")
            compare.exact("birth_year", "birth_year", missing_value=0, label="birth_year")
            compare.numeric("birth_year_num", "birth_year_num", method="step", offset=1.0, missing_value=0,
                            label="birth_year_within_1")
            compare.exact("nationality", "nationality", missing_value=0, label="nationality")

        passes = FEBRL_REDUCED_BLOCKS
    else:
        raise LinkageError(f"view must be 'full' or 'reduced', not {view!r}")
    truth = [str(p) for p in df["person_id"]]
    result, _ = _link(frame, truth, passes, features, view, em, started)
    return _jsonable(result)  # type: ignore[no-any-return]


def _years_close(lo_l: pd.Series, hi_l: pd.Series, lo_r: pd.Series, hi_r: pd.Series) -> npt.NDArray[np.float64]:
    """1.0 where two birth-year intervals overlap or are at most one year apart, else 0.0 (NaN: 0)."""
    a_lo, a_hi = lo_l.to_numpy(dtype=np.float64), hi_l.to_numpy(dtype=np.float64)
    b_lo, b_hi = lo_r.to_numpy(dtype=np.float64), hi_r.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        close = (a_lo <= b_hi + 1) & (b_lo <= a_hi + 1)  # comparisons with NaN are False
    return close.astype(np.float64)


def _synthetic_frame(data: Any) -> tuple[pd.DataFrame, list[str], list[Any]]:
    """Normalise every reporter table with the default schema and stack them with their truth."""
    from linkage.normalise import normalise_records
    from linkage.schema import default_schema
    from linkage.synth import reporter_tables

    schema = default_schema()
    reports = data.reports
    frames: list[pd.DataFrame] = []
    truth: list[str] = []
    years: list[Any] = []
    for reporter, table in reporter_tables(data).items():
        mine = reports[reports["reporter"] == reporter]
        if len(mine) != len(table):  # pragma: no cover - reporter_tables' documented contract
            raise LinkageError("reporter table and reports disagree on the number of rows")
        canon = normalise_records(table, schema).reset_index(drop=True)
        frames.append(canon)
        truth.extend(str(p) for p in mine["person_id"])
        years.extend(mine["year"].tolist() if "year" in mine.columns else [None] * len(mine))
    canon = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def get(col: str) -> list[Any]:
        return list(canon[col]) if col in canon.columns else [None] * len(canon)

    initials = [v if isinstance(v, str) and v else None for v in get("initials")]
    by = [v if isinstance(v, tuple) and len(v) == 2 else None for v in get("birth_year")]
    lo = np.array([np.nan if v is None else float(v[0]) for v in by], dtype=np.float64)
    hi = np.array([np.nan if v is None else float(v[1]) for v in by], dtype=np.float64)

    def bucket(offset: int) -> pd.Series:
        return pd.Series([None if np.isnan(x) else str(int(x + offset) // _BUCKET) for x in lo], dtype=object)

    frame = pd.DataFrame({
        "initials": pd.Series(initials, dtype=object),
        "init1": pd.Series([v[0] if v else None for v in initials], dtype=object),
        "init2": pd.Series([v[1] if v and len(v) > 1 else None for v in initials], dtype=object),
        "by_lo": lo,
        "by_hi": hi,
        "year_bucket_a": bucket(0),
        "year_bucket_b": bucket(_BUCKET // 2),
        "nationality": pd.Series([v if isinstance(v, str) and v else None for v in get("nationality")], dtype=object),
        "sex": pd.Series([v if isinstance(v, str) and v else None for v in get("sex")], dtype=object),
    })
    return frame, truth, years


def plaintext_synthetic(data: Any, *, em: str = "union") -> dict[str, Any]:
    """The plaintext ECM baseline on synthetic reports (:class:`linkage.synth.SynthData`).

    Each reporter table is normalised with :func:`linkage.default_schema` (initials, birth-year
    interval, nationality code, sex), the tables are stacked, and pairs are compared on the
    canonical values: initials, first initial, second initial, birth-year intervals that
    overlap or are at most one year apart, nationality and sex (a missing value never agrees).
    Blocking: union of birth-year bucket (two offset passes), initials and nationality.

    Returns the dict of :func:`plaintext_febrl` (``view="synthetic"``) plus ``per_year``:
    ``{year: {"found_unique", "true_unique", "count_error_pct"}}``, counted over that year's
    reports (a person found in a cluster spanning years counts in each of its years).
    ``em`` as for :func:`plaintext_febrl`.
    """
    _check_em(em)
    _recordlinkage()  # import (seconds of sklearn) before the clock starts
    started = time.perf_counter()
    frame, truth, years = _synthetic_frame(data)

    def features(compare: Any) -> None:
        compare.exact("initials", "initials", missing_value=0, label="initials")
        compare.exact("init1", "init1", missing_value=0, label="init1")
        compare.exact("init2", "init2", missing_value=0, label="init2")
        compare.compare_vectorized(_years_close, ["by_lo", "by_hi"], ["by_lo", "by_hi"], label="birth_year_close")
        compare.exact("nationality", "nationality", missing_value=0, label="nationality")
        compare.exact("sex", "sex", missing_value=0, label="sex")

    result, labels = _link(frame, truth, SYNTH_BLOCKS, features, "synthetic", em, started)
    per_year: list[dict[str, Any]] = []
    year_arr = np.array([-1 if y is None or pd.isna(y) else int(y) for y in years], dtype=np.int64)
    truth_arr = np.array(truth, dtype=object)
    for y in sorted(set(year_arr.tolist())):
        if y < 0:
            continue
        mask = year_arr == y
        found_u = int(len(np.unique(labels[mask])))
        true_u = int(len(set(truth_arr[mask].tolist())))
        per_year.append({
            "year": int(y),
            "found_unique": found_u,
            "true_unique": true_u,
            "count_error_pct": 100.0 * (found_u - true_u) / true_u if true_u else 0.0,
        })
    result["per_year"] = per_year
    result["seconds"] = time.perf_counter() - started
    return _jsonable(result)  # type: ignore[no-any-return]
