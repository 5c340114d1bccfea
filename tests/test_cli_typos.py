"""A sweep of command-line typos over files and keys (issue 12): never exit 3, never a lost key or a half unit.

Every case gets a usage error (2) or a linkage error (1) with a message, and
afterwards: every key file is as it was, no output is half written (no
submission without its id map), no temp file or journal is left, and the
message names no value from the input table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.cli import cli

from .conftest import POLICE_ROWS

Args = Callable[[dict[str, Path]], list[str]]


@pytest.fixture()
def world(tmp_path: Path) -> dict[str, Path]:
    r = CliRunner()
    w = {"tmp": tmp_path, "secret": tmp_path / "linkage.secret", "key": tmp_path / "police.key",
         "pub": tmp_path / "police.pub", "trusted": tmp_path / "trusted", "csv": tmp_path / "police.csv",
         "lnk": tmp_path / "police.lnk", "missing": tmp_path / "missing_dir", "empty": tmp_path / "empty"}
    assert r.invoke(cli, ["keygen", "--out", str(w["secret"])]).exit_code == 0
    assert r.invoke(cli, ["keygen", "--signing", "--out", str(w["key"])]).exit_code == 0
    w["trusted"].mkdir()
    w["empty"].mkdir()
    (w["trusted"] / "police.pub").write_bytes(w["pub"].read_bytes())
    pd.DataFrame(POLICE_ROWS).to_csv(w["csv"], index=False)
    res = r.invoke(cli, _encode(w, "--out", str(w["lnk"])))
    assert res.exit_code == 0, res.stderr
    return w


def _encode(w: dict[str, Path], *extra: str, table: Path | None = None) -> list[str]:
    args = ["encode", str(table or w["csv"]), "--reporter", "police", "--signing-key", str(w["key"]),
            "--key-file", str(w["secret"])]
    if "--out" not in extra:
        args += ["--out", str(w["tmp"] / "new.lnk")]
    return args + list(extra)


def _with(w: dict[str, Path], extra: dict[str, Path]) -> dict[str, Path]:
    return {**w, **extra}


CASES: dict[str, tuple[Args, int, str]] = {
    # keygen
    "keygen: public key into a missing directory": (
        lambda w: ["keygen", "--signing", "--out", str(w["tmp"] / "k"), "--public-out",
                   str(w["missing"] / "k.pub")], 1, "does not exist"),
    "keygen: private key named .pub": (
        lambda w: ["keygen", "--signing", "--out", str(w["tmp"] / "police2.pub")], 1, "public-key name"),
    "keygen: private key over an existing public key": (
        lambda w: ["keygen", "--signing", "--out", str(w["trusted"] / "police.pub")], 1, "public-key name"),
    "keygen: --public-out equal to --out": (
        lambda w: ["keygen", "--signing", "--out", str(w["tmp"] / "k"), "--public-out", str(w["tmp"] / "k")],
        1, "same file"),
    "keygen: --public-out is the existing private key": (
        lambda w: ["keygen", "--signing", "--out", str(w["tmp"] / "k"), "--public-out", str(w["key"])],
        1, "never overwritten"),
    "keygen: over an existing private key": (
        lambda w: ["keygen", "--signing", "--out", str(w["key"])], 1, "never overwritten"),
    "keygen: secret over the existing secret": (
        lambda w: ["keygen", "--out", str(w["secret"])], 1, "never overwritten"),
    "keygen: secret into a missing directory": (
        lambda w: ["keygen", "--out", str(w["missing"] / "s")], 1, "does not exist"),
    "keygen: secret into a directory": (lambda w: ["keygen", "--out", str(w["empty"])], 1, "is a directory"),
    "keygen: --public-out without --signing": (
        lambda w: ["keygen", "--out", str(w["tmp"] / "s"), "--public-out", str(w["tmp"] / "s.pub")], 2, ""),
    # encode: outputs
    "encode: --out into a missing directory": (
        lambda w: _encode(w, "--out", str(w["missing"] / "x.lnk")), 1, "does not exist"),
    "encode: --id-map into a missing directory": (
        lambda w: _encode(w, "--id-map", str(w["missing"] / "m.csv")), 1, "does not exist"),
    "encode: --rejects into a missing directory": (
        lambda w: _encode(w, "--invalid", "missing", "--rejects", str(w["missing"] / "r.csv")), 1, "does not exist"),
    "encode: --out over an existing file": (lambda w: _encode(w, "--out", str(w["lnk"])), 1, "--overwrite"),
    "encode: --overwrite --out the secret": (
        lambda w: _encode(w, "--out", str(w["secret"]), "--overwrite"), 1, "never overwritten"),
    "encode: --overwrite --out the private key": (
        lambda w: _encode(w, "--out", str(w["key"]), "--overwrite"), 1, "never overwritten"),
    "encode: --overwrite --out a public key": (
        lambda w: _encode(w, "--out", str(w["pub"]), "--overwrite"), 1, "never overwritten"),
    "encode: --overwrite --id-map the private key": (
        lambda w: _encode(w, "--id-map", str(w["key"]), "--overwrite"), 1, "never overwritten"),
    "encode: --overwrite --id-map the secret": (
        lambda w: _encode(w, "--id-map", str(w["secret"]), "--overwrite"), 1, "never overwritten"),
    "encode: --overwrite --rejects the secret": (
        lambda w: _encode(w, "--invalid", "missing", "--rejects", str(w["secret"]), "--overwrite"), 1,
        "never overwritten"),
    "encode: --id-map equal to --out": (
        lambda w: _encode(w, "--id-map", str(w["tmp"] / "new.lnk")), 1, "same file"),
    "encode: --overwrite --out the input table": (
        lambda w: _encode(w, "--out", str(w["csv"]), "--overwrite"), 1, "is the input table"),
    "encode: --out a directory": (lambda w: _encode(w, "--out", str(w["empty"])), 2, ""),
    "encode: no --out": (lambda w: _encode(w)[:-2], 2, "--out"),
    # encode: inputs
    "encode: the secret as the table": (lambda w: _encode(w, table=w["secret"]), 1, "not a table"),
    "encode: the private key as the table": (lambda w: _encode(w, table=w["key"]), 1, "not a table"),
    "encode: a public key as the table": (lambda w: _encode(w, table=w["pub"]), 1, "not a table"),
    "encode: a submission as the table": (lambda w: _encode(w, table=w["lnk"]), 1, "not a table"),
    "encode: a missing table": (lambda w: _encode(w, table=w["missing"] / "x.csv"), 2, ""),
    "encode: the private key as --key-file": (
        lambda w: _encode(w)[:6] + ["--key-file", str(w["key"]), "--out", str(w["tmp"] / "n.lnk")], 1,
        "linkage secret"),
    "encode: the table as --key-file": (
        lambda w: _encode(w)[:6] + ["--key-file", str(w["csv"]), "--out", str(w["tmp"] / "n.lnk")], 1, ""),
    "encode: a missing --key-file": (
        lambda w: _encode(w)[:6] + ["--key-file", str(w["missing"] / "s"), "--out", str(w["tmp"] / "n.lnk")], 1,
        "does not exist"),
    "encode: the secret as --signing-key": (
        lambda w: ["encode", str(w["csv"]), "--reporter", "police", "--signing-key", str(w["secret"]),
                   "--key-file", str(w["secret"]), "--out", str(w["tmp"] / "n.lnk")], 1, "not a private signing key"),
    "encode: a public key as --signing-key": (
        lambda w: ["encode", str(w["csv"]), "--reporter", "police", "--signing-key", str(w["pub"]),
                   "--key-file", str(w["secret"]), "--out", str(w["tmp"] / "n.lnk")], 1, "not a private signing key"),
    "encode: the table as --schema": (lambda w: _encode(w, "--schema", str(w["csv"])), 1, "police.csv"),
    "encode: --columns without =": (lambda w: _encode(w, "--columns", "voornaam"), 1, "input_column=Header"),
    "encode: --columns naming a missing header": (
        lambda w: _encode(w, "--columns", "given_names=Voornaam"), 1, "is not in the file"),
    "encode: --columns naming an unknown input column": (
        lambda w: _encode(w, "--columns", "eyes=sex"), 1, "not an input column"),
    "encode: an unknown --encoding": (lambda w: _encode(w, "--encoding", "klingon"), 1, "unknown text encoding"),
    "encode: --sheet for a CSV": (lambda w: _encode(w, "--sheet", "Blad1"), 1, "sheet"),
    "encode: a bad --reporter id": (lambda w: ["encode", str(w["csv"]), "--reporter", "Police Dept!",
                                               "--signing-key", str(w["key"]), "--key-file", str(w["secret"]),
                                               "--out", str(w["tmp"] / "n.lnk")], 1, "reporter id"),
    # registry commands
    "inspect: a private key in --trusted-keys": (
        lambda w: ["inspect", str(w["lnk"]), "--trusted-keys", str(w["tmp"])], 1, "key file"),
    "inspect: an empty --trusted-keys": (
        lambda w: ["inspect", str(w["lnk"]), "--trusted-keys", str(w["empty"])], 1, "no <reporter_id>.pub"),
    "inspect: the table as the submission": (
        lambda w: ["inspect", str(w["csv"]), "--trusted-keys", str(w["trusted"])], 1, "police.csv"),
    "inspect: the secret as the submission": (
        lambda w: ["inspect", str(w["secret"]), "--trusted-keys", str(w["trusted"])], 1, "key file"),
    "dedup: --out is a file": (
        lambda w: ["dedup", str(w["lnk"]), "--trusted-keys", str(w["trusted"]), "--out", str(w["csv"])], 2, ""),
    "dedup: --store into a missing directory": (
        lambda w: ["dedup", str(w["lnk"]), "--trusted-keys", str(w["trusted"]), "--out", str(w["tmp"] / "o"),
                   "--store", str(w["missing"] / "r.sqlite")], 1, "does not exist"),
    "dedup: the secret among the submissions": (
        lambda w: ["dedup", str(w["lnk"]), str(w["secret"]), "--trusted-keys", str(w["trusted"]), "--out",
                   str(w["tmp"] / "o")], 1, "key file"),
    "dedup: the table among the submissions": (
        lambda w: ["dedup", str(w["lnk"]), str(w["csv"]), "--trusted-keys", str(w["trusted"]), "--out",
                   str(w["tmp"] / "o")], 1, "police.csv"),
    "dedup: the table as --count-model": (
        lambda w: ["dedup", str(w["lnk"]), "--trusted-keys", str(w["trusted"]), "--out", str(w["tmp"] / "o"),
                   "--count-model", str(w["csv"])], 1, "police.csv"),
    "dedup: the table as --schema": (
        lambda w: ["dedup", str(w["lnk"]), "--trusted-keys", str(w["trusted"]), "--out", str(w["tmp"] / "o"),
                   "--schema", str(w["csv"])], 1, "police.csv"),
    "dedup: a private key in --trusted-keys": (
        lambda w: ["dedup", str(w["lnk"]), "--trusted-keys", str(w["tmp"]), "--out", str(w["tmp"] / "o")], 1,
        "key file"),
}


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(CASES))
def test_typo(world: dict[str, Path], name: str) -> None:
    args, code, message = CASES[name]
    keys = {k: _digest(world[k]) for k in ("secret", "key", "pub", "csv", "lnk")}
    before = {p.name for p in world["tmp"].rglob("*")}
    res = CliRunner().invoke(cli, args(world))
    assert res.exit_code == code, (name, res.exit_code, res.stderr, res.stdout)
    assert message in res.stderr, (name, res.stderr)
    assert all(_digest(world[k]) == v for k, v in keys.items()), "a key or input changed"
    after = {p.name for p in world["tmp"].rglob("*")}
    new = after - before
    assert not [n for n in new if n.endswith((".linkage-tmp", ".linkage-commit"))], new
    assert not [n for n in new if n.endswith((".lnk", ".csv", ".key", ".pub"))], new  # nothing half written
    assert not world["missing"].exists()
    for v in ("Popescu", "Ana-Maria", "1994-03-17", "PL-2022"):
        assert v not in res.stderr


def test_a_duplicated_public_key_is_named_as_such(world: dict[str, Path]) -> None:
    (world["trusted"] / "politie.pub").write_bytes(world["pub"].read_bytes())
    res = CliRunner().invoke(cli, ["inspect", str(world["lnk"]), "--trusted-keys", str(world["trusted"])])
    assert res.exit_code == 1 and "hold the same public key" in res.stderr


def test_a_dry_run_writes_nothing_and_needs_no_key(world: dict[str, Path]) -> None:
    before = {p.name for p in world["tmp"].rglob("*")}
    res = CliRunner().invoke(cli, ["encode", str(world["csv"]), "--dry-run", "--out", str(world["tmp"] / "d.lnk")])
    assert res.exit_code == 0, res.stderr
    assert "what went in" in res.stdout and "nothing written" in res.stdout
    assert {p.name for p in world["tmp"].rglob("*")} == before


def test_an_interrupted_encode_is_completed_by_the_next(world: dict[str, Path]) -> None:
    """A kill between the id map and the submission: the next encode completes the unit and says so."""
    import subprocess
    import sys

    out = world["tmp"] / "k.lnk"
    code = (
        "import os, sys\n"
        "import linkage.files as f\n"
        "real = f._install\n"
        "n = {'i': 0}\n"
        "def install(t, p, o):\n"
        "    n['i'] += 1\n"
        "    if n['i'] == 2: os._exit(9)\n"
        "    return real(t, p, o)\n"
        "f._install = install\n"
        "from linkage.cli import main\n"
        f"sys.argv = ['linkage', *{_encode(world, '--out', str(out))[:]!r}]\n"
        "main()\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False, capture_output=True).returncode == 9
    idmap = world["tmp"] / "k.lnk.LOCAL-ONLY-idmap.csv"
    assert idmap.exists() and not out.exists()  # never a submission without its id map
    res = CliRunner().invoke(cli, _encode(world, "--out", str(out)))
    assert res.exit_code == 1 and "completed k.lnk" in res.stderr and "--overwrite" in res.stderr
    assert out.exists()
    trusted = world["trusted"]
    res = CliRunner().invoke(cli, ["inspect", str(out), "--trusted-keys", str(trusted), "--json"])
    assert res.exit_code == 0
    ids = set(pd.read_csv(idmap)["record_id"])
    assert len(ids) == len(POLICE_ROWS)
