"""Error messages name the row and the field, never the value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.errors import InputError, InvalidValue
from linkage.normalise import (
    birth_year_range,
    initials_from_name,
    initials_from_parts,
    normalise_nationality,
    normalise_records,
    normalise_sex,
    parse_initials,
)
from linkage.schema import default_schema

# Distinctive bad values: if any of them shows up in a message, a value leaked.
BAD: list[tuple[Callable[[], Any], str]] = [
    (lambda: normalise_nationality("Klingonrijk"), "Klingonrijk"),
    (lambda: normalise_nationality("Roemenië-Polen-Hongarije"), "Roemenië-Polen-Hongarije"),
    (lambda: normalise_nationality("9731"), "9731"),
    (lambda: normalise_sex("banaan"), "banaan"),
    (lambda: normalise_sex("transgender"), "transgender"),
    (lambda: birth_year_range(date_of_birth="31-02-1987"), "31-02-1987"),
    (lambda: birth_year_range(date_of_birth="17-05-87"), "17-05-87"),
    (lambda: birth_year_range(date_of_birth="1850-03-04"), "1850"),
    (lambda: birth_year_range(date_of_birth="2031-03-04", report_date="2024-01-01"), "2031"),
    (lambda: birth_year_range(birth_year="1887"), "1887"),
    (lambda: birth_year_range(birth_year="negentienzeventig"), "negentienzeventig"),
    (lambda: birth_year_range(age=137, report_date="2024-01-01"), "137"),
    (lambda: birth_year_range(age=-7, report_date="2024-01-01"), "-7"),
    (lambda: birth_year_range(age="zeventien", report_date="2024-01-01"), "zeventien"),
    (lambda: birth_year_range(age=17, report_date="volgende week"), "volgende week"),
    (lambda: parse_initials("7.3.9."), "7.3.9"),
    (lambda: initials_from_name("4711 0815"), "4711"),
    (lambda: initials_from_parts("Ana", "#%$&"), "#%$&"),
]


@pytest.mark.parametrize(("call", "value"), BAD)
def test_invalid_value_messages_never_contain_the_value(call: Callable[[], Any], value: str) -> None:
    with pytest.raises(InvalidValue) as info:
        call()
    exc = info.value
    for text in (str(exc), repr(exc), exc.reason, *map(str, exc.args)):
        assert value not in text
    assert exc.__cause__ is None or value not in str(exc.__cause__)


def test_input_error_never_contains_the_values() -> None:
    values = {
        "given_names": ["Anastasija", "4711", "Jan"],
        "surname": ["Popescu", "Kowalczyk", "@@@"],
        "date_of_birth": ["31-02-1987", "1850-03-04", "17-05-87"],
        "nationality": ["Klingonrijk", "Roemeense", "Atlantisch"],
        "sex": ["banaan", "V", "Ozzy"],
    }
    with pytest.raises(InputError) as info:
        normalise_records(pd.DataFrame(values), default_schema())
    err = info.value
    texts = [str(err), repr(err), *(str(p) for p in err.problems), *(p.reason for p in err.problems)]
    leaked = {v for column in values.values() for v in column if v not in {"Jan", "V", "Roemeense"}}
    for text in texts:
        for value in leaked:
            assert value not in text, (value, text)
    assert len(err.problems) >= 8


MARKER = "Zq9Wx"
marked_text = st.builds(lambda a, b: f"{a}{MARKER}{b}", st.text(max_size=12), st.text(max_size=12))


@settings(max_examples=200, deadline=None)
@given(marked_text)
def test_random_bad_text_never_leaks(text: str) -> None:
    calls: list[Callable[[], Any]] = [
        lambda: normalise_nationality(text),
        lambda: normalise_sex(text),
        lambda: birth_year_range(date_of_birth=text),
        lambda: birth_year_range(birth_year=text),
        lambda: birth_year_range(age=text, report_date="2024-01-01"),
    ]
    for call in calls:
        with pytest.raises(InvalidValue) as info:
            call()
        assert MARKER not in str(info.value)
        assert text not in str(info.value)
