"""Reading reporters' own exports: encodings, delimiters, blank rows, workbooks, files that are not tables."""

from __future__ import annotations

import codecs
import datetime as dt
import random
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linkage
import linkage.normalise
from linkage.errors import ColumnError, KeyFileError, LinkageError
from linkage.intake import decode_text, read_records, read_reporter_file

ROWS = [["Şerban", "Ionescu", "17-05-1990"], ["Renée", "de Vries", "01-02-1985"], ["Jürgen", "Çelik", "1979"]]
HEADER = ["Voornamen", "Achternaam", "Geboortedatum"]


def _text(delimiter: str = ",", newline: str = "\n") -> str:
    return newline.join(delimiter.join(r) for r in [HEADER, *ROWS]) + newline


@pytest.mark.parametrize(
    ("encoding", "how", "prefix"),
    [
        ("utf-8", "valid UTF-8", b""),
        ("utf-8", "byte-order mark", codecs.BOM_UTF8),
        ("utf-16-le", "byte-order mark", codecs.BOM_UTF16_LE),
        ("utf-16-be", "byte-order mark", codecs.BOM_UTF16_BE),
        ("utf-16-le", "detected", b""),
        ("utf-32-le", "byte-order mark", codecs.BOM_UTF32_LE),
    ],
)
def test_unicode_encodings(tmp_path: Path, encoding: str, how: str, prefix: bytes) -> None:
    p = tmp_path / "in.csv"
    p.write_bytes(prefix + _text().encode(encoding))
    raw = read_reporter_file(p)
    assert raw.info.encoding_how == how
    assert raw.frame["Voornamen"].tolist() == ["Şerban", "Renée", "Jürgen"]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_code_pages(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "in.csv"
    rows = [["Renée", "Müller", "Oekraïne"], ["François", "Brontë", "België"], ["José", "Ñúñez", "Spanje"]]
    p.write_bytes("\n".join(";".join(r) for r in [["Voornaam", "Achternaam", "Nationaliteit"], *rows]).encode(encoding))
    raw = read_reporter_file(p)
    assert raw.info.encoding == "cp1252" and raw.info.encoding_how == "detected"
    assert raw.frame.values.tolist() == rows


def test_an_explicit_encoding_wins_and_a_wrong_one_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_bytes(_text().encode("cp1250"))
    assert read_reporter_file(p, encoding="cp1250").frame["Voornamen"].tolist()[0] == "Şerban"
    p.write_bytes(_text().encode("utf-8"))
    assert decode_text(p.read_bytes(), "utf-8")[2] == "given"
    p.write_bytes(b"Voornamen\nAna\n\xffX\n")
    with pytest.raises(LinkageError, match=r"line 3: the file is not valid utf-8") as ei:
        read_reporter_file(p, encoding="utf-8")
    assert "Ana" not in str(ei.value)
    with pytest.raises(LinkageError, match="unknown text encoding"):
        read_reporter_file(p, encoding="no-such-codec")


@pytest.mark.parametrize(("delimiter", "name"), [(",", ","), (";", ";"), ("\t", "\t"), ("|", "|")])
def test_delimiters(tmp_path: Path, delimiter: str, name: str) -> None:
    p = tmp_path / "in.txt"
    p.write_text(_text(delimiter, "\r\n"), "utf-8")
    raw = read_reporter_file(p)
    assert raw.info.delimiter == name
    assert list(raw.frame.columns) == HEADER and len(raw) == 3


def test_semicolon_file_with_commas_in_values(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_text("Naam;Geboortedatum\nBerg, van der Jan;1990\nPopescu, Ana;1994\n", "utf-8")
    raw = read_reporter_file(p)
    assert raw.info.delimiter == ";" and raw.frame["Naam"].tolist() == ["Berg, van der Jan", "Popescu, Ana"]


def test_blank_rows_are_skipped_but_counted_in_row_numbers(tmp_path: Path, schema: linkage.Schema) -> None:
    p = tmp_path / "in.csv"
    p.write_bytes(b"\xef\xbb\xbfVoornamen;Achternaam;Geboortedatum\r\nAna;Popescu;1994\r\n;;\r\n\r\n"
                  b"Jan;Jansen;31-02-1990\r\n;;\r\n;;\r\n")
    raw = read_reporter_file(p)
    assert raw.rows.tolist() == [1, 4] and raw.info.blank_rows == 2
    with pytest.raises(linkage.InputError) as ei:
        linkage.encode_file(p, schema, linkage.LinkageKey(bytes(32)), linkage.generate_signing_key(),
                            reporter_id="r", out_path=tmp_path / "x.lnk")
    assert [str(q) for q in ei.value.problems] == [
        "row 4, field 'Geboortedatum': date of birth is not a valid date"
    ]


def test_ragged_rows(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_text("a,b,c\n1,2\n4,5,6,,\n", "utf-8")
    raw = read_reporter_file(p)
    assert raw.frame.values.tolist() == [["1", "2", None], ["4", "5", "6"]]
    p.write_text("Voornaam,Achternaam\nAna,Popescu\nJan,Berg,van der\n", "utf-8")
    with pytest.raises(LinkageError, match=r"line 3: 3 fields where the header has 2") as ei:
        read_reporter_file(p)
    assert "Berg" not in str(ei.value)


def test_nul_and_binary(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_bytes(b"Voornaam,Achternaam\nAna,Po\x00pescu\n\xff\xfe\xfd")
    with pytest.raises(LinkageError) as ei:
        read_reporter_file(p)
    assert "pescu" not in str(ei.value)


def test_header_only_and_empty_files(tmp_path: Path, schema: linkage.Schema) -> None:
    p = tmp_path / "in.csv"
    p.write_text("Voornamen;Achternaam;Geboortedatum\r\n;;\r\n", "utf-8")
    with pytest.raises(ColumnError, match="has no records"):
        read_records(p, schema)
    p.write_text("", "utf-8")
    with pytest.raises(ColumnError, match="empty"):
        read_records(p, schema)


def test_files_that_are_not_tables(tmp_path: Path, schema: linkage.Schema) -> None:
    secret = tmp_path / "linkage.secret"
    linkage.write_linkage_key(linkage.generate_linkage_key(), secret)
    key = tmp_path / "r.key"
    linkage.write_signing_key(linkage.generate_signing_key(), key, tmp_path / "r.pub")
    for p in (secret, key):
        with pytest.raises(KeyFileError, match="not a table"):
            read_records(p, schema)
    with pytest.raises(LinkageError, match="a public key, not a table"):
        read_records(tmp_path / "r.pub", schema)
    enc = linkage.encode_dataframe(pd.DataFrame({"initials": ["AB"]}), schema, linkage.LinkageKey(bytes(32)))
    linkage.write_submission(tmp_path / "s.lnk", enc, schema, reporter_id="r",
                             signing_key=linkage.read_signing_key(key))
    with pytest.raises(LinkageError, match="a linkage submission, not a table"):
        read_records(tmp_path / "s.lnk", schema)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(LinkageError, match=r"old Excel workbook \(.xls\)"):
        read_records(tmp_path / "old.xls", schema)


def _workbook(path: Path, rows: list[list[object]], *, epoch_1904: bool = False, sheets: int = 1) -> None:
    wb = openpyxl.Workbook()
    if epoch_1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Export"
    for r in rows:
        ws.append(r)
    for i in range(1, sheets):
        wb.create_sheet(f"Blad{i + 1}").append(["x"])
    wb.save(path)


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_xlsx_dates_and_serial_numbers(tmp_path: Path, schema: linkage.Schema, epoch_1904: bool) -> None:
    p = tmp_path / "in.xlsx"
    serial = 33238 if not epoch_1904 else 33238 - 1462  # 1990-12-31 in either date system
    _workbook(p, [[None], ["Naam", "Geb. datum", "Datum melding", "Leeftijd"],
                  ["Ana Popescu", serial, dt.date(2022, 5, 1), None],
                  ["Jan Jansen", dt.datetime(1985, 2, 1), 44682, None],
                  ["Olena Shevchenko", 1990, "2022", None],
                  [None, None, None, None]], epoch_1904=epoch_1904, sheets=2)
    table = read_records(p, schema)
    assert table.info.sheet == "Export" and table.info.other_sheets == ("Blad2",)
    assert table.info.serial_dates == 2  # 33238 and 44682; 1990 is a year
    dob = table.frame["Geb. datum"].tolist()
    assert dob[0].date() == dt.date(1990, 12, 31) and dob[2] == 1990
    norm = linkage.normalise_records(table.frame, schema, columns=table.columns.for_normalise())
    assert norm["birth_year"].tolist() == [(1990, 1990), (1985, 1985), (1990, 1990)]


def test_xlsx_sheet_choice_and_damage(tmp_path: Path, schema: linkage.Schema) -> None:
    p = tmp_path / "in.xlsx"
    _workbook(p, [["Initialen", "Leeftijd", "Datum melding"], ["AP", 30, "2022-01-01"]], sheets=2)
    assert len(read_reporter_file(p, sheet="Export")) == 1
    with pytest.raises(ColumnError, match="no sheet 'Nope'"):
        read_reporter_file(p, sheet="Nope")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(p.read_bytes()[:900])
    with pytest.raises(LinkageError, match="cannot read 'damaged.xlsx' as an Excel workbook"):
        read_reporter_file(damaged)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Voornaam,Achternaam\nAna,Popescu\n")
    with pytest.raises(LinkageError, match="Excel workbook"):
        read_reporter_file(fake)


def test_parquet_and_dataframes_keep_types(tmp_path: Path, schema: linkage.Schema) -> None:
    df = pd.DataFrame({"geboortedatum": pd.to_datetime(["1990-05-17", None]), "voornaam": ["Ana", None],
                       "achternaam": ["Popescu", None]})
    p = tmp_path / "in.parquet"
    df.to_parquet(p)
    table = read_records(p, schema)
    assert len(table) == 1 and table.info.blank_rows == 1 and table.rows.tolist() == [1]
    assert isinstance(table.frame["geboortedatum"].tolist()[0], pd.Timestamp)


def test_headers_that_collide_get_unique_labels(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_text("Naam;Naam (2);naam;;Geboortejaar\nA;B;C;D;1990\n", "utf-8")
    raw = read_reporter_file(p)
    assert len(set(raw.frame.columns)) == 5 and raw.info.duplicate_headers == ("naam",)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(list(';,\t|"\r\n x1-é\x00Ş') + ["31-02-1990", "NL/MA", "onbekend", "Ana"]),
             max_size=120).map("".join).map(
        lambda t: ("Voornaam;Achternaam;Geboortedatum\n" + t).encode("utf-8", "surrogatepass")),
))
def test_any_bytes_give_a_table_or_a_library_error(tmp_path: Path, schema: linkage.Schema, data: bytes) -> None:
    p = tmp_path / "fuzz.csv"
    p.write_bytes(data)
    try:
        table = read_records(p, schema)
    except LinkageError:
        return
    linkage.normalise.normalise_table(table.frame, schema, columns=table.columns.for_normalise(),
                                      invalid="missing", rows=table.rows.tolist())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4))
def test_damaged_workbooks_give_a_library_error(tmp_path: Path, schema: linkage.Schema,
                                                cuts: list[tuple[int, int]]) -> None:
    good = tmp_path / "good.xlsx"
    if not good.exists():
        _workbook(good, [["Naam", "Geb. datum"], ["Ana Popescu", dt.date(1990, 1, 1)]])
    raw = bytearray(good.read_bytes())
    for pos, val in cuts:
        raw[pos % len(raw)] = val
    p = tmp_path / "bad.xlsx"
    p.write_bytes(bytes(raw))
    try:
        read_records(p, schema)
    except LinkageError:
        pass


def test_dutch_names_in_windows_1252_are_not_read_as_baltic_or_central_european(tmp_path: Path) -> None:
    given = ["Anaïs", "Chloë", "Noël", "Zoë", "Raphaël", "Daniël", "Joël", "Ángel", "José", "María", "Inés",
             "Ramón", "Lucía", "Sofía", "Mégane", "Loïs", "Eloïse", "Mickaël", "Michaël", "Ismaël"]
    family = ["Oekraïne", "Brontë", "Gómez", "Álvarez", "Sánchez", "Müller", "Citroën", "Hernández", "Pérez",
              "Rodríguez"]
    lines = ["Voornaam;Achternaam;Nationaliteit"]
    nationality = ["Oekraïense", "Spaanse", "Belgische"]
    for i in range(60):
        lines.append(f"{given[i % len(given)]};{family[i % len(family)]};{nationality[i % 3]}")
    p = tmp_path / "in.csv"
    p.write_bytes("\n".join(lines).encode("cp1252"))
    raw = read_reporter_file(p)
    assert raw.info.encoding == "cp1252"
    assert raw.frame["Voornaam"].tolist()[:3] == ["Anaïs", "Chloë", "Noël"]


@pytest.mark.parametrize("seed", range(20))
def test_short_cyrillic_files_in_windows_1251_are_not_read_as_latin(seed: int) -> None:
    # a few Ukrainian names under a Dutch header: charset-normalizer's language guess follows
    # the header and once read such files as cp1250 / cp1257 / cp1252 ("Îëåíà" for "Олена")
    rng = random.Random(seed)
    names = ["Олена", "Шевченко", "Іван", "Петров", "Наталія", "Бондаренко", "Сергій", "Ковальчук"]
    rows = ["Voornaam;Achternaam;Geboortejaar"]
    rows += [f"{rng.choice(names)};{rng.choice(names)};{rng.randint(1950, 2005)}" for _ in range(rng.randint(1, 6))]
    text = "\n".join(rows) + "\n"
    assert decode_text(text.encode("cp1251"))[0] == text


@pytest.mark.parametrize("seed", range(20))
def test_short_dutch_files_in_windows_1252_stay_windows_1252(seed: int) -> None:
    rng = random.Random(seed)
    names = ["Zoë", "Noël", "Chloë", "Anaïs", "Loïs", "José", "Renée", "Hélène", "Müller", "Jan", "Eva", "Daan"]
    rows = ["Voornaam;Achternaam;Nationaliteit"]
    rows += [f"{rng.choice(names)};{rng.choice(names)};{rng.choice(['Oekraïens', 'België', 'Pools'])}"
             for _ in range(rng.randint(1, 6))]
    text = "\r\n".join(rows) + "\r\n"
    expected = "utf-8" if text.isascii() else "cp1252"
    assert decode_text(text.encode("cp1252"))[:2] == (text, expected)
