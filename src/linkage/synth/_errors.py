"""Error injection and date helpers, vectorised where the volume needs it.

Name typos are applied one string at a time, but only to the few percent of rows that get one.
Typos never touch the first letter (first-letter errors are modelled separately, as a wrong
initial), so that a typo alone does not change a person's initials.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_KEYBOARD_ROWS):
    for _c, _ch in enumerate(_row):
        near = [_row[j] for j in (_c - 1, _c + 1) if 0 <= j < len(_row)]
        for _rr in (_r - 1, _r + 1):
            if 0 <= _rr < len(_KEYBOARD_ROWS):
                near.extend(_KEYBOARD_ROWS[_rr][j] for j in (_c - 1, _c) if 0 <= j < len(_KEYBOARD_ROWS[_rr]))
        _NEIGHBOURS[_ch] = "".join(sorted(set(near)))


def typo(text: str, u: npt.NDArray[np.float64]) -> str:
    """One typing error in ``text`` (never its first letter), driven by three uniforms ``u``.

    Operations: a neighbouring key instead of a letter, a letter dropped, a letter doubled,
    two adjacent letters swapped.
    """
    n = len(text)
    if n < 3:
        return text
    pos = 1 + int(u[1] * (n - 1))
    ch = text[pos]
    op = int(u[0] * 4)
    if op == 0 and ch.lower() in _NEIGHBOURS:
        near = _NEIGHBOURS[ch.lower()]
        rep = near[int(u[2] * len(near))]
        rep = rep.upper() if ch.isupper() else rep
        return text[:pos] + rep + text[pos + 1 :]
    if op == 1 and ch.isalpha() and text[pos - 1] != " " and (pos + 1 == n or text[pos + 1] != " "):
        return text[:pos] + text[pos + 1 :]
    if op == 2 and ch.isalpha():
        return text[:pos] + ch + text[pos:]
    if pos + 1 < n and text[pos + 1].isalpha() and ch.isalpha():
        return text[:pos] + text[pos + 1] + ch + text[pos + 2 :]
    if ch.isalpha():
        return text[:pos] + ch + text[pos:]
    return text


def apply_typos(values: npt.NDArray[np.object_], rows: npt.NDArray[np.int64], rng: np.random.Generator) -> None:
    """Put one typo into ``values[rows]`` (in place); missing values stay missing."""
    u = rng.random((len(rows), 3))
    for k, i in enumerate(rows):
        v = values[i]
        if v is not None:
            values[i] = typo(v, u[k])


Ints = npt.NDArray[np.int64]


def ymd(dates: npt.NDArray[np.datetime64]) -> tuple[Ints, Ints, Ints]:
    """Year, month and day of ``datetime64[D]`` values."""
    months = dates.astype("datetime64[M]")
    y = months.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    d = (dates - months).astype(np.int64) + 1
    return y, m, d


def from_ymd(y: Ints, m: Ints, d: Ints) -> npt.NDArray[np.datetime64]:
    """``datetime64[D]`` from year, month, day; a day past the month's end becomes its last day."""
    month = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    length = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    out = month.astype("datetime64[D]") + (np.minimum(d, length) - 1).astype("timedelta64[D]")
    return np.asarray(out, dtype="datetime64[D]")


def iso_strings(dates: npt.NDArray[np.datetime64]) -> npt.NDArray[np.object_]:
    """ISO ``YYYY-MM-DD`` strings as an object array."""
    return np.datetime_as_string(dates.astype("datetime64[D]"), unit="D").astype(object)


def dutch_strings(iso: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Dutch ``DD-MM-YYYY`` strings from ISO strings."""
    out = np.empty(len(iso), dtype=object)
    out[:] = [f"{s[8:10]}-{s[5:7]}-{s[0:4]}" for s in iso]
    return out


def age_at(dob: npt.NDArray[np.datetime64], when: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    """Completed years of age at ``when`` for someone born on ``dob``."""
    by, bm, bd = ymd(dob)
    ry, rm, rd = ymd(when)
    before_birthday = (rm < bm) | ((rm == bm) & (rd < bd))
    return np.asarray(ry - by - before_birthday.astype(np.int64), dtype=np.int64)
