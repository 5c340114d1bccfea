"""Store conformance and intake, on SQLite and PostgreSQL alike (one suite, both backends)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import linkage
from linkage.encode import LinkageKey, encode_dataframe
from linkage.errors import MismatchError, StoreError, SubmissionError
from linkage.registry import RegistryError, ingest, init_registry, open_registry, verify_audit
from linkage.submission import parse_period

from .conftest import World, rows, synth_reports


def _registry(target: str | Path, world: World, reporters: tuple[str, ...] = ("police", "fairwork", "care")):
    reg = init_registry(target, world.schema)
    for r in reporters:
        reg.add_reporter(r, world.pub(r), "police" if r == "police" else "fairwork" if r == "fairwork" else "other")
    return reg


def test_init_reopen_and_refuse_a_second_init(target: str | Path, world: World) -> None:
    with _registry(target, world) as reg:
        assert reg.schema.fingerprint == world.schema.fingerprint
        assert [r["reporter_id"] for r in reg.reporters()] == ["care", "fairwork", "police"]
    with open_registry(target) as reg:
        assert reg.settings().suppress_below == 10
        assert [e.action for e in reg.audit_entries()][:2] == ["init", "reporter_add"]
    with pytest.raises(RegistryError):
        init_registry(target, world.schema)


def test_reporter_registration_rules(target: str | Path, world: World) -> None:
    with _registry(target, world, ("police",)) as reg:
        with pytest.raises(RegistryError, match="already registered"):
            reg.add_reporter("police", world.pub("fairwork"), "police")
        with pytest.raises(RegistryError, match="already registered for reporter 'police'"):
            reg.add_reporter("kmar", world.pub("police"), "kmar")
        with pytest.raises(RegistryError, match="reporter type"):
            reg.add_reporter("kmar", world.pub("care"), "army")


def test_a_file_counts_once_whatever_its_name_or_signature(target: str | Path, world: World) -> None:
    df = rows(synth_reports(), 40)
    sub = world.submission("police", df)
    copy = sub.with_name("renamed.lnk")
    copy.write_bytes(sub.read_bytes())
    resigned = _resign(sub, world.signing["police"], world.tmp / "resigned.lnk")
    with _registry(target, world) as reg:
        r1 = ingest(reg, [sub])
        assert (r1.new, r1.duplicates) == (1, 0)
        r2 = ingest(reg, [copy, resigned, sub])
        assert (r2.new, r2.duplicates) == (0, 3)
        assert reg.record_count() == 40
        assert len(reg.submissions()) == 1


def _resign(path: Path, sk: object, out: Path) -> Path:
    """The same records under a new header (new submission id, new time), signed again."""
    from linkage.submission._format import _DOMAIN, MAGIC, SIGNATURE_BYTES

    data = path.read_bytes()
    hlen = int.from_bytes(data[8:12], "big")
    header = json.loads(data[12:12 + hlen])
    header["submission_id"] = "f" * 32
    header["created"] = "2030-01-01T00:00:00+00:00"
    hb = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    prefix = MAGIC + len(hb).to_bytes(4, "big") + hb
    sig = sk.sign(_DOMAIN + prefix)  # type: ignore[attr-defined]
    out.write_bytes(prefix + sig + data[12 + hlen + SIGNATURE_BYTES:])
    return out


def test_a_run_is_all_or_nothing_and_a_refusal_is_logged(target: str | Path, world: World) -> None:
    df = synth_reports()
    good = world.submission("police", rows(df, 30))
    bad = world.submission("fairwork", rows(df, 30, 30))
    data = bytearray(bad.read_bytes())
    data[-3] ^= 0xFF
    bad.write_bytes(bytes(data))
    with _registry(target, world) as reg:
        with pytest.raises(SubmissionError, match=bad.name):
            ingest(reg, [good, bad])
        assert reg.record_count() == 0 and reg.submissions() == []
        last = reg.audit_entries()[-1]
        assert last.action == "ingest_refused" and bad.name in last.details["reason"]
        assert verify_audit(reg.audit_entries()) == []


def test_a_corrected_resubmission_replaces_the_one_it_names(target: str | Path, world: World) -> None:
    df = synth_reports()
    first = world.submission("police", rows(df, 50))
    with _registry(target, world) as reg:
        sid = ingest(reg, [first]).submissions[0].submission_id
        fix = world.submission("police", rows(df, 45, 5), replaces=sid)  # mostly the same records, corrected
        res = ingest(reg, [fix])
        assert res.submissions[0].outcome == "replaces"
        subs = {s["submission_id"]: s for s in reg.submissions()}
        assert subs[sid]["status"] == "replaced"
        assert reg.record_count() == 45
        with pytest.raises(RegistryError, match="already replaced"):
            ingest(reg, [world.submission("police", rows(df, 10, 200), replaces=sid)])
        with pytest.raises(RegistryError, match="another reporter"):
            other = res.submissions[0].submission_id
            ingest(reg, [world.submission("fairwork", rows(df, 10, 300), replaces=other)])


def test_a_reencoded_resend_is_refused_naming_both_submissions(target: str | Path, world: World) -> None:
    df = rows(synth_reports(), 60)
    first = world.submission("police", df)
    again = world.submission("police", df)  # same table encoded again: new record ids, new payload
    with _registry(target, world) as reg:
        sid = ingest(reg, [first]).submissions[0].submission_id
        with pytest.raises(RegistryError, match=rf"repeats 60 of the 60 records of its earlier submission {sid}"):
            ingest(reg, [again])
        assert reg.record_count() == 60
        res = ingest(reg, [again], accept_overlap=True)
        assert res.submissions[0].flags["overlap_accepted"] is True
        assert reg.record_count() == 120


def test_a_cumulative_export_is_refused_and_a_small_overlap_flagged(target: str | Path, world: World) -> None:
    df = synth_reports()
    police = df[df["reporter"] == "police"].reset_index(drop=True)
    q1 = world.submission("police", rows(police, 80), period=parse_period("2022-Q1"))
    year = world.submission("police", rows(police, 300), period=parse_period("2022"))
    with _registry(target, world) as reg:
        ingest(reg, [q1])
        with pytest.raises(RegistryError, match="repeats 80 of the 80 records"):
            ingest(reg, [year])
        # a new month that shares a few persons with the first quarter is taken in, with a flag
        apr = rows(police, 60, 200)
        apr.iloc[:12] = rows(police, 12).to_numpy()
        res = ingest(reg, [world.submission("police", apr, period=parse_period("2022-04"))])
        flags = res.submissions[0].flags
        assert flags["flagged"] is True and flags["overlaps"][0]["repeated"] >= 12


def _impossible(world: World, how: str) -> Path:
    df = rows(synth_reports(), 40)
    enc = encode_dataframe(df, world.schema, world.key)
    filters, presence = enc.filters.copy(), enc.presence.copy()
    if how == "presence":
        presence[3] |= np.uint16(1 << 9)
    elif how == "zero":
        filters[5] = 0
    elif how == "ones":
        filters[[6, 7]] = np.uint64(0xFFFFFFFFFFFFFFFF)
    elif how == "fill":
        pats, counts = np.unique(presence, return_counts=True)
        idx = int(np.flatnonzero(presence == pats[np.argmax(counts)])[0])
        filters[idx] = np.uint64(0xFFFFFFFFFFFFFF00)  # seven bits in eight: far above any real fill
    enc2 = linkage.EncodedRecords(filters, presence, enc.rows, enc.schema_fingerprint, enc.key_id)
    out = world.tmp / f"impossible-{how}.lnk"
    linkage.write_submission(out, enc2, world.schema, reporter_id="police", signing_key=world.signing["police"],
                             period=("2024-01-01", "2024-01-31"))
    return out


@pytest.mark.parametrize("how,reason", [
    ("presence", "presence bits beyond the schema's 4 fields"),
    ("zero", "an empty filter"),
    ("ones", "every bit set"),
    ("fill", "fill far outside"),
])
def test_impossible_records_are_refused_naming_the_submission(target: str | Path, world: World, how: str,
                                                              reason: str) -> None:
    path = _impossible(world, how)
    with _registry(target, world) as reg:
        # a reference of ordinary records from another reporter
        ingest(reg, [world.submission("care", rows(synth_reports(seed=2), 200))])
        with pytest.raises(SubmissionError, match=reason) as exc:
            ingest(reg, [path])
        assert path.name in str(exc.value) and "submission " in str(exc.value)
        assert reg.record_count() == 200


def test_schema_key_period_and_suspension_are_checked(target: str | Path, world: World) -> None:
    df = rows(synth_reports(), 20)
    with _registry(target, world) as reg:
        with pytest.raises(RegistryError, match="declares no reporting period"):
            ingest(reg, [world.submission("police", df, period=None)])
        ok = ingest(reg, [world.submission("police", df, period=None)], period=parse_period("2024-02"))
        assert ok.new == 1
        with pytest.raises(MismatchError, match="not the registry's"):
            ingest(reg, [world.submission("fairwork", df, key=LinkageKey(bytes(range(1, 33))))])
        other = linkage.default_schema(hardened=False)
        enc = encode_dataframe(df, other, world.key)
        p = world.tmp / "other-schema.lnk"
        linkage.write_submission(p, enc, other, reporter_id="care", signing_key=world.signing["care"],
                                 period=("2024-01-01", "2024-01-31"))
        with pytest.raises(MismatchError, match="different linkage schema"):
            ingest(reg, [p])
        reg.set_reporter_active("care", False)
        with pytest.raises(RegistryError, match="suspended"):
            ingest(reg, [world.submission("care", rows(synth_reports(), 20, 100))])


def test_the_audit_log_is_append_only_and_detects_edits(target: str | Path, world: World) -> None:
    with _registry(target, world) as reg:
        ingest(reg, [world.submission("police", rows(synth_reports(), 20))])
        entries = reg.audit_entries()
        assert verify_audit(entries) == []
        head = reg.audit_head()[1]
        with pytest.raises(StoreError, match="append-only"), reg.db.write() as tx:
            tx.run("UPDATE audit SET actor='someone else' WHERE seq=1")
        with pytest.raises(StoreError, match="append-only"), reg.db.write() as tx:
            tx.run("DELETE FROM audit WHERE seq=2")
        text = json.dumps([e.to_json() for e in entries])
        for value in ("Popescu", "filter"):
            assert value not in text
        # an edit made behind the registry's back (triggers dropped) is detected
        edited = [entries[0], type(entries[1])(**{**entries[1].__dict__, "actor": "mallory"}), *entries[2:]]
        assert "entry 2: its content does not match its hash (edited)" in verify_audit(edited)
        assert any("removed" in p for p in verify_audit([entries[0], *entries[2:]]))
        assert any("end" in p for p in verify_audit(entries[:-1], expect_head=head))
