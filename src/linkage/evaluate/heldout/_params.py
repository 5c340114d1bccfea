"""Scenario parameters: every knob of the held-out generator, as plain JSON-able data."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from linkage.errors import LinkageError


@dataclass(frozen=True)
class ScenarioParams:
    """What a held-out data set looks like. Every field has a documented default.

    ``years``: the report years. ``reports``: reports per year, drawn uniformly
    between the two bounds per year (equal bounds fix it). ``nationality_mix``:
    a named mix (``default``, ``africa_asia``, ``east_europe``).
    ``dominant``/``dominant_share``: one nationality takes this share of the new
    persons of every year (``"seeded"`` draws it per seed). ``name_law``,
    ``name_exponent``, ``py_discount``, ``py_concentration``: the name-frequency
    law (:mod:`._laws`). ``error_scale`` multiplies every reporter error rate
    (not the missing values); ``missing_scale`` multiplies the chance that a
    reporter leaves a field empty. ``sibling_share``: share of persons in sibling
    groups (same surname, nationality, culture, often reported together),
    ``twin_share`` of those groups starting with twins (same date of birth).
    ``undocumented_share``: share of non-European persons whose date of birth is
    unknown and registered as 1 January of an assessed year; ``reassess``: the
    chance that a reporter assesses that year anew. ``drop_sex`` and
    ``drop_nationality``: how many reporters (drawn per seed) send no sex or no
    nationality column at all. ``rereport``: chance that a person's episode is
    followed by another report in a later year (re-victimisation, late reports).
    """

    years: tuple[int, ...] = (2022,)
    reports: tuple[int, int] = (800, 1700)
    nationality_mix: str = "default"
    dominant: str | None = None
    dominant_share: float = 0.0
    name_law: Literal["power", "pitman_yor"] = "power"
    name_exponent: float = 0.5
    py_discount: float = 0.5
    py_concentration: float = 30.0
    error_scale: float = 1.0
    missing_scale: float = 1.0
    sibling_share: float = 0.04
    twin_share: float = 0.15
    undocumented_share: float = 0.06
    reassess: float = 0.35
    drop_sex: int = 0
    drop_nationality: int = 0
    rereport: float = 0.07

    def __post_init__(self) -> None:
        if not self.years or any(not 1950 <= y <= 2100 for y in self.years):
            raise LinkageError("years must be a non-empty list of years between 1950 and 2100")
        if len(set(self.years)) != len(self.years) or list(self.years) != sorted(self.years):
            raise LinkageError("years must be increasing and distinct")
        lo, hi = self.reports
        if not 1 <= lo <= hi:
            raise LinkageError("reports must be two bounds 1 <= low <= high")
        for name in ("dominant_share", "sibling_share", "twin_share", "undocumented_share", "reassess", "rereport"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise LinkageError(f"{name} must lie between 0 and 1")
        if self.error_scale < 0 or self.missing_scale < 0:
            raise LinkageError("error_scale and missing_scale must not be negative")
        if self.name_law not in ("power", "pitman_yor"):
            raise LinkageError("name_law must be 'power' or 'pitman_yor'")

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that differ from the defaults (what ``scenarios.json`` lists)."""
        default = ScenarioParams()
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if v != getattr(default, f.name):
                out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScenarioParams:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise LinkageError(f"unknown scenario parameter(s): {', '.join(unknown)}")
        kw: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return dataclasses.replace(cls(), **kw)
