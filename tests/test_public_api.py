from __future__ import annotations

import importlib

import linkage

EXPECTED = {
    "ColumnError", "check_table", "encode_file",
    "DedupResult", "EncodedRecords", "FieldSpec", "InputError", "InvalidValue", "KeyMaterialError", "KeyFileError",
    "LinkageError", "LinkageKey", "MismatchError", "Problem", "RegistryRecords", "SQLiteStore", "Schema",
    "SchemaError", "SignatureError", "StoreError", "Submission", "SubmissionError", "__version__",
    "dedup_records", "default_schema", "describe_submission", "encode_dataframe", "encode_records", "encode_table",
    "generate_linkage_key", "generate_signing_key", "json_schema", "linkage_key_from_env", "load_schema",
    "load_trusted_keys", "normalise_records", "read_linkage_key", "read_public_key", "read_signing_key",
    "read_submission", "read_table", "records_from_submissions", "run_dedup", "write_linkage_key",
    "write_signing_key", "write_submission",
}


def test_public_surface_is_curated() -> None:
    assert set(linkage.__all__) == EXPECTED
    for name in linkage.__all__:
        assert hasattr(linkage, name), name


def test_subpackage_all_lists_resolve() -> None:
    for sub in ("schema", "fieldtypes", "normalise", "encode", "submission", "store", "block", "compare", "classify",
                "cluster", "outputs", "execution", "intake", "records", "files", "estimate", "simulate", "figures",
                "synth", "hazmat", "cli"):
        mod = importlib.import_module(f"linkage.{sub}")
        assert hasattr(mod, "__all__"), sub
        for name in mod.__all__:
            assert hasattr(mod, name), (sub, name)


def test_one_exception_tree() -> None:
    for name in linkage.__all__:
        obj = getattr(linkage, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, linkage.LinkageError), name


def test_pipeline_never_imports_privacy() -> None:
    from pathlib import Path

    import linkage.pipeline

    src = Path(linkage.pipeline.__file__).read_text()
    assert "linkage.privacy" not in src


def test_lazy_tables_match_all() -> None:
    import linkage.pipeline

    assert set(linkage.__all__) == set(linkage._WHERE) | {"__version__"}
    assert set(linkage.pipeline.__all__) == set(linkage.pipeline._WHERE)
