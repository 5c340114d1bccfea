"""Reading a reporter's own export: CSV, Excel (.xlsx) or Parquet, every cell as text or missing.

The first step on the reporter's machine, before :mod:`linkage.normalise`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from linkage.errors import InputError, LinkageError, Problem

__all__ = ["read_table"]


def read_table(path: str | Path) -> pd.DataFrame:
    """A reporter's raw table from CSV, Excel (.xlsx) or Parquet; every cell as text or missing."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            df = pd.read_excel(p, dtype=object)
        elif suffix == ".parquet":
            df = pd.read_parquet(p)
        else:
            df = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except FileNotFoundError:
        raise LinkageError(f"input file {p.name!r} does not exist") from None
    except UnicodeDecodeError:
        raise InputError([Problem(0, "(file)", "input is not UTF-8 text")]) from None
    except ImportError as exc:
        raise LinkageError(f"reading {suffix} files needs an optional dependency: {exc.name}") from None
    except (ValueError, OSError) as exc:
        raise LinkageError(f"cannot read input file {p.name!r} ({type(exc).__name__})") from None
    df = df.astype(object).where(pd.notna(df), None)
    return df
