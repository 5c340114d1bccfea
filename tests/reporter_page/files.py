"""Reporters' files for the page tests (synthetic values only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

FAIRWORK_ROWS = [
    # Initialen, Leeftijd, Datum melding (an Excel date), Nationaliteit (Dutch adjective), Geslacht (V/M), Dossier
    ("A.P.", 28, dt.date(2022, 6, 1), "Roemeense", "V", "FW-0001"),
    ("OS", 22, dt.date(2022, 9, 15), "Oekraïense", "V", "FW-0002"),
    ("T.K.", 41, dt.date(2022, 2, 11), "Poolse", "M", "FW-0003"),
    ("J.v.d.B.", 19, dt.date(2022, 3, 3), "Nederlandse", "M", "FW-0004"),
    ("CO", 35, dt.date(2022, 4, 4), "Nigeriaans", "M", "FW-0005"),
    ("M", None, dt.date(2022, 5, 5), "Bulgaarse", "V", None),
    ("E.N.", 30, dt.date(2022, 7, 7), "staatloos", None, "FW-0007"),
    ("XX", 52, dt.date(2022, 8, 8), "Eritrese", "V", "FW-0008"),
    ("I.D.", 27, dt.date(2022, 10, 10), "Hongaarse", "vrouw", "FW-0009"),
    ("R.S.", 44, dt.date(2022, 11, 11), "Joegoslavische", "M", "FW-0010"),
]

POLICE_ROWS = [
    # Voornaam; Achternaam; Geboortedatum; Nationaliteit; Geslacht; Dossiernummer  (Windows-1252, semicolon)
    ("Ana-Maria", "Popescu", "17-03-1994", "Roemenië", "V", "PL-0017"),
    ("Olena", "Shevchenko", "1999-07-12", "UKR", "V", "PL-0033"),
    ("Chukwuemeka", "Okonkwo", "02-11-1988", "Nigeria", "M", "PL-0051"),
    ("Jan", "van der Berg", "30-01-2005", "Nederland", "M", "PL-0068"),
    ("Zoë", "Müller-Lüdenscheidt", "1990", "Duitse", "V", "PL-0070"),
    ("Tomáš", "Novák", "31 december 1985", "Tsjechië", "M", "PL-0071"),
    ("Søren", "Šimek", "", "Deens", "M", "PL-0072"),
    ("Thijs", "'t Hart", "00-00-1979", "NL", "M", "PL-0073"),
    ("Fatima", "el-Amrani", "1996-02-29", "Marokkaanse", "V", "PL-0074"),
    ("Ana", "Popescu", "17-03-1994", "Roemeense", "vrouw", "PL-0075"),
]


def fairwork_xlsx(path: Path, rows: list[tuple[object, ...]] = FAIRWORK_ROWS) -> Path:
    """FairWork style: initials, age, report date as an Excel date, Dutch nationality adjectives, Geslacht V/M."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Meldingen"
    ws.append(["Initialen", "Leeftijd", "Datum melding", "Nationaliteit", "Geslacht", "Dossiernummer"])
    for r in rows:
        ws.append(list(r))
    for cell in ws["C"][1:]:
        cell.number_format = "dd-mm-yyyy"
    wb.create_sheet("Toelichting").append(["Deze sheet wordt niet gelezen"])
    wb.save(path)
    return path


def police_cp1252(path: Path, rows: list[tuple[str, ...]] = POLICE_ROWS) -> Path:
    """Excel-NL CSV export: Windows-1252, semicolon, CRLF, Dutch headers, a blank ;;;;; row."""
    lines = ["Voornaam;Achternaam;Geboortedatum;Nationaliteit;Geslacht;Dossiernummer"]
    for i, r in enumerate(rows):
        lines.append(";".join(r))
        if i == 3:
            lines.append(";;;;;")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def utf8_bom_comma(path: Path) -> Path:
    """English headers, comma, UTF-8 with a BOM, quoted fields."""
    text = ("\ufeffFull name,Date of birth,Nationality,Sex,Case number\r\n"
            '"Popescu, Ana-Maria",1994-03-17,Romanian,F,C-1\r\n'
            '"Олена Шевченко",12-07-1999,Ukrainian,female,C-2\r\n'
            '"Nguyễn Thị Lan",1991,Vietnamese,F,C-3\r\n'
            '"O\'Brien, Seán",1980-05-05,Irish,M,"C-4, extra"\r\n')
    path.write_bytes(text.encode("utf-8"))
    return path
