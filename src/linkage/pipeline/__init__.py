"""The data path, named once.

Reporter side (:mod:`linkage.pipeline._reporter`, holds the linkage key)::

    reporter's file -> intake -> normalise -> encode (keyed Bloom filters)
      -> signed submission + local id map (+ rejects), one unit; an EncodeReport of what went in

Registry side (:mod:`linkage.pipeline._registry`, takes no key, cannot take one)::

    submissions -> verify -> store -> block -> compare -> classify -> cluster -> estimate -> outputs

Names load lazily, so that importing the registry side (``from linkage.pipeline
import run_dedup``) never loads the reporter side's key code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from linkage.pipeline._registry import (
        DedupResult,
        Progress,
        dedup_records,
        read_answers,
        run_dedup,
        run_manifest,
        summarise,
    )
    from linkage.pipeline._reporter import (
        EncodeReport,
        check_table,
        default_outputs,
        encode_file,
        encode_table,
        kept_record_ids,
    )

_WHERE = {
    "EncodeReport": "linkage.pipeline._reporter",
    "check_table": "linkage.pipeline._reporter",
    "default_outputs": "linkage.pipeline._reporter",
    "encode_file": "linkage.pipeline._reporter",
    "encode_table": "linkage.pipeline._reporter",
    "kept_record_ids": "linkage.pipeline._reporter",
    "DedupResult": "linkage.pipeline._registry",
    "Progress": "linkage.pipeline._registry",
    "dedup_records": "linkage.pipeline._registry",
    "read_answers": "linkage.pipeline._registry",
    "run_dedup": "linkage.pipeline._registry",
    "run_manifest": "linkage.pipeline._registry",
    "summarise": "linkage.pipeline._registry",
}

__all__ = [
    "DedupResult",
    "EncodeReport",
    "Progress",
    "check_table",
    "dedup_records",
    "default_outputs",
    "encode_file",
    "encode_table",
    "kept_record_ids",
    "read_answers",
    "run_dedup",
    "run_manifest",
    "summarise",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
