"""Sex: M, F, X or unknown, from Dutch and English spellings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from linkage.errors import InvalidValue
from linkage.normalise import normalise_sex


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M", "M"), ("m", "M"), ("M.", "M"), (" man ", "M"), ("Man", "M"), ("male", "M"),
        ("MALE", "M"), ("mannelijk", "M"), ("Mannelijk", "M"), ("jongen", "M"), ("boy", "M"),
        ("V", "F"), ("v", "F"), ("V.", "F"), ("F", "F"), ("vrouw", "F"), ("Vrouw", "F"),
        ("female", "F"), ("vrouwelijk", "F"), ("woman", "F"), ("meisje", "F"), ("girl", "F"),
        ("X", "X"), ("x", "X"), ("other", "X"), ("anders", "X"), ("overig", "X"), ("Overige", "X"),
        ("non-binary", "X"), ("nonbinary", "X"), ("non binary", "X"), ("non-binair", "X"),
        ("niet-binair", "X"), ("divers", "X"), ("intersex", "X"), ("genderqueer", "X"),
        ("1", "M"), ("2", "F"),  # ISO/IEC 5218
    ],
)
def test_known(text: str, expected: str) -> None:
    assert normalise_sex(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "  ", "?", "-", "U", "u", "onbekend", "Onbekend", "unknown", "niet bekend",
     "not known", "nvt", "n.v.t.", "n/a", "0", "9", "niet opgegeven"],
)
def test_unknown(text: str | None) -> None:
    assert normalise_sex(text) is None


@pytest.mark.parametrize("value", [1, 2, np.int64(1), 2.0])
def test_iso_5218_numbers(value: Any) -> None:
    assert normalise_sex(value) in {"M", "F"}


@pytest.mark.parametrize(
    "text", ["O", "o", "transgender", "mv", "MF", "3", "yes", "Q", "manvrouw", "onzijdig"]
)
def test_unrecognised_and_ambiguous(text: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_sex(text)


def test_o_is_ambiguous_with_a_helpful_reason() -> None:
    with pytest.raises(InvalidValue) as info:
        normalise_sex("O")
    assert "ambiguous" in info.value.reason


@pytest.mark.parametrize("value", [True, 3.5, ["M"], b"M"])
def test_non_text(value: Any) -> None:
    with pytest.raises(InvalidValue):
        normalise_sex(value)
