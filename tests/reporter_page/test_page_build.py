"""The reporter page as a file (no browser): self-contained, locked down by its CSP, data from the package."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkage
from linkage.cli import cli
from linkage.errors import LinkageError
from linkage.normalise.tables import portable_rules
from linkage.reporter_page import build_reporter_page, check_value, write_reporter_page
from linkage.schema import schema_to_json

KID = "kid-" + "ab" * 16


@pytest.fixture(scope="module")
def page() -> bytes:
    return build_reporter_page(reporter_id="fairwork", key_id=KID).html


def _inline(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.DOTALL)


def _data(html: str, ident: str) -> str:
    m = re.search(rf'<script type="application/[a-z-]+" id="{ident}">(.*?)</script>', html, re.DOTALL)
    assert m is not None
    return m.group(1)


def test_csp_forbids_everything_but_the_pages_own_script_and_style(page: bytes) -> None:
    html = page.decode("utf-8")
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert m is not None
    directives = {d.split()[0]: d.split()[1:] for d in m.group(1).split("; ")}
    assert directives["default-src"] == ["'none'"]
    for name in ("connect-src", "img-src", "font-src", "object-src", "frame-src", "worker-src", "form-action",
                 "base-uri"):
        assert directives[name] == ["'none'"], name
    scripts, styles = _inline(html, "script"), _inline(html, "style")
    assert len(scripts) == 1 and len(styles) == 1  # the JSON data blocks have a type and never execute

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert directives["script-src"] == [digest(scripts[0])]
    assert directives["style-src"] == [digest(styles[0])]
    # nothing is loaded from anywhere: no src/href attributes, no URL to fetch in the script
    assert not re.search(r"\s(src|href)=", html.split("<script>")[0])
    assert "http://" not in scripts[0] and "https://" not in scripts[0]
    assert "fetch(" not in scripts[0] and "XMLHttpRequest" not in scripts[0] and "WebSocket" not in scripts[0]


def test_page_embeds_schema_key_id_reporter_and_the_packages_own_rules(page: bytes) -> None:
    html = page.decode("utf-8")
    config = json.loads(_data(html, "linkage-config"))
    schema = linkage.default_schema()
    assert config["fingerprint"] == schema.fingerprint
    assert "sha256:" + hashlib.sha256(config["fingerprint_text"].encode()).hexdigest() == schema.fingerprint
    embedded = json.loads(config["schema_header_json"])
    assert linkage.load_schema(embedded).fingerprint == schema.fingerprint
    assert config["key_id"] == KID and config["reporter_id"] == "fairwork" and config["lang"] == "nl"
    assert json.loads(_data(html, "linkage-rules")) == json.loads(json.dumps(portable_rules()))
    assert set(config["texts"]) == {"nl", "en"} and set(config["texts"]["nl"]) == set(config["texts"]["en"])
    assert '<html lang="nl">' in html


def test_check_value_is_in_the_footer_and_detects_a_change(tmp_path: Path) -> None:
    built = build_reporter_page()
    assert check_value(built.html) == built.check_value
    assert built.check_value.encode() in built.html
    assert hashlib.sha256(built.html).hexdigest() == built.file_sha256
    changed = built.html.replace(b"Melding voorbereiden", b"Melding voorbereidem", 1)
    assert check_value(changed) != built.check_value
    # the page is the same for the same inputs (reproducible: the registry can rebuild and compare)
    assert build_reporter_page().html == built.html
    with pytest.raises(LinkageError, match="not a linkage reporter page"):
        check_value(b"<html></html>")


def test_page_size_is_modest(page: bytes) -> None:
    assert 150_000 < len(page) < 600_000


def test_refuses_a_schema_browsers_cannot_encode_and_bad_options() -> None:
    doc = json.loads(schema_to_json(linkage.default_schema()))
    doc["version"] = 1
    del doc["hardening"]["keystream"]  # a version 1 document: ChaCha20
    with pytest.raises(LinkageError, match="ChaCha20"):
        build_reporter_page(linkage.load_schema(doc))
    # a version 1 document without a keystream step is fine (it encodes the same under either)
    plain = json.loads(schema_to_json(linkage.default_schema(hardened=False)))
    plain["version"] = 1
    del plain["hardening"]["keystream"]
    build_reporter_page(linkage.load_schema(plain))
    with pytest.raises(LinkageError, match="reporter id"):
        build_reporter_page(reporter_id="Fair Work")
    with pytest.raises(LinkageError, match="key id"):
        build_reporter_page(key_id="kid-123")
    with pytest.raises(LinkageError, match="speaks"):
        build_reporter_page(lang="de")


def test_cli_writes_the_page_and_prints_its_check_values(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    r = CliRunner().invoke(cli, ["reporter-page", "--out", str(out), "--reporter", "fairwork", "--key-id", KID,
                                 "--lang", "en", "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    data = out.read_bytes()
    assert info["bytes"] == len(data) and info["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert info["check_value"] == check_value(data) and info["check_value"].encode() in data
    assert info["schema_fingerprint"] == linkage.default_schema().fingerprint
    assert '<html lang="en">' in data.decode()
    assert out.stat().st_mode & 0o777 == 0o644
    # no overwrite without --overwrite; a key file is never replaced
    again = CliRunner().invoke(cli, ["reporter-page", "--out", str(out)])
    assert again.exit_code == 1 and "overwrite" in again.output
    assert CliRunner().invoke(cli, ["reporter-page", "--out", str(out), "--overwrite"]).exit_code == 0
    secret = tmp_path / "linkage.secret"
    linkage.write_linkage_key(linkage.generate_linkage_key(), secret)
    before = secret.read_bytes()
    r = CliRunner().invoke(cli, ["reporter-page", "--out", str(secret), "--overwrite"])
    assert r.exit_code == 1 and secret.read_bytes() == before
    r = CliRunner().invoke(cli, ["reporter-page", "--out", str(tmp_path / "x.html"), "--key-id", "nope"])
    assert r.exit_code == 1 and "key id" in r.output
    plain = CliRunner().invoke(cli, ["reporter-page", "--out", str(tmp_path / "y.html")])
    assert plain.exit_code == 0 and "check value" in plain.output
    # --check recomputes both values of an existing page; a changed page gives another check value
    checked = CliRunner().invoke(cli, ["reporter-page", "--check", str(out), "--json"])
    assert checked.exit_code == 0, checked.output
    again_info = json.loads(checked.output)
    assert again_info["file_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert again_info["check_value"] == check_value(out.read_bytes())
    out.write_bytes(out.read_bytes().replace(b"Prepare a submission", b"Prepare a submissiom", 1))
    changed = json.loads(CliRunner().invoke(cli, ["reporter-page", "--check", str(out), "--json"]).output)
    assert changed["check_value"] != again_info["check_value"]
    assert CliRunner().invoke(cli, ["reporter-page"]).exit_code == 2
    both = ["reporter-page", "--out", str(tmp_path / "z.html"), "--check", str(out)]
    assert CliRunner().invoke(cli, both).exit_code == 2
    not_page = CliRunner().invoke(cli, ["reporter-page", "--check", str(secret)])
    assert not_page.exit_code == 1 and "not a linkage reporter page" in not_page.output


def test_write_reporter_page_checks_its_output_first(tmp_path: Path) -> None:
    with pytest.raises(LinkageError):
        write_reporter_page(tmp_path / "missing-dir" / "page.html")
    page = write_reporter_page(tmp_path / "p.html", reporter_id="police")
    assert (tmp_path / "p.html").read_bytes() == page.html
