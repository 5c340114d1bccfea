"""Crash safety and concurrency of the registry, with real processes.

Crash trials: each trial starts a fresh registry with some submissions already ingested
and linked, then starts a real child process that ingests a batch of submission files
(one all-or-nothing run) or links, and kills it with SIGKILL at a random moment while it
works. Then it checks that

- every submission is stored whole (its record count) or not at all, none twice, and the
  killed ingest run is all there or not there at all;
- the audit log verifies and holds one ``ingest`` entry per stored submission;
- after finishing the work (ingest the batch again, link), the persons equal those of a
  clean run on the same files (same partition of records into persons).

Concurrency trials (PostgreSQL, or SQLite): several processes ingest overlapping sets of
the same files (some under other names, some re-signed) at the same moment; every
distinct submission must be stored exactly once.

    python benchmarks/registry/crash.py --backend sqlite --trials 200 --out benchmarks/results/crash-sqlite.json
    python benchmarks/registry/crash.py --backend postgres --dsn postgresql://... --trials 100 --concurrency 20
    python benchmarks/registry/crash.py --quick                # what CI runs

Uses only the public API of ``linkage`` and ``linkage.registry``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

_CHILD = r"""
import sys, time
from linkage.registry import open_registry, ingest, link
target, op = sys.argv[1], sys.argv[2]
files = sys.argv[3:]
reg = open_registry(target)
print("ready", flush=True)
sys.stdin.readline()
t0 = time.perf_counter()
if op == "ingest":
    ingest(reg, files, actor="crash-test")
else:
    link(reg, actor="crash-test")
reg.close()
print("done %.4f" % (time.perf_counter() - t0), flush=True)
"""

_CONCURRENT = r"""
import sys, time
from linkage.registry import open_registry, ingest
target, start = sys.argv[1], float(sys.argv[2])
files = sys.argv[3:]
reg = open_registry(target)
while time.time() < start:
    time.sleep(0.001)
out = []
for f in files:
    try:
        r = ingest(reg, [f], actor="concurrent")
        out.append(r.submissions[0].outcome)
    except Exception as exc:
        out.append("error:" + type(exc).__name__ + ":" + str(exc)[:200])
reg.close()
print("|".join(out), flush=True)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_SECRET")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Backend:
    def __init__(self, kind: str, dsn: str | None, workdir: Path) -> None:
        self.kind = kind
        self.dsn = dsn
        self.workdir = workdir
        self._made: list[str] = []

    def fresh(self) -> str:
        if self.kind == "sqlite":
            d = Path(tempfile.mkdtemp(dir=self.workdir))
            return str(d / "registry.sqlite")
        import psycopg

        assert self.dsn is not None
        name = "crash_" + secrets.token_hex(5)
        with psycopg.connect(self.dsn, autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        self._made.append(name)
        return self.dsn.rsplit("/", 1)[0] + "/" + name

    def drop(self, target: str) -> None:
        if self.kind == "sqlite":
            shutil.rmtree(Path(target).parent, ignore_errors=True)
            return
        import psycopg

        name = target.rsplit("/", 1)[1]
        assert self.dsn is not None
        with psycopg.connect(self.dsn, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def make_world(workdir: Path, n_files: int, seed: int) -> dict[str, Any]:
    """Reporters' keys and submission files (synthetic, one linkage key), made once."""
    import pandas as pd

    import linkage
    from linkage.encode import generate_linkage_key
    from linkage.synth import generate

    schema = linkage.default_schema()
    key = generate_linkage_key()
    data = generate(seed=seed, years=(2021, 2022), scale=0.5).reports
    reporters = sorted(set(data["reporter"]))
    trusted = workdir / "trusted"
    trusted.mkdir()
    sks = {}
    for r in reporters:
        sk = linkage.generate_signing_key()
        linkage.write_signing_key(sk, workdir / f"{r}.key", trusted / f"{r}.pub")
        sks[r] = sk
    data["q"] = data["report_date"].str[:4] + "-Q" + ((data["report_date"].str[5:7].astype(int) - 1) // 3 + 1).astype(
        str)
    groups = sorted(data.groupby(["q", "reporter"]), key=lambda g: g[0])
    files = []
    for (q, r), part in groups[:n_files]:
        out = workdir / "subs" / f"{r}-{q}.lnk"
        out.parent.mkdir(exist_ok=True)
        enc = linkage.encode_dataframe(pd.DataFrame(part).reset_index(drop=True), schema, key)
        linkage.write_submission(out, enc, schema, reporter_id=str(r), signing_key=sks[r], period=_period(str(q)))
        files.append(out)
    return {"schema": schema, "files": files, "reporters": reporters, "trusted": trusted}


def _period(q: str) -> tuple[str, str]:
    from linkage.submission import parse_period

    return parse_period(q)


def setup_registry(target: str, world: dict[str, Any]) -> None:
    from linkage.registry import init_registry

    with init_registry(target, world["schema"], actor="crash-test") as reg:
        for r in world["reporters"]:
            reg.add_reporter(r, world["trusted"] / f"{r}.pub", r if r in (
                "police", "kmar", "nla", "fairwork", "care_coordinator") else "other", actor="crash-test")


def partition_of(target: str) -> set[frozenset[str]]:
    from linkage.registry import open_registry, persons_table

    with open_registry(target) as reg:
        t = persons_table(reg)
    return {frozenset(f"{a}/{b}" for a, b in zip(g["reporter"], g["record_id"], strict=True))
            for _, g in t.groupby("person_id")}


def check(target: str, world: dict[str, Any], batch: list[Path], before: set[str]) -> list[str]:
    """Invariants after a kill; returns the problems found."""
    from linkage.registry import open_registry, verify_audit
    from linkage.submission import read_submission

    problems: list[str] = []
    with open_registry(target) as reg:
        subs = {s["submission_id"]: s for s in reg.submissions()}
        with reg.db.read() as tx:
            per_sub = dict(tx.all("SELECT submission_id, COUNT(*) FROM records GROUP BY submission_id"))
            linked_state = tx.all("SELECT linked, person_id FROM records")
        entries = reg.audit_entries()
    for sid, s in subs.items():
        if int(per_sub.get(sid, 0)) != int(s["record_count"]):
            problems.append(f"submission {sid} half-written: {per_sub.get(sid, 0)} of {s['record_count']} records")
    if len(set(per_sub) - set(subs)):
        problems.append("records without a submission")
    ids = {}
    trusted = {}
    from linkage.submission import read_public_key

    for r in world["reporters"]:
        trusted[r] = read_public_key(world["trusted"] / f"{r}.pub")
    for f in batch:
        ids[f.name] = read_submission(f, trusted).submission_id
    stored = [ids[f.name] in subs for f in batch]
    new_in_batch = [ids[f.name] for f in batch if ids[f.name] not in before]
    present = [sid in subs for sid in new_in_batch]
    if any(present) and not all(present):
        problems.append(f"the killed run is half there: {sum(present)} of {len(present)} new submissions")
    del stored
    if verify_audit(entries):
        problems.append("audit chain broken: " + "; ".join(verify_audit(entries)))
    ingests = [e.details["submission"] for e in entries if e.action == "ingest"]
    if sorted(ingests) != sorted(subs):
        problems.append("audit ingest entries do not match the stored submissions")
    if len(ingests) != len(set(ingests)):
        problems.append("a submission was ingested twice")
    for linked, pid in linked_state:
        if linked and pid is None:
            problems.append("a record is half-linked")
            break
    return problems


def crash_trials(backend: Backend, world: dict[str, Any], trials: int, rng: random.Random,
                 reference: dict[tuple[str, ...], set[frozenset[str]]]) -> dict[str, Any]:
    from linkage.registry import ingest, link, open_registry

    files: list[Path] = world["files"]
    results = {"trials": 0, "failures": 0, "killed_while_working": 0, "finished_before_kill": 0,
               "killed_before_commit": 0, "killed_after_commit": 0,
               "by_op": {"ingest": 0, "link": 0}, "problems": []}
    durations: dict[str, list[float]] = {"ingest": [], "link": []}
    # calibration: each op twice without a kill, to spread the kills over the whole of its run
    plan = [(op, False) for op in ("ingest", "link") for _ in range(2)] + [
        (rng.choice(["ingest", "link"]), True) for _ in range(trials)]
    for t, (op, kill) in enumerate(plan):
        target = backend.fresh()
        try:
            setup_registry(target, world)
            k = rng.randrange(0, len(files) - 2)
            prefix, batch = files[:k], files[k:k + rng.randint(1, 3)]
            with open_registry(target) as reg:
                if prefix:
                    ingest(reg, prefix, actor="crash-test")
                    if rng.random() < 0.7:
                        link(reg, actor="crash-test")
                if op == "link":
                    ingest(reg, batch, actor="crash-test")
                before = {s["submission_id"] for s in reg.submissions()}
            child = subprocess.Popen([sys.executable, "-c", _CHILD, target, op, *map(str, batch)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=_env())
            assert child.stdout is not None and child.stdin is not None
            line = child.stdout.readline()
            if not line.startswith("ready"):
                raise RuntimeError("child did not start: " + (child.stderr.read() if child.stderr else ""))
            d = sorted(durations[op])
            window = 1.2 * d[-1] if d else 1.0
            delay = rng.uniform(0.0, window)
            child.stdin.write("go\n")
            child.stdin.flush()
            if kill:
                time.sleep(delay)
            finished = child.poll() is not None
            if kill and not finished:
                os.kill(child.pid, signal.SIGKILL)
            out, err = child.communicate(timeout=600)
            if not kill:
                for ln in out.splitlines():
                    if ln.startswith("done"):
                        durations[op].append(float(ln.split()[1]))
                if child.returncode != 0:
                    raise RuntimeError("calibration run failed: " + err.strip()[-500:])
                continue
            if finished or child.returncode == 0:
                results["finished_before_kill"] += 1
                if child.returncode != 0:
                    results["problems"].append(f"trial {t}: child failed: {err.strip()[-300:]}")
                    results["failures"] += 1
            else:
                results["killed_while_working"] += 1
                # did the kill land before or after the run's commit?
                with open_registry(target) as reg:
                    if op == "ingest":
                        landed = bool({s["submission_id"] for s in reg.submissions()} - before)
                    else:
                        landed = reg.status()["unlinked_records"] == 0
                results["killed_after_commit" if landed else "killed_before_commit"] += 1
            problems = check(target, world, batch, before)
            # finish the work, then compare with a clean run on the same files
            with open_registry(target) as reg:
                ingest(reg, batch, actor="crash-test")
                link(reg, actor="crash-test")
            got = partition_of(target)
            key = tuple(f.name for f in prefix + batch)
            if key not in reference:
                clean = backend.fresh()
                try:
                    setup_registry(clean, world)
                    with open_registry(clean) as reg:
                        ingest(reg, prefix + batch, actor="clean")
                        link(reg, full=True, actor="clean")
                    reference[key] = partition_of(clean)
                finally:
                    backend.drop(clean)
            if got != reference[key]:
                problems.append("persons after recovery differ from a clean run")
            recheck = check(target, world, batch, before)
            problems += [f"after recovery: {p}" for p in recheck]
            results["trials"] += 1
            results["by_op"][op] += 1
            if problems:
                results["failures"] += 1
                results["problems"].append(f"trial {t} ({op}, killed after {delay:.3f}s): " + "; ".join(problems))
        finally:
            backend.drop(target)
    results["op_seconds"] = {op: [round(x, 3) for x in d] for op, d in durations.items()}
    return results


def concurrency_trials(backend: Backend, world: dict[str, Any], trials: int, procs: int, rng: random.Random,
                       workdir: Path) -> dict[str, Any]:
    from linkage.registry import open_registry

    files: list[Path] = world["files"][:6]
    copies = []
    for f in files[:3]:  # the same submissions under other names
        c = workdir / "copies" / ("copy-" + f.name)
        c.parent.mkdir(exist_ok=True)
        shutil.copyfile(f, c)
        copies.append(c)
    pool = files + copies
    results = {"trials": 0, "failures": 0, "processes": procs, "ingest_calls": 0, "problems": []}
    for t in range(trials):
        target = backend.fresh()
        try:
            setup_registry(target, world)
            start = time.time() + 3.0
            children = []
            for _ in range(procs):
                mine = rng.sample(pool, k=len(pool))
                children.append(subprocess.Popen([sys.executable, "-c", _CONCURRENT, target, str(start),
                                                  *map(str, mine)], stdout=subprocess.PIPE,
                                                 stderr=subprocess.PIPE, text=True, env=_env()))
            outs = [c.communicate(timeout=600) for c in children]
            outcomes = [o for out, _ in outs for o in out.strip().split("|") if o]
            results["ingest_calls"] += len(outcomes)
            problems = [o for o in outcomes if o.startswith("error")]
            new = sum(1 for o in outcomes if o == "new")
            with open_registry(target) as reg:
                subs = reg.submissions()
                with reg.db.read() as tx:
                    n_records = int(tx.scalar("SELECT COUNT(*) FROM records"))
            expected_records = 0
            from linkage.submission import read_public_key, read_submission

            trusted = {r: read_public_key(world["trusted"] / f"{r}.pub") for r in world["reporters"]}
            for f in files:
                expected_records += len(read_submission(f, trusted))
            if new != len(files) or len(subs) != len(files) or n_records != expected_records:
                problems.append(f"stored {len(subs)} submissions / {n_records} records, {new} counted new; "
                                f"expected {len(files)} / {expected_records}")
            results["trials"] += 1
            if problems:
                results["failures"] += 1
                results["problems"].append(f"trial {t}: " + "; ".join(problems[:3]))
        finally:
            backend.drop(target)
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--dsn", default=os.environ.get("LINKAGE_TEST_POSTGRES_DSN"),
                    help="An admin DSN of a PostgreSQL server (a database is made per trial).")
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=0, help="Concurrent-ingest trials.")
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="A few trials (what CI runs).")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.quick:
        args.trials, args.files = min(args.trials, 6), min(args.files, 6)
        args.concurrency = min(args.concurrency, 1) if args.concurrency else 0
        args.processes = min(args.processes, 3)
    if args.backend == "postgres" and not args.dsn:
        raise SystemExit("--dsn (or LINKAGE_TEST_POSTGRES_DSN) is needed for PostgreSQL")
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        world = make_world(work, args.files, args.seed)
        backend = Backend(args.backend, args.dsn, work)
        reference: dict[tuple[str, ...], set[frozenset[str]]] = {}
        crash = crash_trials(backend, world, args.trials, rng, reference) if args.trials else None
        conc = (concurrency_trials(backend, world, args.concurrency, args.processes, rng, work)
                if args.concurrency else None)
    shown = [("DSN" if "://" in a else a) for a in (argv if argv is not None else sys.argv[1:])]
    cmd = "python benchmarks/registry/crash.py " + " ".join(shown)
    res = {"backend": args.backend, "quick": args.quick, "seed": args.seed, "files": args.files,
           "crash": crash, "concurrency": conc, "seconds": round(time.perf_counter() - t0, 1), "command": cmd}
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps({k: v for k, v in res.items()}, indent=2))
    return res


if __name__ == "__main__":
    main()
