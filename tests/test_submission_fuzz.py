"""The submission reader never fails with anything but the library's own error (issue 12, exit 3 never).

The fast test runs a few hundred fuzzed files; the 100,000-case run is the
benchmark ``benchmarks/robustness/submission_fuzz.py`` (quick mode in CI, see
tests/test_examples_and_benchmarks.py), which holds the cases. The
targeted tests are the crashes a fuzzer found in an earlier reader: a
5,000-digit integer, 1,000-deep nesting and a malformed ``schema.fields`` in a
header signed by a trusted reporter.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import linkage
from linkage.errors import LinkageError, MismatchError, SubmissionError

ROOT = Path(__file__).resolve().parents[1]
fuzz = SimpleNamespace(**runpy.run_path(str(ROOT / "benchmarks" / "robustness" / "submission_fuzz.py")))


def _signed(fx: Any, header: bytes, body: bytes | None = None) -> Path:
    prefix = fuzz.MAGIC + len(header).to_bytes(4, "big") + header
    data = prefix + fx.trusted_key.sign(fuzz.DOMAIN + prefix) + (fx.body if body is None else body)
    fx.target.write_bytes(data)
    return fx.target


@pytest.fixture()
def fx(tmp_path: Path) -> Any:
    return fuzz.Fixture(tmp_path)


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def test_the_base_file_is_read(fx: Any) -> None:
    sub = linkage.read_submission(_signed(fx, _text(fx.header).encode()), fx.trusted)
    assert len(sub) == 3 and sub.header.dropped_cells == {"initials": 0, "birth_year": 1, "nationality": 0, "sex": 0}
    assert linkage.describe_submission(sub)["fields_dropped"]["birth_year"] == 1


@pytest.mark.parametrize("digits", [21, 4301, 5000])
def test_a_huge_integer_in_a_trusted_header(fx: Any, digits: int) -> None:
    text = _text(fx.header).replace('"record_count":3', '"record_count":' + "7" * digits)
    with pytest.raises(SubmissionError, match="digits|malformed"):
        linkage.read_submission(_signed(fx, text.encode()), fx.trusted)


@pytest.mark.parametrize("depth", [25, 1000, 100_000])
def test_deep_nesting_in_a_trusted_header(fx: Any, depth: int) -> None:
    text = _text(fx.header).replace('"schema":{', '"schema":{"x":' + "[" * depth + "]" * depth + ",", 1)
    with pytest.raises(SubmissionError, match="nested"):
        linkage.read_submission(_signed(fx, text.encode()), fx.trusted)


@pytest.mark.parametrize("fields", [
    [1, 2], [{"name": ["x"], "type": "initials"}], [{"name": "initials"}], "fields", [], None,
    [{"name": "a", "type": "year", "tokens": ["exact"], "bits_per_token": 10**30}],
])
def test_a_malformed_embedded_schema(fx: Any, fields: Any) -> None:
    doc = json.loads(_text(fx.header))
    doc["schema"]["fields"] = fields
    with pytest.raises((SubmissionError, MismatchError)):
        linkage.read_submission(_signed(fx, _text(doc).encode()), fx.trusted)


@pytest.mark.parametrize("dropped", [{"initials": 4}, {"nope": 0}, {"initials": -1}, {"initials": "1"}, [1], 5])
def test_dropped_cell_counts_are_bounded(fx: Any, dropped: Any) -> None:
    doc = json.loads(_text(fx.header))
    doc["dropped_cells"] = dropped
    with pytest.raises(SubmissionError):
        linkage.read_submission(_signed(fx, _text(doc).encode()), fx.trusted)


def test_repeated_keys_nan_and_bad_utf8(fx: Any) -> None:
    base = _text(fx.header)
    for text in (base.replace('{"created"', '{"created":"x","created"', 1).encode(),
                 base.replace('"record_count":3', '"record_count":NaN').encode(),
                 base.replace('"record_count":3', '"record_count":1e999').encode(),
                 base.encode()[:-5] + b"\xff\xfe}}}"):
        with pytest.raises(SubmissionError):
            linkage.read_submission(_signed(fx, text), fx.trusted)


def test_every_error_names_the_file(fx: Any) -> None:
    fx.target.write_bytes(b"not a submission")
    with pytest.raises(SubmissionError, match=r"^case\.lnk: "):
        linkage.read_submission(fx.target, fx.trusted)


def test_a_key_under_two_reporter_ids_is_named_as_such(fx: Any) -> None:
    trusted = dict(fx.trusted)
    trusted["police-copy"] = trusted["police"]
    with pytest.raises(linkage.SignatureError, match="one public key under several reporter ids"):
        linkage.read_submission(_signed(fx, _text(fx.header).encode()), trusted)


def test_fuzz_fast(tmp_path: Path) -> None:
    result = fuzz.run_cases(400, seed=2024, workdir=tmp_path)
    assert result["failures"] == [] and result["not_library_errors"] == 0, result["failures"]
    outcomes = result["outcomes"]
    # The fuzzer reaches every stage: some files pass, most fail in the header checks after the signature.
    assert outcomes.get("accepted", 0) > 0 and outcomes.get("SubmissionError", 0) > 100
    assert outcomes.get("SignatureError", 0) > 0
    assert result["accepted_with_wrong_records"] == 0


def test_the_fuzzer_would_see_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that lets a ValueError out is caught by the fuzzer (so a clean run means something)."""
    real = linkage.read_submission

    def broken(path: Any, trusted: Any, **kw: Any) -> Any:
        data = Path(path).read_bytes()
        if b"9" * 21 in data:
            raise ValueError("simulated crash")
        return real(path, trusted, **kw)

    monkeypatch.setattr(linkage, "read_submission", broken)  # the harness calls linkage.read_submission
    result = fuzz.run_cases(300, seed=7, workdir=tmp_path)
    assert result["not_library_errors"] > 0
    assert not isinstance(ValueError("x"), LinkageError)
