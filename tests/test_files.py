"""Files cannot be lost by a typo or a kill: checks up front, units written whole, leftovers cleaned, modes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import linkage
from linkage.errors import KeyFileError, LinkageError
from linkage.files import (
    PendingFile,
    atomic_write_bytes,
    check_outputs,
    commit_files,
    file_kind,
    recover_commit,
    remove_stale_temps,
)

from .conftest import POLICE_ROWS, TEST_SECRET


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_check_outputs(tmp_path: Path) -> None:
    secret = tmp_path / "linkage.secret"
    linkage.write_linkage_key(linkage.generate_linkage_key(), secret)
    (tmp_path / "old.csv").write_text("x")
    (tmp_path / "adir").mkdir()
    check_outputs({"--out": tmp_path / "new.lnk"})
    cases = [
        ({"--out": tmp_path / "missing_dir" / "x.lnk"}, False, "directory .* does not exist"),
        ({"--out": tmp_path / "adir"}, False, "is a directory"),
        ({"--out": tmp_path / "old.csv"}, False, "refusing to overwrite"),
        ({"--out": secret}, True, "holds a linkage secret; it is never overwritten"),
        ({"--out": tmp_path / "a.lnk", "--id-map": tmp_path / "." / "a.lnk"}, False, "are the same file"),
    ]
    for outputs, overwrite, message in cases:
        with pytest.raises(LinkageError, match=message):
            check_outputs(outputs, overwrite=overwrite)
    check_outputs({"--out": tmp_path / "old.csv"}, overwrite=True)
    with pytest.raises(LinkageError, match="is the input table"):
        check_outputs({"--out": tmp_path / "old.csv"}, overwrite=True, inputs={"table": tmp_path / "old.csv"})


def test_commit_writes_a_unit_with_modes_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        commit_files([PendingFile(tmp_path / "pub", [b"p"], 0o644), PendingFile(tmp_path / "main", [b"m"])])
    finally:
        os.umask(old)
    assert (tmp_path / "pub").read_bytes() == b"p" and (tmp_path / "main").read_bytes() == b"m"
    assert _mode(tmp_path / "pub") == 0o644 and _mode(tmp_path / "main") == 0o600
    with pytest.raises(LinkageError, match="refusing to overwrite"):
        commit_files([PendingFile(tmp_path / "main", [b"again"])])
    commit_files([PendingFile(tmp_path / "main", [b"again"])], overwrite=True)
    assert (tmp_path / "main").read_bytes() == b"again"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main", "pub"]  # no temp or journal left


_KILL = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import linkage.files as f
    stage, root = sys.argv[1], Path(sys.argv[2])
    real_install, real_write = f._install, f._write_temp
    calls = {"install": 0, "write": 0}
    def install(temp, target, overwrite):
        calls["install"] += 1
        if stage == "after-first-install" and calls["install"] == 2:
            os._exit(9)
        return real_install(temp, target, overwrite)
    def write(path, chunks, mode):
        calls["write"] += 1
        if stage == "before-journal" and calls["write"] == 2:
            os._exit(9)
        return real_write(path, chunks, mode)
    f._install, f._write_temp = install, write
    f.commit_files([f.PendingFile(root / "idmap.csv", [b"new id map"]),
                    f.PendingFile(root / "sub.lnk", [b"new submission"])], overwrite=True)
    """
)


def _killed(stage: str, root: Path) -> int:
    return subprocess.run([sys.executable, "-c", _KILL, stage, str(root)], check=False).returncode


def test_a_kill_after_the_commit_point_is_completed_by_the_next_run(tmp_path: Path) -> None:
    (tmp_path / "idmap.csv").write_bytes(b"old id map")
    (tmp_path / "sub.lnk").write_bytes(b"old submission")
    assert _killed("after-first-install", tmp_path) == 9
    # The id map is new, the old submission is gone: never an old submission beside a new id map.
    assert (tmp_path / "idmap.csv").read_bytes() == b"new id map"
    assert not (tmp_path / "sub.lnk").exists()
    done = recover_commit(tmp_path / "sub.lnk")
    assert [p.name for p in done] == ["sub.lnk"]
    assert (tmp_path / "sub.lnk").read_bytes() == b"new submission"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idmap.csv", "sub.lnk"]


def test_a_kill_before_the_commit_point_changes_nothing_and_leaves_no_trace(tmp_path: Path) -> None:
    (tmp_path / "idmap.csv").write_bytes(b"old id map")
    (tmp_path / "sub.lnk").write_bytes(b"old submission")
    assert _killed("before-journal", tmp_path) == 9
    assert (tmp_path / "sub.lnk").read_bytes() == b"old submission"
    assert (tmp_path / "idmap.csv").read_bytes() == b"old id map"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".linkage-tmp")]
    assert leftovers  # the killed process could not clean up ...
    assert recover_commit(tmp_path / "sub.lnk") == []
    remove_stale_temps(tmp_path / "idmap.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idmap.csv", "sub.lnk"]  # ... the next run does


def test_temp_files_of_running_processes_are_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    mine = tmp_path / f".out.csv.{os.getpid()}-abcd1234.linkage-tmp"
    mine.write_bytes(b"in progress")
    dead = tmp_path / ".out.csv.999999999-abcd1234.linkage-tmp"
    dead.write_bytes(b"left by a killed run")
    unrelated = tmp_path / ".other.csv.999999999-abcd1234.linkage-tmp"
    unrelated.write_bytes(b"x")
    atomic_write_bytes(target, [b"data"])
    assert mine.exists() and not dead.exists() and unrelated.exists()


def test_key_files_are_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "r.key"
    linkage.write_signing_key(linkage.generate_signing_key(), key, tmp_path / "r.pub")
    before = key.read_bytes()
    with pytest.raises(KeyFileError):
        atomic_write_bytes(key, [b"x"], overwrite=True)
    with pytest.raises(KeyFileError):
        commit_files([PendingFile(key, [b"x"])], overwrite=True)
    assert key.read_bytes() == before and file_kind(key) == "private_key"
    assert file_kind(tmp_path / "r.pub") == "public_key"


def test_key_pairs_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    sk = linkage.generate_signing_key()
    with pytest.raises(KeyFileError, match="does not exist"):
        linkage.write_signing_key(sk, tmp_path / "k", tmp_path / "missing_dir" / "k.pub")
    assert not (tmp_path / "k").exists()
    with pytest.raises(KeyFileError, match="same file"):
        linkage.write_signing_key(sk, tmp_path / "k", tmp_path / "k")
    with pytest.raises(KeyFileError, match="public-key name"):
        linkage.write_signing_key(sk, tmp_path / "police.pub", tmp_path / "other.pub")
    (tmp_path / "k.pub").write_text("someone's public key")
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        linkage.write_signing_key(sk, tmp_path / "k", tmp_path / "k.pub")
    assert not (tmp_path / "k").exists()
    old = os.umask(0o077)
    try:
        linkage.write_signing_key(sk, tmp_path / "k2", tmp_path / "k2.pub")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "k2") == 0o600 and _mode(tmp_path / "k2.pub") == 0o644


def test_trusted_keys_directory(tmp_path: Path) -> None:
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    sk = linkage.generate_signing_key()
    linkage.write_signing_key(sk, tmp_path / "police.key", trusted / "police.pub")
    (trusted / "police-copy.pub").write_bytes((trusted / "police.pub").read_bytes())
    with pytest.raises(KeyFileError, match="police-copy.pub and police.pub .* hold the same public key"):
        linkage.load_trusted_keys(trusted)
    (trusted / "police-copy.pub").unlink()
    (trusted / "police.key").write_bytes((tmp_path / "police.key").read_bytes())
    with pytest.raises(KeyFileError, match="police.key' in the trusted-keys directory holds a private"):
        linkage.load_trusted_keys(trusted)


def test_the_registry_store_is_created_private(tmp_path: Path, schema: linkage.Schema,
                                               key: linkage.LinkageKey) -> None:
    sk = linkage.generate_signing_key()
    enc = linkage.encode_dataframe(pd.DataFrame(POLICE_ROWS), schema, linkage.LinkageKey(TEST_SECRET))
    linkage.write_submission(tmp_path / "p.lnk", enc, schema, reporter_id="police", signing_key=sk)
    old = os.umask(0o000)
    try:
        linkage.run_dedup([tmp_path / "p.lnk"], {"police": sk.public_key()}, schema, tmp_path / "out")
    finally:
        os.umask(old)
    for p in (tmp_path / "out").rglob("*"):
        if p.is_file():
            assert _mode(p) == 0o600, p.name
    assert _mode(tmp_path / "out") == 0o700
    with pytest.raises(linkage.StoreError, match="does not exist"):
        linkage.SQLiteStore(tmp_path / "missing_dir" / "r.sqlite")


def test_submission_and_id_map_checked_before_anything_is_written(tmp_path: Path, schema: linkage.Schema) -> None:
    sk = linkage.generate_signing_key()
    enc = linkage.encode_dataframe(pd.DataFrame(POLICE_ROWS), schema, linkage.LinkageKey(TEST_SECRET))
    with pytest.raises(linkage.SubmissionError, match="does not exist"):
        linkage.write_submission(tmp_path / "p.lnk", enc, schema, reporter_id="police", signing_key=sk,
                                 id_map_path=tmp_path / "missing_dir" / "m.csv")
    assert not (tmp_path / "p.lnk").exists()
