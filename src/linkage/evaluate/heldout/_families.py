"""The scenario families: what each varies, and its development and held-out seeds.

Development seeds may be used for tuning; held-out seeds must never be (they
are frozen, with the hash of every data set, in
``benchmarks/quality/heldout/scenarios.json``). Seed ranges do not overlap
between families, except that ``errors_half`` and ``errors_double`` share
theirs on purpose (the same persons and reports with half and twice the
errors).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from linkage.errors import LinkageError
from linkage.evaluate.heldout._dataset import HeldoutData, generate
from linkage.evaluate.heldout._febrl_single import febrl_single
from linkage.evaluate.heldout._params import ScenarioParams

Kind = Literal["year", "decade", "febrl", "large"]


@dataclass(frozen=True)
class Family:
    """A scenario family: parameters, kind, and its seeds.

    ``kind``: ``year`` (one year, each data set deduplicated as the annual
    count), ``decade`` (9 years: each year on its own and all in one run),
    ``febrl`` (single files; a data set id is ``"<number>/<nationality seed or
    none>"``), ``large`` (one run over every report).
    """

    name: str
    kind: Kind
    description: str
    params: ScenarioParams
    dev: tuple[str, ...]
    heldout: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "description": self.description,
                "params": self.params.to_dict(), "dev": list(self.dev), "heldout": list(self.heldout)}


def _seeds(start: int, count: int) -> tuple[str, ...]:
    return tuple(str(s) for s in range(start, start + count))


_FEBRL_HELDOUT = tuple(f"{n}/{s}" for n in (1, 2, 3, 4) for s in ("none", "19001", "19002", "19003"))

FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("base", "year", "the held-out generator as it is: its own name lists, power law (exponent 0.5), "
           "reporter mix, error model and duplicates", ScenarioParams(), _seeds(1, 10), _seeds(10001, 50)),
    Family("names_power", "year", "a steeper name-frequency law (power, exponent 1.2) and an African and "
           "Asian culture mix (Nigerian, Eritrean, Vietnamese, Chinese, Moroccan)",
           ScenarioParams(name_exponent=1.2, nationality_mix="africa_asia"), _seeds(101, 10), _seeds(11001, 50)),
    Family("names_pitman_yor", "year", "names drawn by a Pitman-Yor process (discount 0.6, concentration 10), "
           "so a few names cluster in one data set, and an Eastern European mix (Romanian, Bulgarian, "
           "Ukrainian, Polish, Hungarian)",
           ScenarioParams(name_law="pitman_yor", py_discount=0.6, py_concentration=10.0,
                          nationality_mix="east_europe"), _seeds(201, 10), _seeds(12001, 50)),
    Family("errors_half", "year", "every reporter error rate halved (missing values unchanged)",
           ScenarioParams(error_scale=0.5), _seeds(301, 10), _seeds(13001, 50)),
    Family("errors_double", "year", "every reporter error rate doubled (missing values unchanged); same seeds "
           "as errors_half", ScenarioParams(error_scale=2.0), _seeds(301, 10), _seeds(13001, 50)),
    Family("dominant_nationality", "year", "one nationality (drawn per seed from NGA, ROU, UKR, ERI, VNM, HUN, "
           "BRA, POL, CHN, BGR) is 55% of the year's new persons",
           ScenarioParams(dominant="seeded", dominant_share=0.55), _seeds(401, 10), _seeds(14001, 50)),
    Family("siblings", "year", "30% of persons in sibling groups (same surname or father's name, nationality, "
           "mostly reported together), 35% of groups starting with twins (same date of birth)",
           ScenarioParams(sibling_share=0.30, twin_share=0.35), _seeds(501, 10), _seeds(15001, 50)),
    Family("undocumented", "year", "60% of non-European persons undocumented: date of birth registered as "
           "1 January of an assessed year (-3..+3), re-assessed by half of the reports",
           ScenarioParams(undocumented_share=0.6, reassess=0.5), _seeds(601, 10), _seeds(16001, 50)),
    Family("missing_fields", "year", "two reporters (per seed) send no sex column, two no nationality column, "
           "and every reporter leaves fields empty twice as often",
           ScenarioParams(drop_sex=2, drop_nationality=2, missing_scale=2.0), _seeds(701, 10), _seeds(17001, 50)),
    Family("decade", "decade", "nine years (2014-2022), 800-1,700 reports a year, late reports and "
           "re-victimisation across years (8% of episodes)",
           ScenarioParams(years=tuple(range(2014, 2023)), rereport=0.08), _seeds(801, 2), _seeds(18001, 10)),
    Family("febrl", "febrl", "FEBRL 1-4 reduced to initials, birth year and (with a seed) a drawn nationality, "
           "each as one reporter's single file; FEBRL itself is public and the nationality seed 0 is what the "
           "quality suite uses, so only the seeds below are held out",
           ScenarioParams(years=(2022,)), tuple(f"{n}/0" for n in (1, 2, 3, 4)), _FEBRL_HELDOUT),
    Family("large_100k", "large", "100,000 reports in one run (one year's worth of a national or "
           "international register)", ScenarioParams(reports=(100_000, 100_000)), ("901",), ("20001", "20002")),
    Family("large_1m", "large", "1,000,000 reports in one run", ScenarioParams(reports=(1_000_000, 1_000_000)),
           ("902",), ("20101",)),
)}


def family_dataset(family: Family | str, dataset: str, *, messy: bool = False) -> HeldoutData:
    """One data set of a family by its id (a seed, or ``"<number>/<seed or none>"`` for FEBRL)."""
    fam = FAMILIES[family] if isinstance(family, str) else family
    if fam.kind == "febrl":
        number, _, seed = dataset.partition("/")
        if not number.isdigit() or not (seed == "none" or seed.isdigit()):
            raise LinkageError("a FEBRL data set id is '<number>/<seed or none>'")
        data = febrl_single(int(number), None if seed == "none" else int(seed))
    else:
        if not dataset.isdigit():
            raise LinkageError("a data set id is a non-negative integer seed")
        data = generate(fam.params, int(dataset), family=fam.name, messy=messy)
    return dataclasses.replace(data, info={**data.info, "id": dataset})


def family_from_dict(data: dict[str, Any]) -> Family:
    """A family as ``scenarios.json`` lists it."""
    heldout = tuple(str(h["id"]) if isinstance(h, dict) else str(h) for h in data["heldout"])
    return Family(name=str(data["name"]), kind=data["kind"], description=str(data.get("description", "")),
                  params=ScenarioParams.from_dict(data.get("params", {})), dev=tuple(str(d) for d in data["dev"]),
                  heldout=heldout)
