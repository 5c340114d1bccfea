"""The two sides stay apart in code as in law.

Importing, or running, any registry entry point in a fresh interpreter must not
load the module that holds the linkage secret (nor the rest of the reporter
side, the attack suite, the evaluation suite, the count-model simulator or the
synthetic generator).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import linkage
from linkage.encode import LinkageKey

from ..conftest import POLICE_ROWS, TEST_SECRET

BANNED = (
    "linkage.encode",  # holds linkage.encode._secret, the linkage secret
    "linkage.hazmat",
    "linkage.normalise",
    "linkage.intake",
    "linkage.privacy",
    "linkage.evaluate",
    "linkage.simulate",
    "linkage.synth",
)

ENTRY_POINTS = {
    "store": "import linkage.store; linkage.store.SQLiteStore",
    "submission reading": "from linkage.submission import load_trusted_keys, read_submission, describe_submission",
    "compare": "import linkage.compare; linkage.compare.dice_upper_triangle",
    "classify": "from linkage.classify import classify_pairs",
    "cluster": "from linkage.cluster import connected_components, person_ids",
    "estimate": "import linkage, linkage.estimate as e; e.default_count_model(linkage.default_schema())",
    "outputs": "from linkage.outputs import write_outputs, DedupSummary",
    "dedup pipeline": "from linkage.pipeline import run_dedup, dedup_records",
    "registry": "import linkage.registry as r; r.open_registry; r.ingest; r.link; r.compute_stats; r.purge",
    "top-level registry names": (
        "import linkage; linkage.run_dedup; linkage.dedup_records; linkage.read_submission; "
        "linkage.load_trusted_keys; linkage.SQLiteStore; linkage.RegistryRecords"
    ),
}

_REPORT = (
    "\nimport json, sys\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.startswith('linkage'))))\n"
)


def _loaded(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + _REPORT], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def _banned(loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == b or m.startswith(b + ".") for b in BANNED)]


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_importing_a_registry_entry_point_loads_no_reporter_code(name: str) -> None:
    loaded = _loaded(ENTRY_POINTS[name])
    assert _banned(loaded) == []


def test_the_check_would_see_the_secret_module() -> None:
    loaded = _loaded("import linkage; linkage.encode_records")
    assert "linkage.encode._secret" in _banned(loaded)


@pytest.fixture(scope="module")
def registry_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("sides")
    trusted = tmp / "trusted"
    trusted.mkdir()
    sk = linkage.generate_signing_key()
    linkage.write_signing_key(sk, tmp / "police.key", trusted / "police.pub")
    schema = linkage.default_schema()
    enc = linkage.encode_dataframe(pd.DataFrame(POLICE_ROWS), schema, LinkageKey(TEST_SECRET))
    sub = tmp / "police.lnk"
    linkage.write_submission(sub, enc, schema, reporter_id="police", signing_key=sk)
    return {"tmp": tmp, "trusted": trusted, "sub": sub}


def _cli(args: list[str]) -> str:
    return (
        "import runpy, sys\n"
        f"sys.argv = ['linkage', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('linkage', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
    )


def test_running_the_registry_commands_loads_no_reporter_code(registry_files: dict[str, Any]) -> None:
    f = registry_files
    dedup = _cli(["dedup", str(f["sub"]), "--trusted-keys", str(f["trusted"]), "--out", str(f["tmp"] / "out"),
                  "--json"])
    inspect = _cli(["inspect", str(f["sub"]), "--trusted-keys", str(f["trusted"]), "--json"])
    reg = str(f["tmp"] / "reg.sqlite")
    registry_cmds = (
        _cli(["registry", "--registry", reg, "init"])
        + _cli(["registry", "--registry", reg, "reporters", "add", "police", "--public-key",
                str(f["trusted"] / "police.pub"), "--type", "police"]).split("\n", 1)[1]
        + _cli(["registry", "--registry", reg, "ingest", str(f["sub"]), "--period", "2022", "--json"]).split("\n", 1)[1]
        + _cli(["registry", "--registry", reg, "link"]).split("\n", 1)[1]
        + _cli(["registry", "--registry", reg, "stats", "--out", str(f["tmp"] / "stats")]).split("\n", 1)[1]
        + _cli(["registry", "--registry", reg, "purge"]).split("\n", 1)[1]
        + _cli(["registry", "--registry", reg, "audit", "--verify"]).split("\n", 1)[1]
    )
    for code in (dedup, inspect, registry_cmds):
        loaded = _loaded(code)
        assert "linkage.pipeline._registry" in loaded or "linkage.submission._format" in loaded
        assert _banned(loaded) == []
    assert (f["tmp"] / "out" / "summary.json").exists()


def test_the_library_run_dedup_loads_no_reporter_code(registry_files: dict[str, Any]) -> None:
    f = registry_files
    code = (
        "import linkage\n"
        f"trusted = linkage.load_trusted_keys({str(f['trusted'])!r})\n"
        f"res = linkage.run_dedup([{str(f['sub'])!r}], trusted, linkage.default_schema(), "
        f"{str(f['tmp'] / 'out2')!r})\n"
        "assert res.summary.reports == 4\n"
    )
    assert _banned(_loaded(code)) == []


def test_this_file_lists_every_registry_package() -> None:
    root = Path(linkage.__file__).parent
    registry = {"store", "submission", "compare", "classify", "cluster", "estimate", "outputs", "pipeline", "block",
                "registry"}
    assert registry <= {p.name for p in root.iterdir() if p.is_dir()}
