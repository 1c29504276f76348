"""National and district figures of record verification: how far the supplied records can be trusted, and how much
of the contamination and harm lies outside them (FACTS.md: records judged ~25% accurate, >55% of incidents outside).

Where and when the records were no guide at all: the districts with no record, and the periods (calendar quarters)
in which a district saw mines found or mine incidents and not one of them lay inside a record's perimeter."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from demine.analysis.records.classify import RecordClass
from demine.analysis.records.inputs import MINE_CATEGORIES, VerificationInputs
from demine.analysis.records.verify import RecordVerification


@dataclass(frozen=True, slots=True)
class AreaFigures:
    name: str
    records: int
    verifiable: int
    accurate: int
    mines_found: int
    mines_found_outside: int
    mine_incidents: int
    mine_incidents_outside: int

    @property
    def accurate_share(self) -> float | None:
        return self.accurate / self.verifiable if self.verifiable else None

    @property
    def mines_outside_share(self) -> float | None:
        return self.mines_found_outside / self.mines_found if self.mines_found else None

    @property
    def incidents_outside_share(self) -> float | None:
        return self.mine_incidents_outside / self.mine_incidents if self.mine_incidents else None


@dataclass(frozen=True, slots=True)
class PeriodWithoutRecords:
    """A district and quarter in which mines were found or mine incidents happened, none inside any record."""

    district: str
    period: str  # calendar quarter, e.g. "2023-Q2"
    mines_found: int
    mine_incidents: int


@dataclass(frozen=True, slots=True)
class VerificationFigures:
    national: AreaFigures
    districts: list[AreaFigures]
    by_class: dict[str, int]
    districts_without_records: list[str] = field(default_factory=list)
    periods_without_records: list[PeriodWithoutRecords] = field(default_factory=list)


def figures(inputs: VerificationInputs, results: list[RecordVerification]) -> VerificationFigures:
    return figures_of_classes(inputs, [r.verification_class.value for r in results],
                              [r.admin_area_id for r in results])


def figures_of_classes(inputs: VerificationInputs, record_classes: list[str],
                       record_districts: list[int | None]) -> VerificationFigures:
    """The figures from each record's class and district: of a run just made, or of the latest stored run."""
    classes = pd.Series(record_classes, dtype=object)
    by_class = {c.value: int((classes == c.value).sum()) for c in RecordClass}
    perimeters = inputs.records[["geometry"]]
    mines = _outside(gpd.GeoDataFrame(geometry=gpd.points_from_xy(inputs.mines_found["longitude"],
                                                                  inputs.mines_found["latitude"]), crs="EPSG:4326"),
                     perimeters)
    harm = inputs.incidents[inputs.incidents["category"].isin(MINE_CATEGORIES)]
    incidents = _outside(gpd.GeoDataFrame(geometry=gpd.points_from_xy(harm["longitude"], harm["latitude"]),
                                          crs="EPSG:4326"), perimeters)
    mines["district"] = _district_of(mines, inputs.districts)
    incidents["district"] = _district_of(incidents, inputs.districts)
    record_district = pd.Series(record_districts, dtype=object)
    names = dict(zip(inputs.districts["id"], inputs.districts["name"]))
    # The districts the authority reports on, and any other that holds a record, a mine found or a mine incident.
    reported = set(inputs.districts.loc[inputs.districts["reporting_order"].notna(), "id"])
    rows = [_area("national", classes, mines, incidents)]
    per_district = []
    for district_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        mask = (record_district == district_id).to_numpy()
        area = _area(name, classes[mask], mines[mines["district"] == district_id],
                     incidents[incidents["district"] == district_id])
        if district_id in reported or area.records or area.mines_found or area.mine_incidents:
            per_district.append(area)
    without = [a.name for a in per_district if a.records == 0]
    periods = _periods_without_records(mines, inputs.mines_found.get("found_date"), incidents,
                                       harm.get("incident_date"), names)
    return VerificationFigures(rows[0], per_district, by_class, without, periods)


NO_DISTRICT = "(outside every district)"


def _periods_without_records(mines: gpd.GeoDataFrame, found_dates: pd.Series | None, incidents: gpd.GeoDataFrame,
                             incident_dates: pd.Series | None, names: dict) -> list[PeriodWithoutRecords]:
    """District-quarters with mines found or mine incidents, not one of them inside a record's perimeter."""
    parts = []
    for points, dates, kind in ((mines, found_dates, "mines"), (incidents, incident_dates, "incidents")):
        if dates is None or not len(points):
            continue
        quarter = pd.PeriodIndex(pd.to_datetime(pd.Series(dates).to_numpy()), freq="Q")
        parts.append(pd.DataFrame({"district": points["district"].to_numpy(), "period": quarter.astype(str),
                                   "inside": ~points["outside"].to_numpy(), "kind": kind}))
    if not parts:
        return []
    events = pd.concat(parts, ignore_index=True)
    events["district"] = events["district"].map(lambda d: names.get(d, NO_DISTRICT) if d is not None else
                                                NO_DISTRICT)
    grouped = events.groupby(["district", "period"]).agg(
        inside=("inside", "sum"), mines=("kind", lambda k: int((k == "mines").sum())),
        incidents=("kind", lambda k: int((k == "incidents").sum())))
    empty = grouped[grouped["inside"] == 0].sort_index()
    # pandas writes quarters as 2023Q2; the figures say 2023-Q2.
    return [PeriodWithoutRecords(str(d), str(q).replace("Q", "-Q"), int(r.mines), int(r.incidents))
            for (d, q), r in empty.iterrows()]


def _area(name: str, classes: pd.Series, mines: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame) -> AreaFigures:
    verifiable = int((classes != RecordClass.NOT_VERIFIABLE.value).sum())
    return AreaFigures(name, len(classes), verifiable, int((classes == RecordClass.ACCURATE.value).sum()),
                       len(mines), int(mines["outside"].sum()), len(incidents), int(incidents["outside"].sum()))


def _outside(points: gpd.GeoDataFrame, perimeters: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Flag points outside every record's perimeter (as recorded: that is the map people were given)."""
    inside = np.zeros(len(points), dtype=bool)
    if len(points) and len(perimeters):
        hits = gpd.sjoin(points, perimeters, predicate="within", how="inner")
        inside[np.unique(hits.index.to_numpy())] = True
    points = points.copy()
    points["outside"] = ~inside
    return points


def _district_of(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> np.ndarray:
    result = np.full(len(points), None, dtype=object)
    if len(points) and len(districts):
        hits = gpd.sjoin(points, districts[["id", "geometry"]], predicate="within", how="inner")
        hits = hits[~hits.index.duplicated()]
        result[hits.index.to_numpy()] = hits["id"].to_numpy()
    return result
