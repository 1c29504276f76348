"""Everything the planner reads from the register, as tables in a metric projection, at a chosen date.

`as_of` lets a forecast be made from the data known at a cut-off: hazards reported by then, land released by then,
progress reports and incidents up to then, teams active by then. Without it the planner sees the register as it is.
The database filters (live records, approved progress); the planning runs in-process (ARCHITECTURE.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from sqlalchemy import Connection, select

from demine.domain.geodesy import local_equidistant_crs, transform_xy
from demine.store.frames import query_frame, query_geoframe
from demine.store.tables.core import admin_areas, organisations, teams
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import activities, land_release_outputs, progress_reports
from demine.store.tables.people import incidents
from demine.store.tables.projects import development_projects

OUTCOMES = ("cancelled", "reduced", "cleared")  # land release outcomes, in the order of the stages nts, ts, clearance
# A hazard is still to be worked while more than this share of its area (and 100 m²) has not been released.
OPEN_SHARE = 0.02


@dataclass
class PlanningInputs:
    as_of: dt.date
    crs: CRS  # the metric projection of every `geometry` and x/y below
    hazards: gpd.GeoDataFrame  # code, name, hazard_class, hazard_type, work_status, district, area_m2, released_m2,
    #                            remaining_m2, expected_beneficiaries, land_use, x, y, geometry
    incidents: pd.DataFrame  # incident_date, killed, injured, x, y
    projects: gpd.GeoDataFrame  # code, name, project_type, funding_usd, funded, ready_date, deadline, beneficiaries
    teams: pd.DataFrame  # code, organisation, name, method, members, base_name, x, y, active_from
    team_weeks: pd.DataFrame  # team, method, activity_type, hazard_type, district, period_start, area_worked_m2, days,
    #                           activity, hazard (codes)
    outputs: pd.DataFrame  # hazard, hazard_type, district, outcome, release_date, area_m2
    districts: gpd.GeoDataFrame  # name, geometry
    # Activities begun by the date: code, team, hazard, activity_type, start_date, end_date (None while ongoing then)
    activities: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["code", "team", "hazard", "activity_type", "start_date", "end_date"]))

    def open_hazards(self) -> gpd.GeoDataFrame:
        return self.hazards[self.hazards["open"]]


def load_planning_inputs(connection: Connection, *, as_of: dt.date | None = None) -> PlanningInputs:
    day = as_of or dt.date.today()
    live = lambda table: table.c.retired_at.is_(None)  # noqa: E731
    a = admin_areas.c
    districts = query_geoframe(connection, select(a.id, a.name, a.geom).where(live(admin_areas)))
    district_name = dict(zip(districts["id"], districts["name"]))
    h = hazard_areas.c
    hazards = query_geoframe(connection, select(h.id, h.code, h.name, h.hazard_class, h.hazard_type, h.work_status,
                                                h.admin_area_id, h.reported_date, h.area_m2, h.expected_beneficiaries,
                                                h.land_use, h.benchmark_longitude, h.benchmark_latitude, h.geom)
                             .where(live(hazard_areas), h.reported_date <= day).order_by(h.code))
    crs = _metric_crs(hazards, districts)
    act = activities.c
    o = land_release_outputs.c
    outputs = query_frame(connection, select(act.hazard_area_id, o.outcome, o.release_date, o.area_m2)
                          .join_from(land_release_outputs, activities, o.activity_id == act.id)
                          .where(live(land_release_outputs), o.release_date <= day))
    released = outputs.groupby("hazard_area_id")["area_m2"].sum()
    by_outcome = outputs.pivot_table(index="hazard_area_id", columns="outcome", values="area_m2", aggfunc="sum",
                                     fill_value=0.0) if len(outputs) else pd.DataFrame()
    hazards["district"] = hazards["admin_area_id"].map(district_name).fillna("(no district)")
    hazards["released_m2"] = hazards["id"].map(released).fillna(0.0)
    hazards["remaining_m2"] = (hazards["area_m2"] - hazards["released_m2"]).clip(lower=0.0)
    for outcome in OUTCOMES:  # what each stage has released already (survey cancelled, TS reduced, cleared)
        column = by_outcome[outcome] if outcome in by_outcome else pd.Series(dtype=float)
        hazards[f"{outcome}_m2"] = hazards["id"].map(column).fillna(0.0)
    still = hazards["remaining_m2"] > np.maximum(100.0, OPEN_SHARE * hazards["area_m2"])
    # Without a cut-off the register's status is the truth; at a cut-off, the land released by then decides.
    hazards["open"] = still & ((hazards["work_status"] != "closed") if as_of is None else True)
    for stage, (started, finished) in _stages_worked(connection, day).items():
        hazards[f"{stage}_started"] = hazards["id"].isin(started)
        hazards[f"{stage}_finished"] = hazards["id"].isin(finished)
    hazards = hazards.to_crs(crs)
    hx, hy = _project_points(hazards["benchmark_longitude"], hazards["benchmark_latitude"], crs)
    hazards["x"], hazards["y"] = hx, hy
    by_id = hazards.set_index("id")
    outputs["hazard"] = outputs["hazard_area_id"].map(by_id["code"])
    outputs["hazard_type"] = outputs["hazard_area_id"].map(by_id["hazard_type"])
    outputs["district"] = outputs["hazard_area_id"].map(by_id["district"])
    return PlanningInputs(
        as_of=day, crs=crs, hazards=hazards.drop(columns=["benchmark_longitude", "benchmark_latitude"]),
        incidents=_incidents(connection, day, crs), projects=_projects(connection, day, crs),
        teams=_teams(connection, day, crs), team_weeks=_team_weeks(connection, day, by_id),
        outputs=outputs.drop(columns="hazard_area_id"), districts=districts.to_crs(crs)[["name", "geometry"]],
        activities=_activities(connection, day, by_id))


STAGE_OF_ACTIVITY = {"nts": "nts", "ts": "ts", "clearance": "clearance", "bac": "clearance"}


def stage_closed(hazards: pd.DataFrame, stage: str) -> pd.Series:
    """A stage is over for a hazard once an activity of it has ended or a later stage has begun: survey does not come
    back to cancel land after technical survey or clearance have started."""
    later = {"nts": ("ts", "clearance"), "ts": ("clearance",)}[stage]
    closed = hazards.get(f"{stage}_finished", pd.Series(False, index=hazards.index)).astype(bool)
    for other in later:
        closed |= hazards.get(f"{other}_started", pd.Series(False, index=hazards.index)).astype(bool)
    return closed


def _stages_worked(connection: Connection, day: dt.date) -> dict[str, tuple[set[int], set[int]]]:
    """Per land release stage, the hazards where an activity of it had started, and had ended, by `day`."""
    act = activities.c
    frame = query_frame(connection, select(act.hazard_area_id, act.activity_type, act.end_date)
                        .where(act.retired_at.is_(None), act.hazard_area_id.is_not(None), act.start_date <= day))
    result: dict[str, tuple[set[int], set[int]]] = {s: (set(), set()) for s in ("nts", "ts", "clearance")}
    for hazard, kind, end in frame.itertuples(index=False):
        stage = STAGE_OF_ACTIVITY.get(kind)
        if stage:
            result[stage][0].add(hazard)
            if end is not None and end <= day:
                result[stage][1].add(hazard)
    return result


def _incidents(connection: Connection, day: dt.date, crs: CRS) -> pd.DataFrame:
    n = incidents.c
    frame = query_frame(connection, select(n.incident_date, n.killed, n.injured, n.longitude, n.latitude)
                        .where(n.retired_at.is_(None), n.incident_date <= day))
    frame["x"], frame["y"] = _project_points(frame.pop("longitude"), frame.pop("latitude"), crs)
    return frame


def _projects(connection: Connection, day: dt.date, crs: CRS) -> gpd.GeoDataFrame:
    p = development_projects.c
    frame = query_geoframe(connection, select(p.code, p.name, p.project_type, p.funding_usd, p.funded, p.ready_date,
                                              p.deadline, p.beneficiaries, p.geom).where(p.retired_at.is_(None)))
    return frame.to_crs(crs)


def _teams(connection: Connection, day: dt.date, crs: CRS) -> pd.DataFrame:
    t = teams.c
    frame = query_frame(connection, select(t.code, organisations.c.code.label("organisation"), t.name, t.method,
                                           t.members, t.base_name, t.base_longitude, t.base_latitude, t.active_from)
                        .join_from(teams, organisations, t.organisation_id == organisations.c.id)
                        .where(t.retired_at.is_(None)).order_by(t.code))
    frame = frame[frame["active_from"].isna() | (frame["active_from"] <= day)].reset_index(drop=True)
    frame["x"], frame["y"] = _project_points(frame.pop("base_longitude"), frame.pop("base_latitude"), crs)
    return frame


def _team_weeks(connection: Connection, day: dt.date, hazards: pd.DataFrame) -> pd.DataFrame:
    """Approved progress reports with the team, method, activity and hazard they were worked on."""
    r, act, t = progress_reports.c, activities.c, teams.c
    frame = query_frame(connection, select(t.code.label("team"), act.method, act.activity_type, act.hazard_area_id,
                                           r.period_start, r.area_worked_m2, r.working_days.label("days"),
                                           act.code.label("activity"))
                        .join_from(progress_reports, activities, r.activity_id == act.id)
                        .join(teams, act.team_id == t.id)
                        .where(r.retired_at.is_(None), r.review_status == "approved", r.period_end <= day))
    frame["hazard_type"] = frame["hazard_area_id"].map(hazards["hazard_type"])
    frame["district"] = frame["hazard_area_id"].map(hazards["district"])
    frame["hazard"] = frame["hazard_area_id"].map(hazards["code"])
    return frame.drop(columns="hazard_area_id")


def _activities(connection: Connection, day: dt.date, hazards: pd.DataFrame) -> pd.DataFrame:
    """Activities on hazard areas begun by `day`, with their team; an end after `day` is not known yet then."""
    act, t = activities.c, teams.c
    frame = query_frame(connection, select(act.code, t.code.label("team"), act.hazard_area_id, act.activity_type,
                                           act.start_date, act.end_date)
                        .join_from(activities, teams, act.team_id == t.id)
                        .where(act.retired_at.is_(None), act.hazard_area_id.is_not(None), act.start_date <= day))
    frame["hazard"] = frame.pop("hazard_area_id").map(hazards["code"])
    frame.loc[frame["end_date"].notna() & (frame["end_date"] > day), "end_date"] = None
    return frame[["code", "team", "hazard", "activity_type", "start_date", "end_date"]]


def _metric_crs(hazards: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> CRS:
    source = hazards if len(hazards) else districts
    if not len(source):
        return local_equidistant_crs(0.0, 0.0)
    minx, miny, maxx, maxy = source.total_bounds
    return local_equidistant_crs((minx + maxx) / 2, (miny + maxy) / 2)


def _project_points(lon: pd.Series, lat: pd.Series, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return transform_xy(transformer, np.asarray(lon, float), np.asarray(lat, float))
