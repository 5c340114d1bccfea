"""The quality suite: every data set, encoded and plaintext, in one run; JSON and an offline HTML report.

``run_quality(quick=True)`` is what CI runs (FEBRL1 and two synthetic years);
the full run adds FEBRL2-4 and a synthetic decade. Targets and the anchor
(clkhash 0.18 + anonlink, measured on this machine) are in ``TARGETS``.
"""

from __future__ import annotations

import datetime as _dt
import html
import platform
import time
from pathlib import Path
from typing import Any

from linkage.evaluate._coverage import count_coverage
from linkage.evaluate._run import evaluate_febrl, evaluate_synthetic, febrl_table
from linkage.figures import figure_svg

ANCHOR = {
    "FEBRL3 full": {"f1": 0.949, "found_unique": 2165, "true_unique": 2000,
                    "note": "clkhash + anonlink, best threshold"},
    "FEBRL3 reduced": {"f1": 0.73, "note": "clkhash + anonlink, threshold picked with the labels"},
}
TARGETS = {
    "FEBRL3 full": "pairwise F1 >= 0.97 and found persons within 2% of the truth, thresholds without labels",
    "FEBRL3 reduced": "pairwise F1 >= 0.80, thresholds without labels",
    "synthetic decade": "count error <= 1% in every year",
    "count estimate": "an interval that covers the true count in about 95% of synthetic data sets",
}


def _baseline(kind: str, arg: Any) -> dict[str, Any] | None:
    try:
        from linkage.evaluate import _baseline as bl
    except ImportError:  # pragma: no cover - the [baseline] extra is missing
        return None
    if kind == "febrl":
        view, df = arg
        return bl.plaintext_febrl(df, view=view, em="per_pass")
    return bl.plaintext_synthetic(arg, em="per_pass")


def _exact_key_febrl(table: Any) -> dict[str, Any]:
    """The plaintext exact-key baseline (two initials, birth year, nationality) on a reduced FEBRL table."""
    from linkage.evaluate._exact_key import exact_key_labels
    from linkage.evaluate._metrics import pairwise_metrics
    from linkage.normalise import normalise_records
    from linkage.schema import default_schema

    norm = normalise_records(table, default_schema())
    labels = exact_key_labels(norm)
    m = pairwise_metrics(labels.tolist(), table["person_id"].astype(str).tolist())
    return {"precision": m["precision"], "recall": m["recall"], "f1": m["f1"],
            "found_unique": int(len(set(labels.tolist())))}


def _exact_key_synthetic(data: Any) -> dict[str, Any]:
    """The exact-key baseline on a synthetic data set, each year on its own (as the encoded run)."""
    from linkage.evaluate._exact_key import exact_key_labels
    from linkage.evaluate._metrics import pairwise_metrics
    from linkage.normalise import normalise_records
    from linkage.schema import default_schema
    from linkage.synth import reporter_tables

    schema = default_schema()
    norm, truth, years = [], [], []
    for rep, table in sorted(reporter_tables(data).items()):
        rows = data.reports[data.reports["reporter"] == rep].reset_index(drop=True)
        norm.append(normalise_records(table, schema))
        truth += rows["person_id"].astype(str).tolist()
        years += rows["year"].astype(int).tolist()
    labels = exact_key_labels(norm).tolist()
    found = [f"{y}/{lab}" for y, lab in zip(years, labels, strict=True)]
    true = [f"{y}/{t}" for y, t in zip(years, truth, strict=True)]
    m = pairwise_metrics(found, true)
    return {"precision": m["precision"], "recall": m["recall"], "f1": m["f1"], "found_unique": len(set(found))}


def run_heldout_table(
    scenarios: str | Path, *, limit: int | None = None, families: list[str] | None = None, key_seed: int | None = 1,
) -> dict[str, Any]:
    """The held-out scenarios (frozen, never tuned on) measured with the built-in profile, for the report."""
    import hashlib

    from linkage.encode import LinkageKey
    from linkage.evaluate import heldout

    scen = heldout.load_scenarios(scenarios)

    def key_for(name: str, ds: str) -> LinkageKey:
        return LinkageKey(hashlib.sha256(f"heldout-key/{key_seed}/{name}/{ds}".encode()).digest())

    t0 = time.perf_counter()
    fams, skipped = heldout.run_heldout(scen, families=families, limit=limit,
                                        key_for=key_for if key_seed is not None else None)
    return {"scenarios_version": scen.version, "limit": limit, "key_seed": key_seed,
            "seconds": round(time.perf_counter() - t0, 1), "skipped": skipped,
            "families": {k: {"kind": v["kind"], "summary": v["summary"]} for k, v in fams.items()}}


def run_quality(*, quick: bool = False, seed: int = 1, baseline: bool = True,
                heldout: str | Path | None = None, heldout_limit: int | None = None) -> dict[str, Any]:
    """Run the suite and return one JSON-serialisable dict of results.

    ``heldout`` (the frozen ``scenarios.json``) adds the held-out table: every
    family measured with the built-in profile (``heldout_limit`` data sets
    each), coverage and errors with and without simulated answers, encoded F1
    against the plaintext exact key.

    The count estimate uses one count model per synthetic year (5 replicates in the
    quick run, 40 in the full one); its coverage is checked on 3 (quick) or 50 (full)
    further data sets of 2022, with the data's error rates as modelled, halved and doubled.
    """
    from linkage.schema import default_schema
    from linkage.simulate import build_count_model
    from linkage.synth import generate

    t0 = time.perf_counter()
    febrl_numbers = (1, 3) if quick else (1, 2, 3, 4)
    runs: list[dict[str, Any]] = []
    for number in febrl_numbers:
        for view in ("full", "reduced"):
            table = febrl_table(number, view)
            res = evaluate_febrl(number, view, table=table)
            if baseline and not (quick and number != 3):
                res["plaintext"] = _baseline("febrl", (view, table))
            if view == "reduced":
                res["exact_key"] = _exact_key_febrl(table)
            runs.append(res)
    years = (2021, 2022) if quick else tuple(range(2013, 2023))
    data = generate(seed=seed, years=years)
    replicates = 5 if quick else 40
    models = {y: build_count_model(default_schema(), years=(y,), replicates=replicates) for y in years}
    syn = evaluate_synthetic(data, count_models=models)
    if baseline:
        syn["plaintext"] = _baseline("synthetic", data)
    syn["exact_key"] = _exact_key_synthetic(data)
    runs.append(syn)
    coverage = count_coverage(
        year=2022, seeds=range(1, 4) if quick else range(1, 51), model=models[2022],
        error_scales=(1.0,) if quick else (1.0, 0.5, 2.0),
    )
    results = {
        "suite": "quality",
        "quick": quick,
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "python": platform.python_version(),
        "anchor": ANCHOR,
        "targets": TARGETS,
        "runs": runs,
        "count_coverage": coverage,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if heldout is not None:
        results["heldout"] = run_heldout_table(heldout, limit=heldout_limit)
        results["seconds"] = round(time.perf_counter() - t0, 1)
    results["target_status"] = target_status(results)
    return results


def _label(run: dict[str, Any]) -> str:
    if run["dataset"] == "synthetic":
        years = run["years"]
        return "synthetic " + (f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]))
    return f"{run['dataset']} {run['view']}"


def _plots(run: dict[str, Any]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    c = run["score_curves"]
    keep = [i for i, t in enumerate(c["thresholds"]) if t >= run["thresholds"]["review"]]
    c = {**c, "thresholds": [c["thresholds"][i] for i in keep], "precision": [c["precision"][i] for i in keep],
         "recall": [c["recall"][i] for i in keep]}
    fig, ax = plt.subplots(1, 2, figsize=(9, 3))
    x = c["bin_starts"]
    ax[0].bar(x, c["false"], width=0.024, align="edge", color="#c55", label="different persons", log=True)
    ax[0].bar(x, c["true"], width=0.024, align="edge", color="#38a", alpha=0.8, label="same person", log=True)
    ax[0].axvline(run["thresholds"]["match"], color="k", ls="--", lw=1, label="match threshold (no labels)")
    ax[0].set_xlabel("Dice score of candidate pairs")
    ax[0].set_ylabel("pairs (log)")
    ax[0].legend(fontsize=7)
    ax[1].plot(c["thresholds"], c["precision"], label="precision")
    ax[1].plot(c["thresholds"], c["recall"], label="recall")
    ax[1].axvline(run["thresholds"]["match"], color="k", ls="--", lw=1)
    ax[1].set_xlabel("threshold")
    ax[1].set_ylim(0, 1.02)
    lo = run["thresholds"]["review"] - 0.05
    for a in ax:
        a.set_xlim(max(0.0, lo), 1.01)
    what = "match probability" if c.get("on") == "probability" else "Dice score"
    ax[0].set_xlabel(f"{what} of candidate pairs (pairs below the review floor are not kept)")
    ax[1].legend(fontsize=7)
    fig.suptitle(_label(run), fontsize=9)
    out.append(figure_svg(fig))
    if run.get("per_year"):
        fig, ax = plt.subplots(figsize=(6, 2.6))
        yrs = [p["year"] for p in run["per_year"]]
        ax.bar(yrs, [p["count_error_pct"] for p in run["per_year"]], color="#38a", label="encoded, found")
        est = [p for p in run["per_year"] if p.get("estimate")]
        if est:
            e = [p["estimate_error_pct"] for p in est]
            lo = [e_ - 100.0 * (p["estimate"]["interval"][0] - p["true_unique"]) / p["true_unique"]
                  for e_, p in zip(e, est, strict=True)]
            hi = [100.0 * (p["estimate"]["interval"][1] - p["true_unique"]) / p["true_unique"] - e_
                  for e_, p in zip(e, est, strict=True)]
            ax.errorbar([p["year"] for p in est], e, yerr=[lo, hi], fmt="D", color="#222", ms=4, capsize=3,
                        label="encoded, estimated (95% interval)")
        pl = run.get("plaintext") or {}
        if pl.get("per_year"):
            ax.plot([p["year"] for p in pl["per_year"]], [p["count_error_pct"] for p in pl["per_year"]], "o-",
                    color="#c55", label="plaintext baseline")
        ax.axhspan(-1, 1, color="#8c8", alpha=0.3, label="target +-1%")
        ax.set_ylabel("count error %")
        ax.set_xticks(yrs)
        ax.set_xticklabels([str(y) for y in yrs], fontsize=7)
        ax.legend(fontsize=7)
        out.append(figure_svg(fig))
    return out


def target_status(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the suite with what this run measured and whether it is met."""
    runs = {_label(r): r for r in results["runs"]}
    out: list[dict[str, Any]] = []
    full = runs.get("FEBRL3 full")
    if full:
        within = abs(full["found_unique"] - full["true_unique"]) / full["true_unique"]
        out.append({"target": "FEBRL3 full: " + TARGETS["FEBRL3 full"],
                    "measured": f"F1 {full['f1']:.3f}, found {full['found_unique']} / {full['true_unique']} "
                                f"({100 * within:.2f}% off)",
                    "met": bool(full["f1"] >= 0.97 and within <= 0.02)})
    red = runs.get("FEBRL3 reduced")
    if red:
        out.append({"target": "FEBRL3 reduced: " + TARGETS["FEBRL3 reduced"], "measured": f"F1 {red['f1']:.3f}",
                    "met": bool(red["f1"] >= 0.80)})
    syn = next((r for r in results["runs"] if r["dataset"] == "synthetic"), None)
    if syn:
        worst = max(abs(p["count_error_pct"]) for p in syn["per_year"])
        out.append({"target": "synthetic: " + TARGETS["synthetic decade"] + " (found persons)",
                    "measured": f"worst year {worst:.2f}%", "met": bool(worst <= 1.0)})
        est = [p for p in syn["per_year"] if "estimate_error_pct" in p]
        if est:
            inside = sum(abs(p["estimate_error_pct"]) <= 1.0 for p in est)
            covers = sum(bool(p["interval_covers"]) for p in est)
            out.append({"target": "synthetic: " + TARGETS["synthetic decade"] + " (estimated persons)",
                        "measured": f"{inside} of {len(est)} years within 1%; interval covers the truth in "
                                    f"{covers} of {len(est)}",
                        "met": bool(inside == len(est))})
    cov = (results.get("count_coverage") or {}).get("scenarios", [])
    if cov:
        c = cov[0]
        out.append({"target": "count estimate: " + TARGETS["count estimate"],
                    "measured": f"{100 * c['coverage']:.0f}% over {len(c['runs'])} data sets (error rates as modelled)",
                    "met": bool(c["coverage"] >= 0.9)})
    return out


def _year_row(p: dict[str, Any]) -> str:
    cells = [str(p["year"]), str(p["reports"]), str(p["true_unique"]), str(p["found_unique"]),
             f"{p['count_error_pct']:+.2f}%"]
    est = p.get("estimate")
    if est:
        lo, hi = est["interval"]
        cells += [f"{est['estimate']:.0f}", f"{lo:.0f}-{hi:.0f}", f"{p['estimate_error_pct']:+.2f}%",
                  "yes" if p["interval_covers"] else "no"]
    else:
        cells += ["n/a"] * 4
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def _pct(v: Any, spec: str = ".2f") -> str:
    return "n/a" if v is None else format(v, spec) + "%"


def _heldout_html(h: dict[str, Any] | None) -> str:
    """The held-out table: family x coverage, mean and worst error, with and without answers, F1."""
    if not h:
        return ""
    rows = []
    for name, fam in h["families"].items():
        s = fam["summary"]
        a = (s.get("answers") or {}).get("150") or {}
        ae = a.get("estimate_error_pct") or {}
        cov = None if s["coverage"] is None else 100 * s["coverage"]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in (
            name, s["datasets"], s["years"], _pct(cov, ".0f"), _pct(s["estimate_error_pct"]["mean_abs"]),
            _pct(s["estimate_error_pct"]["worst_abs"]), _pct(s["width_pct_mean"], ".1f"),
            _pct(None if not a else 100 * a["coverage"], ".0f"), _pct(ae.get("mean_abs")), _pct(ae.get("worst_abs")),
            _pct(None if not a else a["width_pct_mean"], ".1f"),
            "n/a" if s["f1_mean"] is None else f"{s['f1_mean']:.3f}",
            "n/a" if s["plain_f1_mean"] is None else f"{s['plain_f1_mean']:.3f}",
            _pct(None if s["f1_at_least_plain"] is None else 100 * s["f1_at_least_plain"], ".0f"),
        )) + "</tr>")
        one = s.get("one_run")
        if one:
            cov1 = None if one["coverage"] is None else 100 * one["coverage"]
            en = one.get("estimated_new_per_year_error_pct") or {}
            rows.append(f"<tr><td>{html.escape(name)}: all years in one run</td><td>{one['runs']}</td><td></td>"
                        f"<td>{_pct(cov1, '.0f')}</td><td>{_pct(one['estimate_error_pct']['mean_abs'])}</td>"
                        f"<td>{_pct(one['estimate_error_pct']['worst_abs'])}</td>"
                        f"<td colspan=8>new persons per year, estimated: mean abs {_pct(en.get('mean_abs'))}, "
                        f"worst {_pct(en.get('worst_abs'))}; found: worst "
                        f"{_pct(one['found_new_per_year_error_pct']['worst_abs'])}</td></tr>")
    return f"""<h2>Held-out scenarios (frozen, never tuned on)</h2>
<p>Data the count method was not built on (<code>benchmarks/quality/heldout/</code>: other name cultures and
frequency laws, other error and reporting models, siblings, undocumented persons, missing columns, a dominant
nationality, FEBRL as single files, a decade, 100k reports), each year deduplicated with the built-in profile and
its bundled count model; at most {h['limit'] or 'all'} data sets per family, {h['seconds']} s. "With answers":
the estimate corrected by answers to a validation sample of 150 pairs per year, simulated from the truth.</p>
<table><tr><th>family</th><th>data sets</th><th>years</th><th>coverage</th><th>mean abs error</th><th>worst</th>
<th>width</th><th>coverage, answers</th><th>mean abs error, answers</th><th>worst, answers</th><th>width, answers</th>
<th>F1 encoded</th><th>F1 exact key</th><th>years encoded F1 &gt;= exact key</th></tr>{''.join(rows)}</table>
<p>The development results (synthetic data from the simulator behind the count model, tuning allowed) are
the tables above and below.</p>"""


def quality_html(results: dict[str, Any]) -> str:
    """A self-contained offline HTML page (inline SVG, no scripts, no network)."""
    rows = []
    for run in results["runs"]:
        pl = run.get("plaintext") or {}
        plm = pl.get("cluster_metrics", pl) if pl else {}
        rows.append(
            "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in (
                _label(run), run["records"], run["thresholds"]["method"], run["thresholds"]["match"],
                run["precision"], run["recall"], run["f1"], run["bcubed_f1"], run["found_unique"],
                run["true_unique"], f"{run['count_error_pct']:+.2f}%",
                plm.get("f1", "n/a"), plm.get("found_unique", "n/a"),
                (run.get("exact_key") or {}).get("f1", "n/a"),
            )) + "</tr>"
        )
    anchor_rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{_cell(v.get('f1'))}</td><td>{_cell(v.get('found_unique', 'n/a'))}</td>"
        f"<td>{html.escape(v['note'])}</td><td>{html.escape(TARGETS.get(k, ''))}</td></tr>"
        for k, v in results["anchor"].items()
    )
    target_rows = "".join(
        f"<tr><td>{html.escape(t['target'])}</td><td>{html.escape(t['measured'])}</td>"
        f"<td>{'yes' if t['met'] else 'no'}</td></tr>"
        for t in target_status(results)
    )
    plots = "".join(f"<figure>{svg}</figure>" for run in results["runs"] for svg in _plots(run))
    syn = [r for r in results["runs"] if r["dataset"] == "synthetic"]
    year_rows = "".join(_year_row(p) for r in syn for p in r["per_year"])
    cov = results.get("count_coverage")
    cov_rows = "".join(
        f"<tr><td>x{c['error_scale']:g}</td><td>{len(c['runs'])}</td><td>{100 * c['coverage']:.0f}%</td>"
        f"<td>{c['found_error_pct']['mean']:+.2f}%</td><td>{c['estimate_error_pct']['mean']:+.2f}%</td>"
        f"<td>{c['estimate_error_pct']['sd']:.2f}%</td><td>{c['estimate_error_pct']['mean_abs']:.2f}%</td>"
        f"<td>{c['interval_width_pct']['mean']:.1f}%</td></tr>"
        for c in (cov or {}).get("scenarios", [])
    )
    css = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
           "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
           "th{background:#eee}td:first-child{text-align:left}figure{margin:1em 0}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>linkage quality report</title><style>{css}</style></head>
<body>
<h1>linkage: linkage quality</h1>
<p>Created {html.escape(results['created'])}, {'quick' if results['quick'] else 'full'} run,
{results['seconds']} s. Every encoded run chooses its thresholds <b>without labels</b>; the labels are used
only to score. Reproduce with <code>linkage evaluate{' --quick' if results['quick'] else ''} --out DIR</code>.</p>
<h2>Results</h2>
<table><tr><th>data</th><th>records</th><th>threshold method</th><th>match threshold</th><th>precision</th>
<th>recall</th><th>F1</th><th>B-cubed F1</th><th>found persons</th><th>true persons</th><th>count error</th>
<th>plaintext F1 (ECM)</th><th>plaintext found (ECM)</th><th>plaintext exact key F1</th></tr>
{''.join(rows)}</table>
{_heldout_html(results.get("heldout"))}
<h2>Anchor and targets</h2>
<table><tr><th>data</th><th>anchor F1</th><th>anchor found</th><th>anchor</th><th>target</th></tr>{anchor_rows}</table>
<h3>Targets in this run</h3>
<table><tr><th>target</th><th>measured</th><th>met</th></tr>{target_rows}</table>
<h2>Count error per year (synthetic), and the estimated count</h2>
<p>"Found" is the number of persons the clustering makes. "Estimated" corrects it for chance collisions of
the quasi-identifiers and for missed links, from a count model learnt by simulation without the linkage key
(<code>linkage count-model</code>); the interval is a 95% parametric-bootstrap interval.</p>
<table><tr><th>year</th><th>reports</th><th>true persons</th><th>found persons</th><th>count error</th>
<th>estimated persons</th><th>95% interval</th><th>estimate error</th><th>interval covers truth</th></tr>
{year_rows}</table>
<h2>Coverage of the count estimate ({(cov or {}).get('year', '')}, one count model, independent data sets)</h2>
<p>Error rates of the reporters in the data: as modelled (x1), halved and doubled; the model is not told.</p>
<table><tr><th>data error rates</th><th>data sets</th><th>coverage of the 95% interval</th>
<th>mean found error</th><th>mean estimate error</th><th>sd of estimate error</th><th>mean |estimate error|</th>
<th>mean interval width</th></tr>{cov_rows}</table>
<h2>Score distributions and precision/recall against threshold</h2>
{plots}
<p>Precision, recall and F1 are pairwise over the found persons (every pair of reports put in one person);
B-cubed averages per report. Plaintext: recordlinkage with jellyfish comparisons and an ECM
(Fellegi-Sunter, EM) classifier on the raw values, no labels.</p>
</body></html>
"""

