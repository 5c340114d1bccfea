"""Fixtures for the reporter page: a headless Chromium (the system's), keys, a page runner.

The browser tests are marked ``browser``. CI's ``.ci/run`` installs Chromium
with apt-get; when no Chromium is found the tests *fail* with a message saying
how to install it (never skip: a skipped browser test would hide a broken page).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import linkage
from linkage.encode import LinkageKey, write_linkage_key

SEED = bytes(range(100, 132))
CREATED = "2024-05-06T07:08:09+00:00"


def chromium_path() -> str:
    """The system Chromium, or a failure that says how to get it."""
    env = os.environ.get("LINKAGE_CHROMIUM")
    for candidate in [env] if env else ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        if candidate and (found := shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)):
            return found
    pytest.fail("the reporter page tests need Chromium: apt-get install -y chromium (as .ci/run does), "
                "or set LINKAGE_CHROMIUM to a Chromium or Chrome executable", pytrace=False)


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $LINKAGE_TEST_ARTEFACTS, else <pytest basetemp>/artefacts."""
    env = os.environ.get("LINKAGE_TEST_ARTEFACTS")
    out = Path(env) if env else tmp_path_factory.getbasetemp() / "artefacts"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the reporter page tests need Playwright for Python: pip install '.[test]'", pytrace=False)
    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield b
        b.close()


@dataclass
class Keys:
    dir: Path
    key: LinkageKey
    secret: Path
    signing: dict[str, Path]
    trusted: Path
    signing_keys: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    d = tmp_path_factory.mktemp("keys")
    key = linkage.generate_linkage_key()
    write_linkage_key(key, d / "linkage.secret")
    trusted = d / "trusted"
    trusted.mkdir()
    signing: dict[str, Path] = {}
    sks: dict[str, Any] = {}
    for rep in ("police", "fairwork"):
        sk = linkage.generate_signing_key()
        linkage.write_signing_key(sk, d / f"{rep}.key", trusted / f"{rep}.pub")
        signing[rep] = d / f"{rep}.key"
        sks[rep] = sk
    return Keys(dir=d, key=key, secret=d / "linkage.secret", signing=signing, trusted=trusted, signing_keys=sks)


@dataclass
class PageRun:
    """What one run of the page gave: its notes, tables and saved files."""

    notes: dict[str, str]
    note_keys: dict[str, str]
    status: str
    counts: dict[str, dict[str, int]]
    problems: int
    submission: bytes | None = None
    id_map: bytes | None = None
    rejects: bytes | None = None
    console: list[str] = field(default_factory=list)


@contextmanager
def seeded_page(browser: Any, html: bytes, directory: Path, name: str = "page.html") -> Iterator[Any]:
    """A page in test mode (seeded ids, ``__LINKAGE_TEST_API__``), loaded from ``file://``."""
    pf = directory / name
    pf.write_bytes(html)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(
            f"globalThis.__LINKAGE_TEST_RANDOMNESS__ = {{seed_hex: '{SEED.hex()}', created: '{CREATED}'}};")
        page.goto(pf.as_uri())
        page.wait_for_selector("body[data-loaded='1']")
        yield page
    finally:
        context.close()


NOTES = ("schema-note", "secret-note", "signing-note", "data-note", "encode-note")


def run_page(browser: Any, page_file: Path, *, secret: Path | None, signing: Path | None, data: Path | None,
             seed: bytes | None = SEED, created: str = CREATED, missing: bool = False, reporter: str | None = None,
             encode: bool = True, screenshot: Path | None = None, lang: str | None = None) -> PageRun:
    """Open the page from file://, give it keys and a file, encode, save; everything it showed and saved."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    if seed is not None:
        page.add_init_script(
            f"globalThis.__LINKAGE_TEST_RANDOMNESS__ = {{seed_hex: '{seed.hex()}', created: '{created}'}};")
    try:
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-loaded='1']", timeout=30_000)
        if lang is not None:
            page.click(f"button[data-lang='{lang}']")
        if missing:
            page.check("#invalid-missing")
        if reporter is not None:
            page.fill("#reporter-id", reporter)
        for selector, path in (("#secret-file", secret), ("#signing-file", signing)):
            if path is not None:
                page.set_input_files(selector, str(path))
                note = selector.replace("file", "note")
                page.wait_for_selector(f"{note}[data-key]:not([data-key=''])", state="attached", timeout=30_000)
        if data is not None:
            page.set_input_files("#data-file", str(data))
            page.wait_for_selector("#data-note[data-key]:not([data-key=''])", state="attached", timeout=120_000)
            page.wait_for_selector("body[data-busy='0']", state="attached", timeout=120_000)
        out = PageRun(notes={}, note_keys={}, status="", counts={}, problems=0, console=console)
        if encode and page.get_attribute("body", "data-status") == "ready":
            page.click("#encode")
            page.wait_for_selector("body[data-status='encoded'], #encode-note.error", state="attached",
                                   timeout=300_000)
            if page.get_attribute("body", "data-status") == "encoded":
                for button, attr in (("#save-submission", "submission"), ("#save-idmap", "id_map")):
                    with page.expect_download() as dl:
                        page.click(button)
                    setattr(out, attr, Path(dl.value.path()).read_bytes())
                if page.is_visible("#save-rejects"):
                    with page.expect_download() as dl:
                        page.click("#save-rejects")
                    out.rejects = Path(dl.value.path()).read_bytes()
        for slot in NOTES:
            out.notes[slot] = page.inner_text(f"#{slot}")
            out.note_keys[slot] = page.get_attribute(f"#{slot}", "data-key") or ""
        out.status = page.get_attribute("body", "data-status") or ""
        for row in page.query_selector_all("#counts-table tr[data-field]"):
            out.counts[row.get_attribute("data-field") or ""] = {
                k: int(row.query_selector(f"td.{k}").inner_text()) for k in ("read", "missing", "refused")}
        header = 1 if page.query_selector("#problems-table") else 0
        out.problems = len(page.query_selector_all("#problems-table tr")) - header
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
        return out
    finally:
        context.close()
