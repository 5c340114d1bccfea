"""The reporter page in a real headless Chromium: byte for byte what `linkage encode` writes.

Each test opens the page from ``file://``, hands it keys and a reporter's file
through its file inputs, encodes, saves, and compares the saved files with
the command line's, made with the same test-only record-id seed
(:func:`linkage.submission._testing.seeded_randomness` on the Python side,
``__LINKAGE_TEST_RANDOMNESS__`` in the page, which then shows a red TEST MODE
bar). Screenshots go to $LINKAGE_TEST_ARTEFACTS (else pytest's basetemp).
"""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import linkage
from linkage.cli import cli
from linkage.reporter_page import build_reporter_page
from linkage.schema import schema_to_json
from linkage.submission._testing import seeded_randomness

from ..intake import messy
from .conftest import CREATED, SEED, Keys, run_page, seeded_page
from .files import FAIRWORK_ROWS, fairwork_xlsx, police_cp1252, utf8_bom_comma

pytestmark = pytest.mark.browser

VECTORS = Path(__file__).parents[1] / "vectors"


def _hardened_doc() -> dict[str, Any]:
    doc = json.loads(schema_to_json(linkage.default_schema()))
    doc["name"] = "page-all-steps"
    doc["hardening"] = {"salt": {"field": "birth_year", "band": 5}, "blip_epsilon": 60, "balance": True,
                        "fold": True, "permute": True}
    doc["thresholds"] = {"match": 0.9, "review": 0.7, "method": "valley", "floor": 0.5}
    return doc


SCHEMAS = {
    "builtin": lambda: linkage.default_schema(),
    "hardened": lambda: linkage.load_schema(_hardened_doc()),
    "unhardened": lambda: linkage.default_schema(hardened=False),
}
FILES = {"fairwork.xlsx": fairwork_xlsx, "police-cp1252.csv": police_cp1252, "english-bom.csv": utf8_bom_comma}


@dataclass
class Written:
    exit_code: int
    output: str
    submission: bytes | None
    id_map: bytes | None
    rejects: bytes | None


def cli_encode(data: Path, out: Path, keys: Keys, reporter: str, schema_file: Path | None = None, *,
               missing: bool = False, seed: bytes | None = SEED) -> Written:
    """`linkage encode` in process (same seed as the page when ``seed`` is given)."""
    args = ["encode", str(data), "--reporter", reporter, "--signing-key", str(keys.signing[reporter]),
            "--key-file", str(keys.secret), "--out", str(out)]
    if schema_file is not None:
        args += ["--schema", str(schema_file)]
    if missing:
        args += ["--invalid", "missing"]
    if seed is not None:
        with seeded_randomness(seed, CREATED):
            r = CliRunner().invoke(cli, args)
    else:
        r = CliRunner().invoke(cli, args)
    idm = out.with_name(out.name + ".LOCAL-ONLY-idmap.csv")
    rej = out.with_name(out.name + ".LOCAL-ONLY-rejects.csv")

    def read(p: Path) -> bytes | None:
        return p.read_bytes() if p.exists() else None

    return Written(r.exit_code, r.output, read(out), read(idm), read(rej))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> dict[str, tuple[Path, Path]]:
    """Per schema: (page file, schema file)."""
    d = tmp_path_factory.mktemp("pages")
    out: dict[str, tuple[Path, Path]] = {}
    for name, make in SCHEMAS.items():
        schema = make()
        sf = d / f"{name}.json"
        sf.write_text(schema_to_json(schema))
        pf = d / f"{name}.html"
        pf.write_bytes(build_reporter_page(schema, reporter_id="fairwork", key_id=keys.key.key_id).html)
        out[name] = (pf, sf)
    return out


@pytest.mark.parametrize("file_name", list(FILES))
@pytest.mark.parametrize("schema_name", list(SCHEMAS))
def test_page_writes_what_linkage_encode_writes(browser: Any, pages: dict[str, tuple[Path, Path]], keys: Keys,
                                               tmp_path: Path, artefacts: Path, schema_name: str,
                                               file_name: str) -> None:
    page_file, schema_file = pages[schema_name]
    data = FILES[file_name](tmp_path / file_name)
    shot = artefacts / f"reporter-page-{schema_name}-{Path(file_name).stem}.png" \
        if (schema_name, file_name) == ("builtin", "fairwork.xlsx") else None
    run = run_page(browser, page_file, secret=keys.secret, signing=keys.signing["fairwork"], data=data,
                   screenshot=shot)
    assert run.status == "encoded", run.notes
    py = cli_encode(data, tmp_path / "cli.lnk", keys, "fairwork", schema_file)
    assert py.exit_code == 0, py.output
    assert run.submission == py.submission, (schema_name, file_name)
    assert run.id_map == py.id_map
    assert not [c for c in run.console if c.startswith(("error", "pageerror"))], run.console
    # what the page showed per field is what the command reports
    report = json.loads(CliRunner().invoke(cli, ["encode", str(data), "--schema", str(schema_file), "--dry-run",
                                                 "--json"]).output)
    assert run.counts == {f["field"]: {k: f[k] for k in ("read", "missing", "refused")} for f in report["fields"]}
    if shot is not None:
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")


def test_known_answer_vectors_in_the_browser(browser: Any, tmp_path: Path) -> None:
    """The version 2 (AES-256-CTR) vectors: the page's encoder on canonical values gives the pinned bits."""
    cases: list[tuple[dict[str, Any], list[dict[str, Any]], str]] = []
    default = json.loads((VECTORS / "encoding_v2.json").read_text())
    builtin = json.loads(schema_to_json(linkage.default_schema()))
    cases.append((builtin, default["cases"], default["schema_fingerprint"]))
    hardened = json.loads((VECTORS / "encoding_hardened_v2.json").read_text())
    for entry in hardened["schemas"].values():
        cases.append((entry["document"], entry["cases"], entry["schema_fingerprint"]))
    armour = "-----BEGIN LINKAGE SECRET-----\n" + base64.b64encode(
        bytes.fromhex(default["secret_hex"])).decode() + "\n-----END LINKAGE SECRET-----\n"
    for i, (doc, vector_cases, fingerprint) in enumerate(cases):
        schema = linkage.load_schema(doc)
        assert schema.fingerprint == fingerprint
        with seeded_page(browser, build_reporter_page(schema).html, tmp_path, f"v{i}.html") as page:
            got = page.evaluate("([a, r]) => globalThis.__LINKAGE_TEST_API__.encodeCanonical(a, r)",
                                [armour, [c["record"] for c in vector_cases]])
        for case, out in zip(vector_cases, got, strict=True):
            raw = bytes.fromhex(out["filter"])
            words = [int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw), 8)]
            assert [f"{w:016x}" for w in words] == case["filter_hex"], (doc["name"], case["record"])
            assert out["presence"] == case["presence"]


def test_messy_reporter_files_byte_for_byte(browser: Any, pages: dict[str, tuple[Path, Path]], keys: Keys,
                                            tmp_path: Path) -> None:
    """The messy intake set (every reporter's house style): the same bytes under --invalid missing, the same
    refusals under refuse, and clear messages for the files that must be refused."""
    files = messy.write_messy_set(tmp_path / "files", seed=3, years=(2022,), scale=0.4, rate=0.05)
    page_file, _ = pages["builtin"]
    checked = 0
    for mf in files:
        if mf.kind != "report":
            run = run_page(browser, page_file, secret=None, signing=None, data=mf.path, encode=False)
            assert run.note_keys["data-note"] in {"msg_no_records", "msg_no_qi", "msg_bad_xlsx"}, (mf.kind, run.notes)
            continue
        run = run_page(browser, page_file, secret=keys.secret, signing=keys.signing["fairwork"], data=mf.path,
                       missing=True)
        py = cli_encode(mf.path, tmp_path / f"{mf.path.stem}.lnk", keys, "fairwork", missing=True)
        assert py.exit_code == 0, py.output
        assert run.submission == py.submission, mf.path.name
        assert run.id_map == py.id_map and run.rejects == py.rejects, mf.path.name
        assert len(_rows(run.rejects)) == len(mf.refused_cells), mf.path.name
        refused = run_page(browser, page_file, secret=keys.secret, signing=keys.signing["fairwork"], data=mf.path,
                           encode=False)
        assert refused.problems == min(500, len(mf.refused_cells)), mf.path.name
        assert refused.note_keys["encode-note"] == ("msg_block_refused" if mf.refused_cells else "msg_ready")
        checked += 1
    assert checked >= 5


def _rows(data: bytes | None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((data or b"").decode("utf-8"))))


def _persons(out_dir: Path, id_maps: dict[str, bytes]) -> set[frozenset[tuple[str, str]]]:
    """Persons as sets of (reporter, row in the reporter's own file): comparable across record ids."""
    row_of = {(rep, r["record_id"]): r["row"] for rep, data in id_maps.items() for r in _rows(data)}
    groups: dict[str, set[tuple[str, str]]] = {}
    with open(out_dir / "persons.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            groups.setdefault(r["person_id"], set()).add((r["reporter"], row_of[(r["reporter"], r["record_id"])]))
    return {frozenset(g) for g in groups.values()}


def _synthetic_year(tmp_path: Path) -> tuple[Path, Path]:
    """A synthetic year: FairWork as a spreadsheet (initials, age, Datum melding, nationality, Geslacht V/M), and the
    Labour Inspectorate's reports (whom FairWork's clients meet most) as a CSV, sent under the key "police"."""
    import datetime as dt

    from linkage.synth import generate, reporter_tables

    tables = reporter_tables(generate(seed=5, years=(2022,), scale=1.0))
    fw = tables["fairwork"]
    sex = {"vrouw": "V", "F": "V", "V": "V", "man": "M", "M": "M"}
    rows = []
    for r in fw.itertuples(index=False):
        age = None if r.age is None or str(r.age) == "<NA>" else int(r.age)
        rows.append((r.initials, age, dt.date.fromisoformat(r.report_date), r.nationality,
                     sex.get(str(r.sex)) if r.sex is not None else None, r.case_ref))
    police = tmp_path / "police.csv"
    tables["nla"].to_csv(police, index=False, sep=";")
    return fairwork_xlsx(tmp_path / "fairwork.xlsx", rows), police


def test_registry_accepts_the_pages_file_with_the_same_persons(browser: Any, pages: dict[str, tuple[Path, Path]],
                                                              keys: Keys, tmp_path: Path, artefacts: Path) -> None:
    """A FairWork-style spreadsheet through the page (real random ids), the police file through the CLI:
    `linkage inspect` and `linkage dedup` accept the page's file and find the same persons as when FairWork
    used the command line."""
    page_file, _ = pages["builtin"]
    fw, police = _synthetic_year(tmp_path)
    shot = artefacts / "reporter-page-fairwork-year.png"
    run = run_page(browser, page_file, secret=keys.secret, signing=keys.signing["fairwork"], data=fw, seed=None,
                   screenshot=shot)
    assert run.status == "encoded" and run.submission is not None and run.id_map is not None
    print(f"screenshot: {shot}")
    page_lnk = tmp_path / "page" / "fairwork.lnk"
    page_lnk.parent.mkdir()
    page_lnk.write_bytes(run.submission)
    pol = cli_encode(police, tmp_path / "police.lnk", keys, "police", seed=None)
    cli_fw = cli_encode(fw, tmp_path / "fairwork.lnk", keys, "fairwork", seed=None)
    assert pol.exit_code == 0 and cli_fw.exit_code == 0, (pol.output, cli_fw.output)
    assert run.submission != cli_fw.submission  # fresh random record ids each time
    r = CliRunner().invoke(cli, ["inspect", str(page_lnk), "--trusted-keys", str(keys.trusted), "--key-id",
                                 keys.key.key_id, "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    records = len(_rows(run.id_map))
    assert info["verified"] and info["reporter_id"] == "fairwork" and info["record_count"] == records > 50
    assert info["schema_fingerprint"] == linkage.default_schema().fingerprint
    results = {}
    for name, fw_file, fw_map in (("page", page_lnk, run.id_map), ("cli", tmp_path / "fairwork.lnk", cli_fw.id_map)):
        out = tmp_path / f"dedup-{name}"
        r = CliRunner().invoke(cli, ["dedup", str(fw_file), str(tmp_path / "police.lnk"), "--trusted-keys",
                                     str(keys.trusted), "--key-id", keys.key.key_id, "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert fw_map is not None and pol.id_map is not None
        results[name] = _persons(out, {"fairwork": fw_map, "police": pol.id_map})
    assert results["page"] == results["cli"]
    linked = [g for g in results["page"] if {rep for rep, _ in g} == {"fairwork", "police"}]
    assert linked, "some FairWork reports are police persons"


def test_clear_messages_for_bad_files_wrong_keys_and_a_schema_mismatch(
        browser: Any, pages: dict[str, tuple[Path, Path]], keys: Keys, tmp_path: Path) -> None:
    page_file, _ = pages["builtin"]
    # a malformed CSV: a row with more fields than the header (an unquoted separator)
    bad = tmp_path / "bad.csv"
    bad.write_text("Initialen;Leeftijd;Meldingsdatum\nAP;30;2022-01-01\nJB;31;2022-01-01;extra;more\n", "utf-8")
    run = run_page(browser, page_file, secret=keys.secret, signing=keys.signing["fairwork"], data=bad)
    assert run.note_keys["data-note"] == "msg_too_many_fields" and "line 3" in run.notes["data-note"].replace(
        "regel", "line")
    assert run.submission is None and run.status == "waiting"
    # a damaged workbook
    damaged = tmp_path / "damaged.xlsx"
    whole = fairwork_xlsx(tmp_path / "whole.xlsx").read_bytes()
    damaged.write_bytes(whole[: len(whole) // 2])
    run = run_page(browser, page_file, secret=None, signing=None, data=damaged, encode=False, lang="en")
    assert run.note_keys["data-note"] == "msg_bad_xlsx"
    assert "cannot be read as an Excel workbook" in run.notes["data-note"]
    # the signing key chosen as the linkage secret, and the secret as the signing key
    run = run_page(browser, page_file, secret=keys.signing["fairwork"], signing=keys.secret, data=None, encode=False)
    assert run.note_keys["secret-note"] == "msg_secret_is_signing"
    assert run.note_keys["signing-note"] == "msg_signing_is_secret"
    # a linkage secret of another linkage domain (key id differs from the one the page expects)
    other = tmp_path / "other.secret"
    linkage.write_linkage_key(linkage.generate_linkage_key(), other)
    run = run_page(browser, page_file, secret=other, signing=keys.signing["fairwork"],
                   data=fairwork_xlsx(tmp_path / "fw.xlsx"), lang="en")
    assert run.note_keys["secret-note"] == "msg_key_id_mismatch" and keys.key.key_id in run.notes["secret-note"]
    assert run.submission is None and run.note_keys["encode-note"] == "msg_block_secret"
    # a file whose columns the schema does not read
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("Code;Omschrijving\nA;eerste\n", "utf-8")
    run = run_page(browser, page_file, secret=None, signing=None, data=unknown, encode=False)
    assert run.note_keys["data-note"] == "msg_no_qi" and "Omschrijving" in run.notes["data-note"]
    # a submission given as the table
    sub = cli_encode(fairwork_xlsx(tmp_path / "fw2.xlsx"), tmp_path / "fw2.lnk", keys, "fairwork")
    run = run_page(browser, page_file, secret=None, signing=None, data=tmp_path / "fw2.lnk", encode=False)
    assert sub.exit_code == 0 and run.note_keys["data-note"] == "msg_table_is_submission"
    # schema mismatch: a page whose embedded schema was changed no longer matches its fingerprint, and refuses
    html = page_file.read_text("utf-8")
    tampered = tmp_path / "tampered.html"
    tampered.write_text(html.replace('\\"length\\":1024', '\\"length\\":2048', 1), "utf-8")
    assert tampered.read_text("utf-8") != html
    run = run_page(browser, tampered, secret=keys.secret, signing=keys.signing["fairwork"],
                   data=fairwork_xlsx(tmp_path / "fw3.xlsx"))
    assert run.note_keys["schema-note"] == "msg_schema_fingerprint" and run.submission is None
    assert run.note_keys["encode-note"] == "msg_block_schema"


def test_nothing_leaves_the_page(browser: Any, pages: dict[str, tuple[Path, Path]], keys: Keys, tmp_path: Path) -> None:
    """The CSP holds in the browser: no request but the page itself, fetch refused, injected scripts do not run."""
    page_file, _ = pages["builtin"]
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("requestfinished", lambda r: requests.append(r.url))
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-loaded='1']")
        page.set_input_files("#secret-file", str(keys.secret))
        page.set_input_files("#signing-file", str(keys.signing["fairwork"]))
        page.set_input_files("#data-file", str(fairwork_xlsx(tmp_path / "fw.xlsx")))
        page.wait_for_selector("body[data-status='ready']", state="attached")
        page.click("#encode")
        page.wait_for_selector("body[data-status='encoded']", state="attached")
        with page.expect_download():
            page.click("#save-submission")
        fetched = page.evaluate("""async () => {
            const out = [];
            for (const url of ['https://registry.invalid/x', 'http://127.0.0.1:9/x', location.href]) {
              try { await fetch(url); out.push('fetched ' + url); } catch (e) { out.push('refused'); }
            }
            const s = document.createElement('script');
            s.textContent = 'globalThis.__injected = 1;';
            document.body.append(s);
            const img = document.createElement('img');
            img.src = 'https://registry.invalid/pixel.png';
            document.body.append(img);
            await new Promise((r) => setTimeout(r, 300));
            out.push(String(globalThis.__injected));
            return out;
        }""")
        assert fetched == ["refused", "refused", "refused", "undefined"]
        assert all(u.startswith(("file://", "blob:")) for u in requests), requests
        assert all(u.startswith(("file://", "blob:")) or "registry.invalid" in u for u in failed), failed
        assert any("connect-src" in v for v in violations) and any("script-src" in v for v in violations)
    finally:
        context.close()


def test_english_and_a_typed_reporter_id(browser: Any, keys: Keys, tmp_path: Path) -> None:
    """A page without a reporter id asks for one; the page switches to English."""
    pf = tmp_path / "page.html"
    pf.write_bytes(build_reporter_page(linkage.default_schema(), key_id=keys.key.key_id, lang="en").html)
    data = fairwork_xlsx(tmp_path / "fw.xlsx")
    run = run_page(browser, pf, secret=keys.secret, signing=keys.signing["fairwork"], data=data, reporter="fairwork")
    assert run.status == "encoded"
    assert "records encoded and signed" in run.notes["encode-note"]
    py = cli_encode(data, tmp_path / "cli.lnk", keys, "fairwork")
    assert run.submission == py.submission
    bad = run_page(browser, pf, secret=keys.secret, signing=keys.signing["fairwork"], data=data, reporter="Fair Work")
    assert bad.submission is None and bad.note_keys["encode-note"] == "msg_block_reporter"
    nl = run_page(browser, pf, secret=keys.secret, signing=None, data=None, encode=False, lang="nl")
    assert "Koppelgeheim gelezen" in nl.notes["secret-note"]


def test_invalid_missing_counts_dropped_cells_like_the_command(browser: Any, pages: dict[str, tuple[Path, Path]],
                                                             keys: Keys, tmp_path: Path, artefacts: Path) -> None:
    page_file, schema_file = pages["hardened"]
    rows = [list(r) for r in FAIRWORK_ROWS]
    rows[1][3] = "Koerdisch"
    rows[2][4] = "O"
    rows[3][1] = "30-35"
    data = fairwork_xlsx(tmp_path / "fw.xlsx", [tuple(r) for r in rows])
    shot = artefacts / "reporter-page-refused-cells-en.png"
    refused = run_page(browser, page_file, secret=keys.secret, signing=keys.signing["fairwork"], data=data,
                       screenshot=shot, lang="en")
    assert refused.submission is None and refused.problems == 3
    print(f"screenshot: {shot}")
    run = run_page(browser, page_file, secret=keys.secret, signing=keys.signing["fairwork"], data=data, missing=True)
    py = cli_encode(data, tmp_path / "cli.lnk", keys, "fairwork", schema_file, missing=True)
    assert run.submission == py.submission and run.rejects == py.rejects and run.id_map == py.id_map
    assert len(_rows(run.rejects)) == 3


def test_a_file_dropped_on_the_page_is_read(browser: Any, pages: dict[str, tuple[Path, Path]], keys: Keys,
                                           tmp_path: Path) -> None:
    """Drag and drop: the file dropped on the drop zone is read like a chosen one."""
    page_file, _ = pages["builtin"]
    data = police_cp1252(tmp_path / "politie.csv")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-loaded='1']")
        transfer = page.evaluate_handle(
            """([b64, name]) => {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const dt = new DataTransfer();
                dt.items.add(new File([bytes], name));
                return dt;
            }""", [base64.b64encode(data.read_bytes()).decode(), data.name])
        page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
        page.wait_for_selector("#data-note[data-key='msg_data_ok']", state="attached")
        assert "politie.csv: 10 records" in page.inner_text("#data-note")
        assert page.inner_text("#file-info").startswith("CSV")
        assert "cp1252" in page.inner_text("#file-info") and "semicolon" in page.inner_text("#file-info")
        preview = page.query_selector_all("#preview-table tr")
        assert len(preview) == 6 and "Popescu" in preview[1].inner_text()  # header + the first five records
        assert page.query_selector("#encoding-warning") is None
    finally:
        context.close()


def test_a_cyrillic_code_page_file_is_flagged(browser: Any, pages: dict[str, tuple[Path, Path]],
                                              tmp_path: Path) -> None:
    """The page reads non-UTF-8 text as Windows-1252; Cyrillic text this garbles is flagged, not passed silently."""
    page_file, _ = pages["builtin"]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-loaded='1']")
        ok = tmp_path / "latin.csv"
        ok.write_bytes("Voornaam;Achternaam;Geboortejaar\nZoë;Müller;1990\n".encode("cp1252"))
        page.set_input_files("#data-file", str(ok))
        page.wait_for_selector("#data-note[data-key='msg_data_ok']", state="attached")
        assert page.query_selector("#encoding-warning") is None
        bad = tmp_path / "cyrillic.csv"
        bad.write_bytes("Voornaam;Achternaam;Geboortejaar\nОлена;Шевченко;1999\n".encode("cp1251"))
        page.set_input_files("#data-file", str(bad))
        page.wait_for_selector("#encoding-warning", state="attached")
    finally:
        context.close()


def test_a_schemas_own_column_names_are_used(browser: Any, keys: Keys, tmp_path: Path) -> None:
    """A schema's reporter-local ``columns`` (left out of its fingerprint) map the reporter's own headers."""
    doc = json.loads(schema_to_json(linkage.default_schema()))
    doc["columns"] = {"given_names": "Roepnaam", "surname": "Familie", "date_of_birth": "Geb"}
    schema = linkage.load_schema(doc)
    assert schema.fingerprint == linkage.default_schema().fingerprint
    sf = tmp_path / "schema.json"
    sf.write_text(json.dumps(doc))
    pf = tmp_path / "page.html"
    pf.write_bytes(build_reporter_page(schema, reporter_id="fairwork", key_id=keys.key.key_id).html)
    data = tmp_path / "own.csv"
    data.write_text("Roepnaam;Familie;Geb;Nationaliteit\nAna;Popescu;1994-03-17;RO\nJan;de Vries;1980;NL\n", "utf-8")
    run = run_page(browser, pf, secret=keys.secret, signing=keys.signing["fairwork"], data=data)
    assert run.status == "encoded" and run.counts["initials"]["read"] == 2 and run.counts["birth_year"]["read"] == 2
    py = cli_encode(data, tmp_path / "cli.lnk", keys, "fairwork", sf)
    assert py.exit_code == 0, py.output
    assert run.submission == py.submission and run.id_map == py.id_map


def test_the_test_seed_counts_only_when_set_before_the_page_loads(browser: Any, pages: dict[str, tuple[Path, Path]],
                                                                 keys: Keys, tmp_path: Path) -> None:
    """Record ids are random unless the test suite seeds the page before it loads (and then it says so)."""
    page_file, _ = pages["builtin"]
    data = fairwork_xlsx(tmp_path / "fw.xlsx")
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-loaded='1']")
        assert not page.is_visible("#test-mode")
        page.evaluate("(s) => { globalThis.__LINKAGE_TEST_RANDOMNESS__ = s; }",
                      {"seed_hex": SEED.hex(), "created": CREATED})
        assert page.evaluate("() => globalThis.__LINKAGE_TEST_API__ === undefined")
        page.set_input_files("#secret-file", str(keys.secret))
        page.set_input_files("#signing-file", str(keys.signing["fairwork"]))
        page.set_input_files("#data-file", str(data))
        page.wait_for_selector("body[data-status='ready']", state="attached")
        page.click("#encode")
        page.wait_for_selector("body[data-status='encoded']", state="attached")
        with page.expect_download() as dl:
            page.click("#save-submission")
        late = Path(dl.value.path()).read_bytes()
    finally:
        context.close()
    seeded = cli_encode(data, tmp_path / "cli.lnk", keys, "fairwork")
    assert seeded.submission is not None and late[:8] == seeded.submission[:8]
    assert late != seeded.submission and CREATED.encode() not in late
