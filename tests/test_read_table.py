from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import linkage

from .conftest import POLICE_ROWS


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_reporter_tables_in_every_format_encode_alike(tmp_path: Path, suffix: str, schema: linkage.Schema,
                                                       key: linkage.LinkageKey) -> None:
    df = pd.DataFrame(POLICE_ROWS)
    p = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        df.to_csv(p, index=False)
    elif suffix == ".xlsx":
        df.to_excel(p, index=False)
    else:
        df.to_parquet(p, index=False)
    table = linkage.read_table(p)
    assert list(table.columns) == list(df.columns)
    enc = linkage.encode_dataframe(table, schema, key)
    ref = linkage.encode_dataframe(df, schema, key)
    assert (enc.filters == ref.filters).all()


def test_utf16_is_read_and_missing_files_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "utf16.csv"
    p.write_bytes("given_names,surname\nŞerban,Ionuţ\n".encode("utf-16"))
    assert linkage.read_table(p).to_dict("records") == [{"given_names": "Şerban", "surname": "Ionuţ"}]
    p.write_bytes("given_names,surname\nŞerban,Ionuţ\n".encode() + b"\xff\xfe")
    with pytest.raises(linkage.LinkageError) as ei:
        linkage.read_table(p, encoding="utf-8")
    assert "line 3" in str(ei.value) and "Ionu" not in str(ei.value)
    with pytest.raises(linkage.LinkageError):
        linkage.read_table(tmp_path / "nope.csv")


def test_empty_cells_stay_missing(tmp_path: Path, schema: linkage.Schema, key: linkage.LinkageKey) -> None:
    p = tmp_path / "in.csv"
    p.write_text("initials,age,report_date,nationality,sex\nA.P.,28,2022-06-01,,\n")
    table = linkage.read_table(p)
    assert table.loc[0, "nationality"] is None and table.loc[0, "sex"] is None
    assert linkage.encode_dataframe(table, schema, key).presence.tolist() == [0b0011]
