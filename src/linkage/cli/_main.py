"""The ``linkage`` command: a thin shell over :mod:`linkage.pipeline`.

Exit codes: 0 success; 1 a ``linkage`` error (bad input, bad file, mismatch);
2 a usage error; 3 an unexpected internal error. Errors go to stderr and never
include input values or key material. ``--json`` puts a machine-readable result
on stdout. Progress bars appear on stderr only when it is a terminal.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from linkage.errors import KeyFileError, LinkageError

if TYPE_CHECKING:  # pragma: no cover
    from linkage.outputs import DedupSummary

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR = 1
EXIT_INTERNAL = 3


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(fn: F) -> F:
    """Turn library errors into a message on stderr and a non-zero exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LinkageError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as exc:  # the file system said no (permissions, a full disk): not a bug
            where = f" ({Path(exc.filename).name})" if exc.filename else ""
            _fail(f"{exc.strerror or type(exc).__name__}{where}")
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # never echo the message: it may hold a value
            if os.environ.get("LINKAGE_DEBUG") == "1":
                raise
            _fail(
                f"internal error ({type(exc).__name__}); rerun with LINKAGE_DEBUG=1 for a traceback",
                EXIT_INTERNAL,
            )
        return None

    return wrapper  # type: ignore[return-value]


class _Progress:
    """Progress callback drawing a rich bar on stderr, only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                console=_stderr_console(), transient=True,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(stage, total=max(total, 1))
        self._progress.update(task, completed=done, total=max(total, 1))


def _print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, sort_keys=True, default=str))


def _refuse_key_env() -> None:
    from linkage.files import SECRET_ENV, SECRET_FILE_ENV

    for name in (SECRET_ENV, SECRET_FILE_ENV):
        if os.environ.get(name):
            raise KeyFileError(
                f"{name} is set: registry commands never accept the linkage key; unset it for this command"
            )


def _refuse_key_files(paths: list[Path]) -> None:
    from linkage.files import looks_like_key_file

    for p in paths:
        if looks_like_key_file(p):
            raise KeyFileError(
                f"{p.name!r} is a key file: registry commands never accept the linkage secret or private keys"
            )


def _named(exc: LinkageError, name: str) -> LinkageError:
    """The same error with the file's name in front (for errors whose message is one text)."""
    from linkage.errors import KeyMaterialError, MismatchError, StoreError, SubmissionError

    if type(exc) in (LinkageError, MismatchError, StoreError, SubmissionError, KeyMaterialError, KeyFileError):
        return type(exc)(f"{name}: {exc}")
    return exc


def _load_linkage_key(key_file: Path | None) -> Any:
    from linkage.encode import linkage_key_from_env, read_linkage_key

    if key_file is not None:
        return read_linkage_key(key_file)
    key = linkage_key_from_env()
    if key is None:
        raise KeyFileError("no linkage key: give --key-file PATH or set LINKAGE_SECRET_FILE")
    return key


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="linkage")
def cli() -> None:
    """Privacy-preserving record linkage: count unique persons across reporters.

    Reporters: keygen, encode. Registry: inspect, dedup, reporter-page. Everyone: schema, demo.
    """


@cli.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="New file to create (mode 0600).")
@click.option("--signing", is_flag=True, help="Make a reporter's Ed25519 signing key pair instead of a linkage secret.")
@click.option("--public-out", type=click.Path(path_type=Path),
              help="Public key file, mode 0644 (default: OUT with a .pub suffix); must differ from --out.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@handle_errors
def keygen(out: Path, signing: bool, public_out: Path | None, as_json: bool) -> None:
    """Create a linkage secret (32 random bytes) or a reporter's signing key pair.

    The linkage secret is made once per linkage domain and epoch by the key
    custodian and shared with reporters only. Prints the key id, never the key.
    Nothing is ever overwritten; a key pair is written whole or not at all.
    """
    from linkage.encode import generate_linkage_key, write_linkage_key
    from linkage.files import check_outputs
    from linkage.submission import generate_signing_key, public_key_id, write_signing_key

    if out.suffix.lower() == ".pub":
        raise KeyFileError(
            f"--out {out.name!r} has a public-key name (.pub); a private key or secret never goes there: "
            "choose another name (e.g. .key or .secret)"
        )
    if signing:
        pub_path = public_out or out.with_suffix(".pub")
        check_outputs({"--out": out, "--public-out": pub_path})
        priv = generate_signing_key()
        write_signing_key(priv, out, pub_path)
        result = {"private_key": str(out), "public_key": str(pub_path), "signer": public_key_id(priv.public_key())}
    else:
        if public_out is not None:
            raise click.UsageError("--public-out is only for --signing key pairs")
        check_outputs({"--out": out})
        key = generate_linkage_key()
        write_linkage_key(key, out)
        result = {"secret_file": str(out), "key_id": key.key_id}
    if as_json:
        _print_json(result)
    else:
        for k, v in result.items():
            click.echo(f"{k}: {v}")


def _print_report(report: Any, *, err: bool = False, dry_run: bool = False) -> None:
    """The per-field summary of what went in (stdout, or stderr for a refused file)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=err, highlight=False, soft_wrap=True)
    console.print(f"input: {report.info.name} -- {report.info.describe()}; {report.records} record(s)")
    read = ", ".join(f"{label} -> {source}" for source, label in report.columns.sources.items())
    console.print(f"columns read: {read}")
    for label, why in report.columns.not_used:
        console.print(f"column not used: {label} ({why})")
    table = Table(title="what went in, per field", title_justify="left")
    for name in ("field", "from column(s)", "read", "missing", "refused"):
        table.add_column(name, justify="left" if name in ("field", "from column(s)") else "right")
    for f in report.fields:
        table.add_row(f.field, ", ".join(f.columns) or "(no column)", str(f.read), str(f.missing), str(f.refused))
    console.print(table)
    empty_fields = [f.field for f in report.fields if not f.columns]
    if empty_fields:
        console.print(f"note: no column for {', '.join(empty_fields)}: missing in every record")
    if report.records_without_fields:
        console.print(
            f"warning: {report.records_without_fields} record(s) have no field at all; each counts as a separate "
            "person at the registry"
        )
    if report.rejected:
        verb = {"refuse": "refused", "missing": "left out (encoded as missing)"}[report.invalid]
        if dry_run and report.invalid == "refuse":
            verb = "would refuse the file"
        console.print(f"{len(report.rejected)} invalid cell(s), {verb}:")
        if report.invalid == "refuse" or dry_run:
            for r in report.rejected:
                console.print(f"  - row {r.row}, column {r.column!r} ({r.field}): {r.reason}")
        tally: dict[tuple[str, str], int] = {}
        for r in report.rejected:
            tally[(r.column, r.reason)] = tally.get((r.column, r.reason), 0) + 1
        console.print("by column and reason:")
        for (column, reason), count in sorted(tally.items(), key=lambda kv: -kv[1]):
            console.print(f"  {count:>6}  {column}: {reason}")


@cli.command()
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reporter", "reporter_id", help="Your reporter id, e.g. 'police' (not needed with --dry-run).")
@click.option("--signing-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Your Ed25519 private key file (not needed with --dry-run).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Linkage secret file (or set LINKAGE_SECRET_FILE / LINKAGE_SECRET).")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Linkage schema JSON (default: the built-in profile).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Submission file to write.")
@click.option("--id-map", type=click.Path(dir_okay=False, path_type=Path),
              help="Local id map CSV (default: OUT.LOCAL-ONLY-idmap.csv). Keep it; never send it.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="With --invalid missing: local file of the cells left out (default: beside the id map, "
                   "OUT.LOCAL-ONLY-rejects.csv). Keep it; never send it.")
@click.option("--columns", "columns", multiple=True, metavar="INPUT=HEADER,...",
              help="Your header for an input column, e.g. --columns given_names=Roepnaam,nationality=Land "
                   "(see docs/input.md); Dutch and English names are known without it.")
@click.option("--case-ref-column", default=None, help="Column with your case reference (default: case_ref or a "
                                                      "known name such as dossiernummer).")
@click.option("--encoding", default=None, help="Text encoding of a CSV/TXT file (default: detected; e.g. cp1252).")
@click.option("--sheet", default=None, help="Worksheet of an .xlsx file (default: the first).")
@click.option("--invalid", type=click.Choice(["refuse", "missing"]), default="refuse", show_default=True,
              help="A cell that cannot be read: refuse the file (listing every problem), or encode it as missing "
                   "(listed in the local rejects file, counted in the submission).")
@click.option("--period", default=None, metavar="PERIOD",
              help="Reporting period of these records: 2024, 2024-03, 2024-Q1 or 2024-01-01..2024-03-31 (signed).")
@click.option("--replaces", default=None, metavar="SUBMISSION_ID",
              help="The submission id of an earlier submission of yours that this file corrects (signed).")
@click.option("--keep-record-ids", "keep_ids_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The local id map of an earlier submission of these records: keep their record "
              "ids (re-encoding under a new key epoch, so the registry carries the persons over).")
@click.option("--dry-run", is_flag=True, help="Show what would go in, and every problem; write nothing, need no key.")
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never a key or secret file).")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def encode(
    input_file: Path, reporter_id: str | None, signing_key: Path | None, key_file: Path | None,
    schema_file: Path | None, out: Path | None, id_map: Path | None, rejects: Path | None,
    columns: tuple[str, ...], case_ref_column: str | None, encoding: str | None, sheet: str | None, invalid: str,
    period: str | None, replaces: str | None, keep_ids_file: Path | None, dry_run: bool, overwrite: bool,
    as_json: bool,
) -> None:
    """Normalise, encode and sign a reporter's table (CSV/TXT, XLSX or Parquet).

    Prints what went in per field (read, missing, invalid). The submission and
    the local id map (and rejects file) are written together or not at all.
    """
    from linkage.errors import InputError
    from linkage.files import check_outputs, recover_commit
    from linkage.intake import parse_column_mapping
    from linkage.pipeline import check_table, default_outputs, encode_file
    from linkage.schema import load_schema

    schema = load_schema(schema_file)
    mapping = parse_column_mapping(columns)
    if case_ref_column is not None:
        mapping.setdefault("case_ref", case_ref_column)
    if dry_run:
        report = check_table(input_file, schema, columns=mapping, encoding=encoding, sheet=sheet, invalid=invalid)
        if as_json:
            _print_json({**report.to_json(), "dry_run": True})
        else:
            _print_report(report, dry_run=True)
            click.echo("dry run: nothing written" + (" (the file would be refused)" if report.refused else ""))
        if report.refused:
            sys.exit(EXIT_ERROR)
        return
    missing = [name for name, value in (("--reporter", reporter_id), ("--signing-key", signing_key), ("--out", out))
               if value is None]
    if missing:
        raise click.UsageError(f"missing option(s) {', '.join(missing)} (only --dry-run runs without them)")
    assert out is not None and signing_key is not None and reporter_id is not None
    from linkage.submission import parse_period

    period_dates = None if period is None else parse_period(period)
    keep_ids = None
    if keep_ids_file is not None:
        import pandas as pd

        keep_ids = pd.read_csv(keep_ids_file, dtype={"record_id": str, "case_ref": str})
    defaults = default_outputs(out, id_map)
    id_map_path = defaults["id_map"]
    rejects_path = rejects or defaults["rejects"]
    recovered = recover_commit(out)
    for p in recovered:
        click.echo(f"note: completed {p.name}, left unfinished by an interrupted earlier run", err=True)
    outputs = {"--out": out, "--id-map": id_map_path}
    if invalid == "missing":
        outputs["--rejects"] = rejects_path
    check_outputs(outputs, overwrite=overwrite, inputs={
        "table": input_file, "--signing-key": signing_key, "--key-file": key_file, "--schema": schema_file,
    })
    key = _load_linkage_key(key_file)
    from linkage.submission import read_signing_key

    sk = read_signing_key(signing_key)
    try:
        report = encode_file(
            input_file, schema, key, sk, reporter_id=reporter_id, out_path=out, id_map_path=id_map_path,
            rejects_path=rejects_path, columns=mapping, encoding=encoding, sheet=sheet, invalid=invalid,
            overwrite=overwrite, period=period_dates, replaces=replaces, keep_ids=keep_ids,
        )
    except InputError as exc:
        if exc.report is None:
            raise
        if as_json:
            _print_json(exc.report.to_json())
        else:
            _print_report(exc.report, err=True)
        _fail(f"{len(exc.problems)} invalid input value(s) in {input_file.name}; nothing was written "
              "(fix them, or run with --invalid missing to encode them as missing)")
        return
    if as_json:
        _print_json({**report.to_json(), "submission": str(out), "id_map": str(id_map_path),
                     "records": report.records, "key_id": key.key_id, "schema_fingerprint": schema.fingerprint})
    else:
        _print_report(report)
        click.echo(f"encoded {report.records} records -> {out}")
        click.echo(f"local id map (keep it, never send it) -> {id_map_path}")
        if "rejects" in report.written:
            click.echo(f"local rejects file, {len(report.rejected)} cell(s) (keep it, never send it) -> "
                       f"{report.written['rejects']}")


@cli.command()
@click.argument("submission", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trusted-keys", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Directory of reporters' public keys, one <reporter_id>.pub each.")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Refuse the file unless it was made under this schema.")
@click.option("--key-id", help="Refuse the file unless it was made under this key id.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def inspect(submission: Path, trusted_keys: Path, schema_file: Path | None, key_id: str | None, as_json: bool) -> None:
    """Verify a submission and describe it: header, counts, fill histogram."""
    from linkage.schema import load_schema
    from linkage.submission import describe_submission, load_trusted_keys, read_submission

    _refuse_key_env()
    _refuse_key_files([submission] + sorted(p for p in trusted_keys.iterdir() if p.is_file()))
    schema = load_schema(schema_file) if schema_file else None
    sub = read_submission(submission, load_trusted_keys(trusted_keys), schema=schema, key_id=key_id)
    info = describe_submission(sub)
    info["verified"] = True
    if as_json:
        _print_json(info)
        return
    from rich.table import Table

    table = Table(title=f"{submission.name}: signature verified", show_header=False)
    for k, v in info.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}: {b}" for a, b in v.items())
        table.add_row(k, str(v))
    from rich.console import Console

    Console().print(table)


@cli.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trusted-keys", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Directory of reporters' public keys, one <reporter_id>.pub each.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output directory.")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Linkage schema JSON (default: the built-in profile).")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path),
              help="Registry SQLite store (default: OUT/registry.sqlite).")
@click.option("--key-id", help="Expected key id of the linkage domain and epoch.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="How many cores the comparison uses (default: all): threads in this process, or worker "
                   "processes with --executor process, or LocalCluster workers with --executor dask.")
@click.option("--executor", "executor_name", type=click.Choice(["local", "process", "dask"]), default="local",
              show_default=True,
              help="Where the comparison runs: this process (threads), a pool of processes sharing the filters "
                   "through memory-mapped files, or a Dask cluster (see --scheduler; needs the dask extra).")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786) for --executor dask; without it a "
                                  "LocalCluster starts on this machine.")
@click.option("--blocking", type=click.Choice(["auto", "none", "lsh"]), default="auto", show_default=True,
              help="Which pairs are compared: auto = all pairs up to 50,000 records, Hamming LSH above; "
                   "none = all pairs; lsh = Hamming LSH (16 bits x 128 bands).")
@click.option("--count-model", "count_model_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Count model from 'linkage count-model': adds the estimated true count with an interval.")
@click.option("--same-submission", type=click.Choice(["auto", "match", "review"]), default="auto",
              show_default=True,
              help="Pairs inside one submission: match them, send them to review, or auto (match when every "
                   "record comes from one reporter, so a single file is a batch dedup job; else the schema's rule).")
@click.option("--validation-size", type=click.IntRange(min=0), default=150, show_default=True,
              help="Pairs sampled (stratified by match probability) into the query-back lists (reason "
                   "'validation'); reporters' answers to them correct the estimate (150: about +-1%).")
@click.option("--validation-seed", type=int, default=0, show_default=True,
              help="Seed of the validation sample (keep it to take the answers back).")
@click.option("--answers", "answer_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A reporter's answers (CSV: record_id, other_reporter, other_record_id, answer = "
                   "same/different/unknown; one file per reporter, named <reporter>.csv). Repeatable.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def dedup(
    submissions: tuple[Path, ...], trusted_keys: Path, out: Path, schema_file: Path | None, store: Path | None,
    key_id: str | None, workers: int | None, executor_name: str, scheduler: str | None, blocking: str,
    count_model_file: Path | None, same_submission: str, validation_size: int, validation_seed: int,
    answer_files: tuple[Path, ...], as_json: bool,
) -> None:
    """Registry batch job: verify submissions, find double counts, count unique persons.

    Writes persons.csv/.parquet, queryback/<reporter>.csv, summary.json and
    manifest.json to OUT. Never takes a linkage key.
    """
    from linkage.execution import DaskExecutor, LocalExecutor, ProcessExecutor
    from linkage.pipeline import run_dedup
    from linkage.schema import load_schema
    from linkage.submission import load_trusted_keys

    _refuse_key_env()
    _refuse_key_files(list(submissions) + sorted(p for p in trusted_keys.iterdir() if p.is_file())
                      + ([count_model_file] if count_model_file else []))
    if out.exists() and not out.is_dir():
        raise LinkageError(f"--out {out.name!r} is a file, not a directory")
    if store is not None and not store.parent.is_dir():
        raise LinkageError(f"--store: directory {str(store.parent)!r} does not exist")
    schema = load_schema(schema_file)
    model = None
    if count_model_file is not None:
        from linkage.estimate import load_count_model

        try:
            model = load_count_model(count_model_file)
            model.check(schema)
        except LinkageError as exc:
            raise _named(exc, count_model_file.name) from None
    if scheduler is not None and executor_name != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    executor: LocalExecutor | ProcessExecutor | DaskExecutor
    if executor_name == "process":
        executor = ProcessExecutor(workers)
    elif executor_name == "dask":
        executor = DaskExecutor(scheduler, workers=workers)
    else:
        executor = LocalExecutor(workers)
    with executor if not isinstance(executor, LocalExecutor) else contextlib.nullcontext(), \
            _Progress(not as_json) as progress:
        result = run_dedup(list(submissions), load_trusted_keys(trusted_keys), schema, out, store_path=store,
                           key_id=key_id, executor=executor, progress=progress, count_model=model,
                           blocking=blocking, same_submission=same_submission, validation_size=validation_size,
                           validation_seed=validation_seed, answers=list(answer_files))
    if as_json:
        _print_json(result.summary.to_json())
    else:
        _print_summary(result.summary, out)


def _print_summary(summary: DedupSummary, out: Path | str | None, extra: list[tuple[str, str]] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    from linkage.outputs import summary_table

    table = Table(title="linkage dedup summary", show_header=False)
    for k, v in summary_table(summary):
        table.add_row(k, v)
    for k, v in extra or []:
        table.add_row(k, v)
    console = Console()
    console.print(table)
    if out is not None:
        console.print(f"outputs in {out}")


@cli.command("count-model")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Model file (JSON) to write.")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Linkage schema JSON (default: the built-in profile).")
@click.option("--year", "years", type=int, multiple=True, help="Report year(s) to simulate (default 2022).")
@click.option("--replicates", type=int, default=40, show_default=True, help="Simulated rounds per year.")
@click.option("--seed", type=int, default=10_000, show_default=True, help="First seed of the simulation.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def count_model_cmd(out: Path, schema_file: Path | None, years: tuple[int, ...], replicates: int, seed: int,
                    as_json: bool) -> None:
    """Build the count model 'dedup --count-model' uses, by simulation; needs no linkage key.

    Synthetic reports (linkage.synth) are encoded under a throwaway key to learn how
    chance pairs and true pairs score for each pair of presence patterns.
    """
    from linkage.files import check_outputs
    from linkage.schema import load_schema
    from linkage.simulate import build_count_model

    _refuse_key_env()
    check_outputs({"--out": out}, overwrite=True)  # before minutes of simulation
    schema = load_schema(schema_file)
    with _Progress(not as_json) as progress:
        model = build_count_model(schema, years=years or (2022,), replicates=replicates, seed=seed,
                                  progress=progress)
    model.save(out)
    info = {"out": str(out), "years": list(model.years), "replicates": model.replicates, "seed": model.seed,
            "strata": len(model.strata), "rho": round(model.rho, 4), "schema_fingerprint": model.schema_fingerprint}
    if as_json:
        _print_json(info)
    else:
        click.echo(f"count model for {', '.join(map(str, model.years))} "
                   f"({model.replicates} replicates, {len(model.strata)} presence strata) written to {out}")


@cli.command("reporter-page")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (one self-contained offline page).")
@click.option("--check", "check_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Instead of writing a page: print the check value and SHA-256 of an existing page.")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Linkage schema JSON (default: the built-in profile).")
@click.option("--reporter", "reporter_id", help="The reporter id the page signs as (default: the page asks).")
@click.option("--key-id", help="The key id of the linkage secret reporters must use (kid-...; keygen printed it).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="The page's language when it opens (it can switch).")
@click.option("--overwrite", is_flag=True, help="Replace an existing page.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def reporter_page_cmd(out: Path | None, check_file: Path | None, schema_file: Path | None, reporter_id: str | None,
                      key_id: str | None, lang: str, overwrite: bool, as_json: bool) -> None:
    """Write the offline reporter page: encode and sign in a browser, byte for byte as 'linkage encode'.

    Prints the page's check value (shown in its footer) and the SHA-256 of the
    file: publish both, so reporters can check the page they got. Needs no key.
    With --check, prints both for an existing page instead.
    """
    import hashlib

    from linkage.reporter_page import check_value, write_reporter_page
    from linkage.schema import load_schema

    if check_file is not None:
        if out is not None:
            raise click.UsageError("give --out (write a page) or --check (check one), not both")
        data = check_file.read_bytes()
        checked = {"page": str(check_file), "bytes": len(data), "check_value": check_value(data),
                   "file_sha256": hashlib.sha256(data).hexdigest()}
        if as_json:
            _print_json(checked)
        else:
            click.echo(f"check value: {checked['check_value']}")
            click.echo(f"file SHA-256: {checked['file_sha256']}")
        return
    if out is None:
        raise click.UsageError("missing option --out (or --check PAGE)")

    schema = load_schema(schema_file)
    page = write_reporter_page(out, schema, reporter_id=reporter_id, key_id=key_id, lang=lang, overwrite=overwrite)
    info = {"page": str(out), "bytes": page.size, "check_value": page.check_value, "file_sha256": page.file_sha256,
            "schema_fingerprint": page.schema_fingerprint, "reporter_id": reporter_id, "key_id": key_id}
    if as_json:
        _print_json(info)
        return
    click.echo(f"reporter page ({page.size:,} bytes) -> {out}")
    click.echo(f"check value (in the page's footer): {page.check_value}")
    click.echo(f"file SHA-256 (sha256sum, certutil -hashfile ... SHA256): {page.file_sha256}")
    click.echo(f"schema fingerprint: {page.schema_fingerprint}")
    if key_id is None:
        click.echo("note: no --key-id: the page accepts any linkage secret and shows its key id", err=True)


@cli.command("schema")
@click.argument("schema_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json-schema", is_flag=True, help="Print the JSON Schema that linkage schemas must satisfy.")
@handle_errors
def schema_cmd(schema_file: Path | None, json_schema: bool) -> None:
    """Validate a linkage schema (default: the built-in profile) and print it with its fingerprint."""
    from linkage.schema import json_schema as js
    from linkage.schema import load_schema, schema_to_json

    if json_schema:
        _print_json(js())
        return
    s = load_schema(schema_file)
    click.echo(schema_to_json(s), nl=False)
    click.echo(f"fingerprint: {s.fingerprint}", err=True)


@cli.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("linkage-demo"),
              show_default=True, help="Working directory (its demo files are replaced).")
@click.option("--seed", type=int, default=2022, show_default=True, help="Seed of the synthetic reports.")
@click.option("--year", type=int, default=2022, show_default=True, help="Report year to simulate.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def demo(workdir: Path, seed: int, year: int, as_json: bool) -> None:
    """The whole path on synthetic reports: reporters encode and sign, the registry dedups.

    Prints the found number of unique persons next to the true number.
    """
    from linkage.cli._demo import run_demo

    with _Progress(not as_json) as progress:
        result = run_demo(workdir, seed=seed, year=year, progress=progress)
    if as_json:
        _print_json(result)
        return
    from linkage.outputs import DedupSummary

    q = result["quality"]
    _print_summary(
        DedupSummary.from_json(result["summary"]),
        result["outputs"],
        extra=[
            ("TRUE unique persons", str(result["true_unique_persons"])),
            ("FOUND unique persons", str(result["found_unique_persons"])),
            ("count error", f"{result['count_error_pct']:+.2f}%"),
            ("pairwise precision / recall", f"{q['precision']:.3f} / {q['recall']:.3f}"),
        ],
    )


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("quality"), show_default=True,
              help="Directory for quality.json and quality.html.")
@click.option("--quick", is_flag=True, help="Small run (FEBRL1 and FEBRL3, two synthetic years), as in CI.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the synthetic data.")
@click.option("--no-baseline", is_flag=True, help="Skip the plaintext recordlinkage baseline.")
@click.option("--heldout", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The frozen held-out scenarios (benchmarks/quality/heldout/scenarios.json): adds the held-out "
                   "table (never tuned on) beside the development results.")
@click.option("--heldout-limit", type=click.IntRange(min=1), default=None,
              help="At most this many held-out data sets per family (default: all; the 1M run is never included).")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def evaluate(out: Path, quick: bool, seed: int, no_baseline: bool, heldout: Path | None, heldout_limit: int | None,
             as_json: bool) -> None:
    """Linkage quality on FEBRL and synthetic data: JSON results and an offline HTML report.

    Thresholds are chosen without labels; labels only score the result. Needs the
    [report] and [baseline] extras.
    """
    import json as _json

    from linkage.evaluate import quality_html, run_quality
    from linkage.files import atomic_write_bytes

    results = run_quality(quick=quick, seed=seed, baseline=not no_baseline, heldout=heldout,
                          heldout_limit=heldout_limit)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "quality.json", [(_json.dumps(results, indent=2) + "\n").encode()], overwrite=True)
    atomic_write_bytes(out / "quality.html", [quality_html(results).encode()], overwrite=True)
    summary = [
        {k: r[k] for k in ("dataset", "records", "precision", "recall", "f1", "found_unique", "true_unique",
                           "count_error_pct") if k in r} | {"view": r.get("view", "")}
        for r in results["runs"]
    ]
    if as_json:
        _print_json({"out": str(out), "runs": summary})
        return
    for r in summary:
        click.echo(
            f"{r['dataset']:<10} {r['view']:<8} F1 {r['f1']:.3f}  P {r['precision']:.3f}  R {r['recall']:.3f}  "
            f"persons {r['found_unique']} found / {r['true_unique']} true ({r['count_error_pct']:+.2f}%)"
        )
    for r in results["runs"]:
        for p in r.get("per_year", []):
            if p.get("estimate"):
                lo, hi = p["estimate"]["interval"]
                click.echo(f"  {p['year']}: {p['true_unique']} true, {p['found_unique']} found, "
                           f"{p['estimate']['estimate']:.0f} estimated (95% interval {lo:.0f}-{hi:.0f})")
    for c in results.get("count_coverage", {}).get("scenarios", []):
        click.echo(f"count estimate, data error rates x{c['error_scale']:g}: interval coverage "
                   f"{100 * c['coverage']:.0f}% over {len(c['runs'])} data sets")
    for name, fam in (results.get("heldout") or {}).get("families", {}).items():
        s = fam["summary"]
        a = (s.get("answers") or {}).get("150") or {}
        cov = "n/a" if s["coverage"] is None else f"{100 * s['coverage']:.0f}%"
        line = (f"held-out {name}: coverage {cov}, mean abs error "
                f"{s['estimate_error_pct']['mean_abs']:.2f}%, worst {s['estimate_error_pct']['worst_abs']:.2f}%")
        if a:
            line += (f"; with 150 answers {100 * a['coverage']:.0f}%, "
                     f"{a['estimate_error_pct']['mean_abs']:.2f}%")
        click.echo(line)
    click.echo(f"report: {out / 'quality.html'}")


@cli.command("privacy-report")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("privacy"), show_default=True,
              help="Directory for privacy.json and privacy.html.")
@click.option("--quick", is_flag=True, help="Small run (2,000 persons, three settings), as in CI.")
@click.option("--population", type=int, default=None, help="Synthetic persons to encode and attack (default 10,000).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--profile-population", type=int, default=None,
              help="Persons per population for the profile graph attack's overlap curves (default 1,000; quick 200).")
@click.option("--profile-results", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Embed these overlap curves (benchmarks/privacy/profile_attack.py's JSON) instead of running them.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def privacy_report_cmd(out: Path, quick: bool, population: int | None, seed: int, profile_population: int | None,
                       profile_results: Path | None, as_json: bool) -> None:
    """Re-identification risk next to linkage quality, for each hardening setting: JSON and a DPIA-ready HTML page.

    Runs the attack suite (frequency alignment, bit-pattern mining, graph
    matching, and a dictionary attack with a leaked key) on synthetic data only.
    """
    import json as _json

    from linkage.errors import LinkageError
    from linkage.files import atomic_write_bytes
    from linkage.privacy import default_settings, privacy_html, privacy_sweep, profile_attack_report

    n = population or (2000 if quick else 10_000)
    if profile_results is not None:
        try:
            profile = _json.loads(profile_results.read_text("utf-8"))
            if not isinstance(profile, dict) or not isinstance(profile.get("settings"), dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            raise LinkageError("--profile-results: not the JSON benchmarks/privacy/profile_attack.py writes") from None
    results = privacy_sweep(default_settings(quick=quick), population=n, seed=seed)
    if profile_results is None:
        m = profile_population or (200 if quick else 1000)
        profile = profile_attack_report(population=m, attacker_keys=4 if quick else 16)
    results["profile_attack"] = profile
    command = f"linkage privacy-report{' --quick' if quick else ''} --population {n} --seed {seed} --out DIR"
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "privacy.json", [(_json.dumps(results, indent=2) + "\n").encode()], overwrite=True)
    atomic_write_bytes(out / "privacy.html", [privacy_html(results, command=command).encode()], overwrite=True)
    if as_json:
        _print_json({"out": str(out), "settings": list(results["settings"])})
        return
    for name, r in results["settings"].items():
        worst = max((a["full_tuple"] for k, a in r["attacks"].items() if k != "dictionary_leaked_key"), default=0.0)
        click.echo(f"{name:<34} F1 {r['quality']['f1']:.3f}  best keyless attack: {100 * worst:.1f}% full tuples")
    for name, entry in profile["settings"].items():
        curve = ", ".join(f"{100 * float(s):.0f}% overlap {100 * w['full_tuple']:.1f}%"
                          for s, w in entry.get("worst", {}).items())
        click.echo(f"profile graph attack, {name}: full tuples {curve}")
    click.echo(f"report: {out / 'privacy.html'}")


def main() -> None:
    cli(prog_name="linkage")


@cli.command("sign-answers")
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signing-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Your Ed25519 signing key (the one you sign submissions with).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Signature file to write (default: ANSWERS_FILE.sig).")
@handle_errors
def sign_answers_cmd(answers_file: Path, signing_key: Path, out: Path | None) -> None:
    """Reporter: sign your answers to a query-back list (columns record_id, other_reporter, other_record_id,
    answer = same / different / unknown, optional answered_on) for the registry."""
    from linkage.files import atomic_write_bytes
    from linkage.submission import read_signing_key, sign_answers

    target = out or answers_file.with_name(answers_file.name + ".sig")
    sig = sign_answers(answers_file.read_bytes(), read_signing_key(signing_key))
    atomic_write_bytes(target, [sig], overwrite=True)
    click.echo(f"signed -> {target}")


def _add_registry_commands() -> None:
    from linkage.cli._registry import registry

    cli.add_command(registry)


_add_registry_commands()
