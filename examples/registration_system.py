"""How a registration system uses linkage as a library, on both sides.

Runs in a temporary directory with synthetic data:

    python examples/registration_system.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

import linkage


def main() -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        schema = linkage.default_schema()

        # Key custodian
        linkage.write_linkage_key(linkage.generate_linkage_key(), d / "linkage.secret")

        # Two reporters, each with a signing key; the registry keeps their public keys.
        (d / "trusted").mkdir()
        police = pd.DataFrame([
            {"given_names": "Maria", "surname": "Ionescu", "date_of_birth": "1996-04-02",
             "nationality": "RO", "sex": "V", "case_ref": "P-1"},
            {"given_names": "Piet", "surname": "de Vries", "date_of_birth": "1979-12-30",
             "nationality": "Nederland", "sex": "M", "case_ref": "P-2"},
        ])
        fairwork = pd.DataFrame([
            {"initials": "M.I.", "age": 26, "report_date": "2022-10-01", "nationality": "Roemeens", "sex": "vrouw"},
        ])
        key = linkage.read_linkage_key(d / "linkage.secret")
        paths = []
        for rep, df in (("police", police), ("fairwork", fairwork)):
            sk = linkage.generate_signing_key()
            linkage.write_signing_key(sk, d / f"{rep}.key", d / "trusted" / f"{rep}.pub")
            try:
                linkage.encode_table(df, schema, key, sk, reporter_id=rep, out_path=d / f"{rep}.lnk",
                                     id_map_path=d / f"{rep}.idmap.csv")
            except linkage.InputError as exc:  # names row and field, never the value
                print(exc)
                raise
            paths.append(d / f"{rep}.lnk")
        del key

        # Registry: never sees the key.
        result = linkage.run_dedup(paths, linkage.load_trusted_keys(d / "trusted"), schema, d / "out")
        print(f"reports: {result.summary.reports}, unique persons: {result.summary.unique_persons}")
        return {"reports": result.summary.reports, "unique_persons": result.summary.unique_persons}


if __name__ == "__main__":
    main()
