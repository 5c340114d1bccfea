"""``linkage registry ...``: the registry that lasts for years, as commands.

Every command opens the registry named by ``--registry`` (or ``LINKAGE_REGISTRY``): a
SQLite file (the default, ``registry.sqlite``) or a ``postgresql://`` DSN (keep its
password in ``LINKAGE_REGISTRY`` or a ``.pgpass`` file, not on the command line). Registry
commands take no linkage key and refuse to run while one is in the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from linkage.cli._main import _print_json, _refuse_key_env, handle_errors


def _open(ctx: click.Context) -> Any:
    from linkage.registry import open_registry

    _refuse_key_env()
    return open_registry(ctx.obj["target"])


def _actor(ctx: click.Context) -> str | None:
    actor = ctx.obj.get("actor")
    return None if actor is None else str(actor)


@click.group("registry")
@click.option("--registry", "target", envvar="LINKAGE_REGISTRY", default="registry.sqlite", show_default=True,
              help="The registry: a SQLite file, or a postgresql:// DSN (env LINKAGE_REGISTRY).")
@click.option("--actor", envvar="LINKAGE_ACTOR", default=None,
              help="Who acts, for the audit log (default: the login name; env LINKAGE_ACTOR).")
@click.pass_context
def registry(ctx: click.Context, target: str, actor: str | None) -> None:
    """The registry: one store for years of submissions, linked incrementally, with an audit log.

    \b
    linkage registry init [--schema S.json] [--retention-days N]
    linkage registry reporters add police --public-key trusted/police.pub --type police
    linkage registry ingest police-2024-01.lnk ...
    linkage registry link
    linkage registry status | audit --verify
    """
    ctx.ensure_object(dict)
    ctx.obj["target"] = target
    ctx.obj["actor"] = actor


@registry.command("init")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Linkage schema of the registry (default: the built-in profile).")
@click.option("--retention-days", type=int, default=None,
              help="Keep records this many days after their reporting period ends (default: until withdrawn).")
@click.option("--suppress-below", type=int, default=10, show_default=True,
              help="Published cells below this count are suppressed.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def init_cmd(ctx: click.Context, schema_file: Path | None, retention_days: int | None, suppress_below: int,
             as_json: bool) -> None:
    """Create a registry for one linkage schema."""
    from linkage.registry import RegistrySettings, describe_target, init_registry
    from linkage.schema import load_schema

    _refuse_key_env()
    schema = load_schema(schema_file)
    settings = RegistrySettings(retention_days=retention_days, suppress_below=suppress_below)
    with init_registry(ctx.obj["target"], schema, settings=settings, actor=_actor(ctx)) as reg:
        out = {"registry": describe_target(ctx.obj["target"]), "backend": reg.kind, "schema": schema.name,
               "schema_fingerprint": schema.fingerprint, "settings": settings.to_json()}
    if as_json:
        _print_json(out)
    else:
        click.echo(f"created registry {out['registry']} ({out['backend']}) for schema {schema.name}")


@registry.group("reporters")
def reporters() -> None:
    """Register reporters and their public keys; list, suspend or resume them."""


@reporters.command("add")
@click.argument("reporter_id")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The reporter's Ed25519 public key (.pub, from 'linkage keygen --signing').")
@click.option("--type", "reporter_type", required=True,
              type=click.Choice(["police", "kmar", "nla", "fairwork", "care_coordinator", "other"]),
              help="Reporter type, for the statistics.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def reporters_add(ctx: click.Context, reporter_id: str, public_key: Path, reporter_type: str, as_json: bool) -> None:
    """Register a reporter with its public key."""
    with _open(ctx) as reg:
        out = reg.add_reporter(reporter_id, public_key, reporter_type, actor=_actor(ctx))
    if as_json:
        _print_json(out)
    else:
        click.echo(f"registered {reporter_id} ({reporter_type}), key {out['signer']}")


@reporters.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def reporters_list(ctx: click.Context, as_json: bool) -> None:
    """The registered reporters."""
    with _open(ctx) as reg:
        out = reg.reporters()
    if as_json:
        _print_json(out)
        return
    for r in out:
        click.echo(f"{r['reporter_id']:<20} {r['reporter_type']:<17} {r['signer']}  "
                   f"{'active' if r['active'] else 'suspended'}")


@reporters.command("suspend")
@click.argument("reporter_id")
@click.pass_context
@handle_errors
def reporters_suspend(ctx: click.Context, reporter_id: str) -> None:
    """Refuse this reporter's new submissions (what it sent stays counted until withdrawn)."""
    with _open(ctx) as reg:
        reg.set_reporter_active(reporter_id, False, actor=_actor(ctx))
    click.echo(f"suspended {reporter_id}: new submissions are refused; withdraw what it sent to stop counting it")


@reporters.command("resume")
@click.argument("reporter_id")
@click.pass_context
@handle_errors
def reporters_resume(ctx: click.Context, reporter_id: str) -> None:
    """Accept this reporter's submissions again."""
    with _open(ctx) as reg:
        reg.set_reporter_active(reporter_id, True, actor=_actor(ctx))
    click.echo(f"resumed {reporter_id}")


@registry.command("ingest")
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", default=None, metavar="PERIOD",
              help="Reporting period of files whose header declares none: 2024, 2024-03, 2024-Q1, or two dates.")
@click.option("--replaces", default=None, metavar="SUBMISSION_ID",
              help="For a file made without --replaces: the submission it corrects (one file).")
@click.option("--accept-overlap", is_flag=True,
              help="Store a submission that repeats most of an earlier one's records (logged), instead of refusing.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def ingest_cmd(ctx: click.Context, submissions: tuple[Path, ...], period: str | None, replaces: str | None,
               accept_overlap: bool, as_json: bool) -> None:
    """Verify and store submissions: each once, all of them or none."""
    from linkage.files import looks_like_key_file
    from linkage.registry import ingest
    from linkage.submission import parse_period

    for p in submissions:
        if looks_like_key_file(p):
            raise click.UsageError(f"{p.name} is a key file, not a submission; the registry never takes keys")
    with _open(ctx) as reg:
        res = ingest(reg, list(submissions), actor=_actor(ctx), period=None if period is None else parse_period(period),
                     replaces=replaces, accept_overlap=accept_overlap)
    if as_json:
        _print_json(res.to_json())
        return
    for s in res.submissions:
        note = f" ({s.detail})" if s.detail else ""
        flag = " [flagged: overlaps an earlier submission]" if s.flags.get("flagged") else ""
        click.echo(f"{s.file}: {s.outcome} {s.submission_id} {s.reporter_id}, {s.records} records{note}{flag}")
    click.echo(f"{res.new} new submission(s), {res.duplicates} already stored")


@registry.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def status_cmd(ctx: click.Context, as_json: bool) -> None:
    """What the registry holds: schema, epochs, reporters, submissions, records, persons, audit head."""
    with _open(ctx) as reg:
        out = reg.status()
    if as_json:
        _print_json(out)
        return
    click.echo(f"registry {out['registry']} ({out['backend']}), schema {out['schema']}")
    for k in ("epoch", "key_id", "reporters", "submissions", "records", "unlinked_records", "persons",
              "last_link", "audit_entries", "audit_head"):
        click.echo(f"  {k:<18} {out.get(k)}")


@registry.command("audit")
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 1 if an entry was edited or removed.")
@click.option("--expect-head", default=None, help="A head hash kept elsewhere earlier: it must still be in the log.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@click.pass_context
@handle_errors
def audit_cmd(ctx: click.Context, verify: bool, expect_head: str | None, as_json: bool) -> None:
    """Show or verify the audit log (who did what when; ids and outcomes, never values or keys)."""
    from linkage.registry import RegistryError, verify_audit

    with _open(ctx) as reg:
        entries = reg.audit_entries()
    if verify or expect_head:
        problems = verify_audit(entries, expect_head=expect_head)
        if problems:
            for p in problems:
                click.echo(f"audit: {p}", err=True)
            raise RegistryError(f"the audit log fails verification ({len(problems)} problem(s))")
        head = entries[-1].hash if entries else "-"
        if as_json:
            _print_json({"entries": len(entries), "head": head, "verified": True})
        else:
            click.echo(f"audit log intact: {len(entries)} entries, head {head}")
        return
    if as_json:
        _print_json([e.to_json() for e in entries])
        return
    for e in entries:
        click.echo(f"{e.seq:>6} {e.at} {e.actor:<12} {e.action:<18} {_short(e.details)}")


def _short(details: Any) -> str:
    import json

    text = json.dumps(details, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= 160 else text[:157] + "..."


@registry.command("link")
@click.option("--full", is_flag=True, help="Compare every record again (the result equals an incremental link).")
@click.option("--queryback", "queryback_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write each reporter's query-back list (pairs to check; no scores) into this new directory.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def link_cmd(ctx: click.Context, full: bool, queryback_dir: Path | None, as_json: bool) -> None:
    """Link new records to the persons already known (stable person ids; merges and splits recorded)."""
    from linkage.registry import link

    if queryback_dir is not None and queryback_dir.exists():
        raise click.UsageError(f"{queryback_dir.name} exists; the query-back lists go to a new directory")
    with _open(ctx) as reg:
        res = link(reg, actor=_actor(ctx), full=full)
    if queryback_dir is not None:
        _write_set(queryback_dir, {f"{r}.csv": df.to_csv(index=False).encode("utf-8")
                                   for r, df in res.queryback.items()})
    if as_json:
        _print_json(res.to_json())
        return
    ev = ", ".join(f"{v} {k}" for k, v in sorted(res.events.items())) or "no changes"
    click.echo(f"link run {res.run} ({res.mode}): {res.new_records} new of {res.records} records, "
               f"{res.pairs_added} pairs stored, {res.persons} persons; {ev}")


def _write_set(directory: Path, files: dict[str, bytes]) -> None:
    """Write files as one set: into a new sibling directory, then renamed into place."""
    from linkage.registry import write_file_set

    write_file_set(directory, files)


@registry.command("answers")
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signature", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The reporter's signature of the file (default: ANSWERS_FILE.sig).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def answers_cmd(ctx: click.Context, answers_file: Path, signature: Path | None, as_json: bool) -> None:
    """Store a reporter's signed answers (same / different / unknown) to its query-back list."""
    from linkage.registry import add_answers

    with _open(ctx) as reg:
        out = add_answers(reg, answers_file, actor=_actor(ctx), signature=signature)
    if as_json:
        _print_json(out)
    else:
        a = out["answers"]
        click.echo(f"{out['reporter']}: {a['same']} same, {a['different']} different, {a['unknown']} unknown; "
                   "the next link respects them")


@registry.command("withdraw")
@click.option("--submission", default=None, help="Withdraw a whole submission (its id).")
@click.option("--reporter", default=None, help="With --record: the reporter of the record.")
@click.option("--record", default=None, help="Withdraw one record (its record id, from the reporter's id map).")
@click.option("--reason", required=True, help="Why (e.g. 'consent withdrawn', 'sent in error'); logged.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def withdraw_cmd(ctx: click.Context, submission: str | None, reporter: str | None, record: str | None, reason: str,
                 as_json: bool) -> None:
    """Withdraw a submission or one record: its data is deleted now (run link to update the persons)."""
    from linkage.registry import withdraw

    with _open(ctx) as reg:
        out = withdraw(reg, reason=reason, submission=submission, reporter=reporter, record=record,
                       actor=_actor(ctx))
    if as_json:
        _print_json(out)
    else:
        click.echo(f"withdrawn: {out['records']} record(s) deleted; run 'linkage registry link' to update persons")


@registry.command("purge")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def purge_cmd(ctx: click.Context, as_json: bool) -> None:
    """Delete records past the retention period and compact the store (no trace in free pages or the WAL)."""
    from linkage.registry import purge

    with _open(ctx) as reg:
        out = purge(reg, actor=_actor(ctx))
    if as_json:
        _print_json(out)
    else:
        click.echo(f"purged: {len(out['submissions_expired'])} submission(s) past retention, "
                   f"{out['records_deleted']} record(s) deleted; store compacted")


@registry.command("settings")
@click.option("--retention-days", type=int, default=None, help="Keep records this many days after their period.")
@click.option("--no-retention", is_flag=True, help="Keep records until withdrawn.")
@click.option("--suppress-below", type=int, default=None, help="Small-cell threshold of published statistics.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def settings_cmd(ctx: click.Context, retention_days: int | None, no_retention: bool, suppress_below: int | None,
                 as_json: bool) -> None:
    """Show or change the registry's settings (changes are logged)."""
    changes: dict[str, Any] = {}
    if retention_days is not None:
        changes["retention_days"] = retention_days
    if no_retention:
        changes["retention_days"] = None
    if suppress_below is not None:
        changes["suppress_below"] = suppress_below
    with _open(ctx) as reg:
        st = reg.update_settings(actor=_actor(ctx), **changes) if changes else reg.settings()
    _print_json(st.to_json()) if as_json else click.echo(
        "  ".join(f"{k}={v}" for k, v in st.to_json().items()))


@registry.group("epoch")
def epoch() -> None:
    """Key epochs: a new linkage key (rotation after a suspected leak) starts a new epoch."""


@epoch.command("new")
@click.option("--key-id", required=True, help="Key id of the new linkage key ('linkage keygen' prints it).")
@click.option("--reason", required=True, help="Why the key changed; logged.")
@click.pass_context
@handle_errors
def epoch_new(ctx: click.Context, key_id: str, reason: str) -> None:
    """Start a new epoch; lists what each reporter must re-send under the new key."""
    from linkage.registry import resend_guide, start_epoch

    with _open(ctx) as reg:
        out = start_epoch(reg, key_id, reason=reason, actor=_actor(ctx))
        guide = resend_guide(reg)
    click.echo(f"epoch {out['epoch']} started under {key_id}: submissions under older keys are refused and "
               "never compared with new ones")
    for rep, subs in sorted(guide.items()):
        click.echo(f"  {rep}: re-encode under the new key and send with --replaces for each of: {' '.join(subs)}")


@epoch.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def epoch_list(ctx: click.Context, as_json: bool) -> None:
    """Epochs, and what is still to be re-sent under the current key."""
    from linkage.registry import resend_guide

    with _open(ctx) as reg:
        out = {"epochs": reg.epochs(), "to_resend": resend_guide(reg)}
    if as_json:
        _print_json(out)
        return
    for e in out["epochs"]:
        click.echo(f"epoch {e['epoch']}: {e['key_id']} since {e['started_at']} ({e['reason']})")
    for rep, subs in sorted(out["to_resend"].items()):
        click.echo(f"  to re-send by {rep}: {len(subs)} submission(s)")


@registry.command("stats")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="New directory for the statistics (CSV, JSON, offline HTML, manifest), written as one set.")
@click.option("--as-of", default=None, help="Figures as the registry stood on this date or time (ISO; default now).")
@click.option("--suppress-below", type=int, default=None, help="Small-cell threshold (default: the registry's).")
@click.option("--overwrite", is_flag=True, help="Replace an existing statistics directory (as one set).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def stats_cmd(ctx: click.Context, out: Path, as_of: str | None, suppress_below: int | None, overwrite: bool,
              as_json: bool) -> None:
    """Unique persons per year (new, earlier known, by reporter type) with the estimate, small cells suppressed."""
    import datetime as dt

    from linkage.registry import RegistryError, compute_stats, write_stats

    when = None
    if as_of is not None:
        try:
            when = dt.datetime.fromisoformat(as_of)
        except ValueError:
            raise RegistryError("--as-of must be an ISO date or time (e.g. 2024-12-31)") from None
        if len(as_of) == 10:
            when = when.replace(hour=23, minute=59, second=59)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    if out.exists() and not overwrite:
        raise click.UsageError(f"{out.name} exists; statistics go to a new directory (or use --overwrite)")
    with _open(ctx) as reg:
        st = compute_stats(reg, as_of=when, suppress_below=suppress_below)
        write_stats(reg, st, out, actor=_actor(ctx), overwrite=overwrite)
    if as_json:
        _print_json({**st.to_json(), "out": str(out)})
        return
    click.echo(f"statistics as of {st.as_of} -> {out}/ ({len(st.counted_submissions)} submissions counted)")
    for r in st.years:
        est = "" if r["estimate"] is None else \
            f"  estimate {r['estimate']:.0f} ({r['interval'][0]:.0f}-{r['interval'][1]:.0f})"
        show = {k: ("<" + str(st.suppress_below) if r[k] is None else r[k]) for k in ("persons", "new",
                                                                                      "earlier_known")}
        click.echo(f"  {r['year']}: {show['persons']} persons ({show['new']} new, {show['earlier_known']} "
                   f"known earlier){est}")
