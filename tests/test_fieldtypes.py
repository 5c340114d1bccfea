"""Field types: the registry, and a new type added as one module would add it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pandas as pd
import pytest

import linkage
from linkage.encode import LinkageKey
from linkage.errors import Problem, SchemaError
from linkage.fieldtypes import (
    BUILT_IN,
    FieldType,
    field_type,
    field_type_names,
    read_single_column,
    register_field_type,
    unregister_field_type,
)
from linkage.schema import MIGRATIONS, SCHEMA_VERSION, json_schema, migrate

from .conftest import TEST_SECRET


def test_built_in_types_in_order() -> None:
    assert field_type_names()[: len(BUILT_IN)] == BUILT_IN
    assert json_schema()["$defs"]["field"]["properties"]["type"]["enum"][: len(BUILT_IN)] == list(BUILT_IN)
    with pytest.raises(SchemaError):
        field_type("colour")


class _Region(FieldType):
    """A region code such as 'NL-NH' (a test-only type)."""

    name: ClassVar[str] = "region_code"
    token_types: ClassVar[tuple[str, ...]] = ("code", "country")
    normalisation_schema: ClassVar[dict[str, Any]] = {"case": {"enum": ["upper"]}}
    normalisation_defaults: ClassVar[dict[str, Any]] = {"case": "upper"}

    def read(self, spec: Any, columns: Any, n: int, problems: list[Problem]) -> list[object]:
        def resolve(v: object) -> str:
            text = str(v).strip().upper()
            if "-" not in text:
                from linkage.errors import InvalidValue

                raise InvalidValue("a region code looks like NL-NH")
            return text

        return read_single_column(spec, columns, n, problems, resolve)

    def tokens(self, spec: Any, value: Any) -> list[str]:
        out = []
        if "code" in spec.tokens:
            out.append(f"c:{value}")
        if "country" in spec.tokens:
            out.append(f"k:{str(value).split('-')[0]}")
        return out


@pytest.fixture()
def region_type() -> Iterator[None]:
    register_field_type(_Region())
    try:
        yield
    finally:
        unregister_field_type("region_code")


def test_a_new_type_is_one_registration(region_type: None) -> None:
    doc = dict(linkage.default_schema(hardened=False).document)
    doc["name"] = "with-region"
    doc["fields"] = [*doc["fields"], {"name": "region", "type": "region_code", "tokens": ["code", "country"],
                                      "bits_per_token": 10}]
    schema = linkage.load_schema(doc)
    assert schema.field("region").normalisation == {"case": "upper"}  # defaults from the type
    df = pd.DataFrame({"initials": ["AB", "AB", "CD"], "region": ["nl-nh", "NL-ZH", None]})
    enc = linkage.encode_dataframe(df, schema, LinkageKey(TEST_SECRET))
    assert enc.presence.tolist()[2] & (1 << 4) == 0 and enc.presence.tolist()[0] & (1 << 4)
    bad = pd.DataFrame({"region": ["nowhere"]})
    with pytest.raises(linkage.InputError) as ei:
        linkage.encode_dataframe(bad, schema, LinkageKey(TEST_SECRET))
    assert "row 1, field 'region'" in str(ei.value) and "nowhere" not in str(ei.value)
    # the JSON Schema knows its tokens and options
    doc["fields"][-1]["tokens"] = ["bogus"]
    with pytest.raises(SchemaError, match="/fields/4/tokens/0"):
        linkage.load_schema(doc)


def test_registering_a_name_twice_is_refused(region_type: None) -> None:
    class Other(_Region):
        pass

    with pytest.raises(SchemaError):
        register_field_type(Other())


def test_schema_migration_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = dict(linkage.default_schema().document)
    assert migrate(doc) == doc  # current documents pass through
    old = {**doc, "version": SCHEMA_VERSION - 1, "threshold_settings": doc["thresholds"]}
    old.pop("thresholds")

    def upgrade(d: dict[str, Any]) -> dict[str, Any]:
        d["thresholds"] = d.pop("threshold_settings")
        d["version"] = SCHEMA_VERSION
        return d

    monkeypatch.setitem(MIGRATIONS, SCHEMA_VERSION - 1, upgrade)
    assert linkage.load_schema(old).fingerprint == linkage.default_schema().fingerprint
    monkeypatch.delitem(MIGRATIONS, SCHEMA_VERSION - 1)
    with pytest.raises(SchemaError, match="no migration"):
        linkage.load_schema(old)
    with pytest.raises(SchemaError, match="newer than this linkage reads"):
        linkage.load_schema({**doc, "version": SCHEMA_VERSION + 1})
