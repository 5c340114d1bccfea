"""``linkage demo``: every party's part on synthetic reports, in one working directory.

Layout of the working directory::

    custodian/linkage.secret          the linkage secret (made by the key custodian)
    reporters/<r>/input.csv           each reporter's raw table (synthetic)
    reporters/<r>/signing.key         each reporter's Ed25519 private key
    reporters/<r>/idmap.csv           local id map: stays with the reporter
    submissions/<r>.lnk               signed submissions (what crosses over)
    registry/trusted/<r>.pub          reporters' public keys, held by the registry
    registry/out/                     the registry's outputs (no key, no raw values)

The registry step runs through the same code as ``linkage dedup`` and gets no
key. Only the final scoring against the truth plays the all-knowing observer:
it joins the reporters' local id maps to the synthetic truth.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd

from linkage.encode import generate_linkage_key, write_linkage_key
from linkage.evaluate import all_metrics
from linkage.intake import read_table
from linkage.pipeline import Progress, encode_table, run_dedup
from linkage.schema import default_schema
from linkage.submission import generate_signing_key, read_public_key, write_signing_key


def _reset(workdir: Path) -> None:
    for sub in ("custodian", "reporters", "submissions", "registry"):
        p = workdir / sub
        if p.exists():
            shutil.rmtree(p)
    workdir.mkdir(parents=True, exist_ok=True)


def run_demo(workdir: Path, *, seed: int = 2022, year: int = 2022, progress: Progress | None = None) -> dict[str, Any]:
    from linkage.synth import generate, reporter_tables

    t0 = time.perf_counter()
    prog = progress or (lambda stage, done, total: None)
    workdir = Path(workdir)
    _reset(workdir)
    schema = default_schema()

    data = generate(seed=seed, years=(year,))
    tables = reporter_tables(data)

    # Key custodian: one linkage secret for this domain and epoch.
    (workdir / "custodian").mkdir()
    secret_path = workdir / "custodian" / "linkage.secret"
    key = generate_linkage_key()
    write_linkage_key(key, secret_path)

    trusted = workdir / "registry" / "trusted"
    trusted.mkdir(parents=True)
    (workdir / "submissions").mkdir()
    submissions: list[Path] = []
    idmaps: dict[str, pd.DataFrame] = {}
    for i, (reporter, table) in enumerate(sorted(tables.items())):
        rdir = workdir / "reporters" / reporter
        rdir.mkdir(parents=True)
        table.to_csv(rdir / "input.csv", index=False)
        sk = generate_signing_key()
        write_signing_key(sk, rdir / "signing.key", trusted / f"{reporter}.pub")
        read_public_key(trusted / f"{reporter}.pub")
        out = workdir / "submissions" / f"{reporter}.lnk"
        raw = read_table(rdir / "input.csv")
        idmaps[reporter] = encode_table(
            raw, schema, key, sk, reporter_id=reporter, out_path=out, id_map_path=rdir / "idmap.csv"
        )
        submissions.append(out)
        prog("reporters encode", i + 1, len(tables))
    del key  # the registry part below never sees it

    from linkage.submission import load_trusted_keys

    result = run_dedup(submissions, load_trusted_keys(trusted), schema, workdir / "registry" / "out", progress=prog)

    # Observer: join found persons to the truth through the reporters' id maps.
    rows = []
    for reporter, idm in idmaps.items():
        truth_rows = data.reports[data.reports["reporter"] == reporter].reset_index(drop=True)
        for rec_id, row in idm[["record_id", "row"]].itertuples(index=False):
            rows.append((reporter, rec_id, truth_rows.loc[int(row) - 1, "person_id"]))
    truth = pd.DataFrame(rows, columns=["reporter", "record_id", "true_person"])
    joined = result.persons.merge(truth, on=["reporter", "record_id"], how="left", validate="one_to_one")
    true_unique = int(joined["true_person"].nunique())
    found_unique = int(result.summary.unique_persons)
    return {
        "workdir": str(workdir),
        "outputs": str(workdir / "registry" / "out"),
        "seed": seed,
        "year": year,
        "reports": int(len(joined)),
        "true_unique_persons": true_unique,
        "found_unique_persons": found_unique,
        "count_error_pct": 100.0 * (found_unique - true_unique) / true_unique if true_unique else 0.0,
        "quality": all_metrics(joined["person_id"].tolist(), joined["true_person"].tolist()),
        "summary": result.summary.to_json(),
        "seconds": round(time.perf_counter() - t0, 2),
    }
