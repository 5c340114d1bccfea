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
