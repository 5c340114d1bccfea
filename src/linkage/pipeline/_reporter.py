"""The reporter side of the data path::

    raw table -> normalise -> encode (keyed Bloom filters) -> signed submission + local id map
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from linkage.encode import LinkageKey, encode_records
from linkage.normalise import normalise_records
from linkage.schema import Schema
from linkage.submission import write_submission

__all__ = ["encode_table"]


def encode_table(
    df: pd.DataFrame,
    schema: Schema,
    key: LinkageKey,
    signing_key: Ed25519PrivateKey,
    *,
    reporter_id: str,
    out_path: str | Path,
    id_map_path: str | Path | None = None,
    case_ref_column: str | None = "case_ref",
    overwrite: bool = False,
) -> pd.DataFrame:
    """Normalise, encode and sign a reporter's table; returns the local id map.

    Nothing is written unless every row is valid.
    """
    normalised = normalise_records(df, schema)
    encoded = encode_records(normalised, schema, key)
    refs: list[str | None] | None = None
    if case_ref_column is not None:
        cols = {str(c).strip().lower(): c for c in df.columns}
        col = cols.get(case_ref_column.lower())
        if col is not None:
            refs = [None if v is None else str(v) for v in df[col].tolist()]
    return write_submission(
        out_path,
        encoded,
        schema,
        reporter_id=reporter_id,
        signing_key=signing_key,
        case_refs=refs,
        id_map_path=id_map_path,
        overwrite=overwrite,
    )
