"""Capacity: the teams, what each method may do on each hazard type, how fast, on which days, and how far it travels.

Productivity (m² released per team per working day, by method, stage and hazard type) and the shares of suspected land
that survey cancels and reduces are learned from the register's approved progress reports and land release outputs;
the shipped capacity.toml gives the defaults where the register has too little, and a capacity file passed by the
user replaces either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from demine.errors import DemineError
from demine.planning.config_file import TomlSection
from demine.planning.inputs import PlanningInputs, stage_closed
from demine.planning.observed import learn_seasons, learn_terrain

STAGES = ("nts", "ts", "clearance")
ACTIVITY_STAGE = {"nts": "nts", "ts": "ts", "clearance": "clearance", "bac": "clearance"}
METHODS = ("survey", "mechanical", "dogs", "manual")
# Team-weeks of one team needed before its own pace counts fully against its method's (shrinkage, not noise).
TEAM_SHRINKAGE_WEEKS = 5.0


def default_capacity_path() -> Path:
    return Path(str(resources.files("demine.planning") / "capacity.toml"))


@dataclass(frozen=True)
class Season:
    name: str
    districts: tuple[str, ...]
    months: dict[int, float]


@dataclass
class Capacity:
    teams: pd.DataFrame  # code, organisation, method, base_name, x, y, productivity_factor
    days_per_week: float
    seasons: list[Season]
    terrain: dict[str, float]
    methods: dict[str, dict[str, tuple[str, ...]]]  # hazard type -> stage -> team methods allowed
    productivity: pd.DataFrame  # method, stage, hazard_type ("*" = any), m2_per_day, log_sd, reports, source
    release: pd.DataFrame  # hazard_type, cancelled, reduced, evidence_m2, source
    max_distance_m: float
    mobilisation_m_per_day: float
    min_reports: int = 5
    _rates: dict[tuple[str, str, str], float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._rates = {(r.method, r.stage, r.hazard_type): float(r.m2_per_day)
                       for r in self.productivity.itertuples()}

    def season_factor(self, district: str, month: int) -> float:
        for season in self.seasons:
            if district in season.districts or "*" in season.districts:
                return season.months.get(month, 1.0)
        return 1.0

    def rate(self, method: str, stage: str, hazard_type: str) -> float:
        """m² per working day of a team of `method` doing `stage` on `hazard_type` (0 when no figure exists)."""
        return self._rates.get((method, stage, hazard_type), self._rates.get((method, stage, "*"), 0.0))

    def allowed(self, hazard_type: str, stage: str) -> tuple[str, ...]:
        return self.methods.get(hazard_type, {}).get(stage, ())

    def shares(self, hazard_type: str) -> tuple[float, float]:
        """(cancelled, reduced) shares of suspected land for a hazard type."""
        rows = self.release[self.release["hazard_type"] == hazard_type]
        if not len(rows):
            return 0.0, 0.0
        return float(rows["cancelled"].iat[0]), float(rows["reduced"].iat[0])


def default_capacity(teams: pd.DataFrame) -> Capacity:
    """The shipped defaults for the given teams (code, organisation, method, base_name, x, y in metres), for plain
    data without a register (benchmarks, tests)."""
    root = TomlSection.read(default_capacity_path())
    capacity = _read(root, None)
    table = teams.copy()
    if "productivity_factor" not in table:
        table["productivity_factor"] = 1.0
    return replace(capacity, teams=table)


def build_capacity(inputs: PlanningInputs, path: Path | None = None) -> Capacity:
    """Defaults (capacity.toml) <- what the register shows <- the user's capacity file, in that order of precedence."""
    defaults = _read(TomlSection.read(default_capacity_path()), inputs)
    learned = _learn(inputs, defaults)
    if path is None:
        return learned
    user = TomlSection.read(Path(path))
    return _apply_user_file(learned, user, inputs)


def _read(root: TomlSection, inputs: PlanningInputs | None) -> Capacity:
    root.unknown({"calendar", "seasons", "terrain", "methods", "productivity", "release", "travel", "teams"})
    calendar = root.section("calendar")
    travel = root.section("travel")
    productivity = _productivity_rows(root.section("productivity"))
    teams = _teams(inputs, root) if inputs is not None else pd.DataFrame(
        columns=["code", "organisation", "method", "base_name", "x", "y", "productivity_factor"])
    return Capacity(teams=teams, days_per_week=calendar.number("working_days_per_week", 5.0,
                                                                             maximum=7.0),
                    seasons=_seasons(root), terrain=root.numbers("terrain", {}, maximum=2.0),
                    methods=_methods(root.section("methods")), productivity=productivity,
                    release=_release_rows(root.section("release")),
                    max_distance_m=1000 * travel.number("max_distance_km", 90.0),
                    mobilisation_m_per_day=1000 * travel.number("mobilisation_km_per_day", 120.0, minimum=1.0),
                    min_reports=int(root.section("productivity").number("min_reports", 5, minimum=1)))


def _apply_user_file(base: Capacity, user: TomlSection, inputs: PlanningInputs) -> Capacity:
    user.unknown({"calendar", "seasons", "terrain", "methods", "productivity", "release", "travel", "teams"})
    changes: dict = {}
    if "calendar" in user.data:
        changes["days_per_week"] = user.section("calendar").number("working_days_per_week", base.days_per_week,
                                                                   maximum=7.0)
    if "seasons" in user.data:
        changes["seasons"] = _seasons(user)
    if "terrain" in user.data:
        changes["terrain"] = base.terrain | user.numbers("terrain", {}, maximum=2.0)
    if "methods" in user.data:
        changes["methods"] = base.methods | _methods(user.section("methods"))
    if "productivity" in user.data:
        given = _productivity_rows(user.section("productivity"), source="capacity file")
        keys = ["method", "stage", "hazard_type"]
        kept = base.productivity.merge(given[keys], on=keys, how="left", indicator=True)
        # A figure for any hazard type ("*") from the user replaces the learned ones of that method and stage too.
        general = set(zip(given.loc[given["hazard_type"] == "*", "method"], given.loc[given["hazard_type"] == "*",
                                                                                      "stage"]))
        replaced = np.array([(m, s) in general for m, s in zip(kept["method"], kept["stage"])], dtype=bool)
        keep = (kept["_merge"] == "left_only").to_numpy() & ~replaced
        changes["productivity"] = pd.concat([base.productivity[keep], given], ignore_index=True)
    if "release" in user.data:
        given = _release_rows(user.section("release"), source="capacity file")
        changes["release"] = pd.concat([base.release[~base.release["hazard_type"].isin(given["hazard_type"])], given],
                                       ignore_index=True)
    if "travel" in user.data:
        travel = user.section("travel")
        changes["max_distance_m"] = 1000 * travel.number("max_distance_km", base.max_distance_m / 1000)
        changes["mobilisation_m_per_day"] = 1000 * travel.number("mobilisation_km_per_day",
                                                                 base.mobilisation_m_per_day / 1000, minimum=1.0)
    if "teams" in user.data:
        changes["teams"] = pd.concat([base.teams, _extra_teams(user, inputs)], ignore_index=True)
    return replace(base, **changes)


def _seasons(root: TomlSection) -> list[Season]:
    raw = root.data.get("seasons", [])
    if not isinstance(raw, list):
        raise root.fail("seasons", "must be an array of tables ([[seasons]])")
    seasons = []
    for k, item in enumerate(raw):
        section = TomlSection(root.file, item, f"seasons[{k}].")
        section.unknown({"name", "districts", "months"})
        months = section.numbers("months", {}, maximum=1.0)
        bad = [m for m in months if not (m.isdigit() and 1 <= int(m) <= 12)]
        if bad:
            raise section.fail(f"months.{bad[0]}", "a month must be 1-12")
        seasons.append(Season(str(item.get("name", f"season {k + 1}")), tuple(section.strings("districts", ["*"])),
                              {int(m): v for m, v in months.items()}))
    return seasons


def _methods(section: TomlSection) -> dict[str, dict[str, tuple[str, ...]]]:
    result = {}
    for hazard_type in section.data:
        stages = section.section(hazard_type)
        stages.unknown(set(STAGES))
        result[hazard_type] = {}
        for stage in stages.data:
            methods = stages.strings(stage, [])
            unknown = [m for m in methods if m not in METHODS]
            if unknown:
                raise stages.fail(stage, f"unknown method {unknown[0]!r}; use {', '.join(METHODS)}")
            result[hazard_type][stage] = tuple(methods)
    return result


def _productivity_rows(section: TomlSection, *, source: str = "default") -> pd.DataFrame:
    rows = []
    for method, by_stage in section.data.items():
        if method == "min_reports":
            continue
        if method not in METHODS or not isinstance(by_stage, dict):
            raise section.fail(method, f"expected a method ({', '.join(METHODS)}) with stage = m² per day")
        methods = section.section(method)
        methods.unknown(set(STAGES))
        for stage, value in by_stage.items():
            targets = value.items() if isinstance(value, dict) else [("*", value)]
            inner = methods.section(stage) if isinstance(value, dict) else methods
            for hazard_type, _ in targets:
                figure = inner.number(hazard_type if isinstance(value, dict) else stage, 0.0, minimum=1e-6)
                rows.append((method, stage, hazard_type, figure, 0.35, 0, source))
    return pd.DataFrame(rows, columns=["method", "stage", "hazard_type", "m2_per_day", "log_sd", "reports", "source"])


def _release_rows(section: TomlSection, *, source: str = "default") -> pd.DataFrame:
    rows = []
    for hazard_type in section.data:
        shares = section.section(hazard_type)
        shares.unknown({"cancelled", "reduced"})
        cancelled = shares.number("cancelled", 0.0, maximum=1.0)
        reduced = shares.number("reduced", 0.0, maximum=1.0)
        if cancelled + reduced > 1.0:
            raise shares.fail("reduced", f"cancelled + reduced must not exceed 1 ({cancelled} + {reduced})")
        rows.append((hazard_type, cancelled, reduced, 0.0, source))
    return pd.DataFrame(rows, columns=["hazard_type", "cancelled", "reduced", "evidence_m2", "source"])


def _teams(inputs: PlanningInputs, root: TomlSection) -> pd.DataFrame:
    teams = inputs.teams[["code", "organisation", "method", "base_name", "x", "y"]].copy()
    teams["productivity_factor"] = 1.0
    if "teams" in root.data:
        teams = pd.concat([teams, _extra_teams(root, inputs)], ignore_index=True)
    return teams


def _extra_teams(root: TomlSection, inputs: PlanningInputs) -> pd.DataFrame:
    from demine.domain.geodesy import transform_xy
    from pyproj import Transformer

    raw = root.data.get("teams", [])
    if not isinstance(raw, list):
        raise root.fail("teams", "must be an array of tables ([[teams]])")
    rows = []
    transformer = Transformer.from_crs("EPSG:4326", inputs.crs, always_xy=True)
    for k, item in enumerate(raw):
        s = TomlSection(root.file, item, f"teams[{k}].")
        s.unknown({"code", "organisation", "method", "base_name", "base_longitude", "base_latitude", "count",
                   "productivity_factor"})
        method = item.get("method")
        if method not in METHODS:
            raise s.fail("method", f"must be one of {', '.join(METHODS)}")
        x, y = transform_xy(transformer, np.array([s.number("base_longitude", 0.0, minimum=-180, maximum=180)]),
                            np.array([s.number("base_latitude", 0.0, minimum=-90, maximum=90)]))
        count = int(s.number("count", 1, minimum=1, maximum=10_000))
        for n in range(count):
            rows.append((f"{item.get('code', f'NEW-{k + 1}')}-{n + 1:03d}", item.get("organisation", "NEW"), method,
                         item.get("base_name", ""), float(x[0]), float(y[0]),
                         s.number("productivity_factor", 1.0, minimum=0.01, maximum=10)))
    return pd.DataFrame(rows, columns=["code", "organisation", "method", "base_name", "x", "y",
                                       "productivity_factor"])


def add_teams(capacity: Capacity, spec: str) -> Capacity:
    """What-if: `N:method` (bases copied round-robin from the teams of that method) or `N:method@base_name`."""
    match = re.fullmatch(r"(\d+):(\w+)(?:@(.+))?", spec.strip())
    if not match or match.group(2) not in METHODS:
        raise DemineError(f"--add-teams {spec!r}: write N:method or N:method@base, method one of {', '.join(METHODS)}.")
    count, method, base = int(match.group(1)), match.group(2), match.group(3)
    pool = capacity.teams[capacity.teams["method"] == method] if base is None else \
        capacity.teams[capacity.teams["base_name"] == base]
    if not len(pool):
        pool = capacity.teams
    if not len(pool):
        raise DemineError(f"--add-teams {spec!r}: no team base to copy ({base or method}).")
    rows = pool.iloc[np.arange(count) % len(pool)].copy()
    rows["code"] = [f"ADDED-{method.upper()}-{n + 1:03d}" for n in range(count)]
    rows["method"] = method
    rows["productivity_factor"] = 1.0
    return replace(capacity, teams=pd.concat([capacity.teams, rows], ignore_index=True))


def _learn(inputs: PlanningInputs, defaults: Capacity) -> Capacity:
    weeks = inputs.team_weeks
    weeks = weeks[(weeks["days"] > 0) & (weeks["area_worked_m2"] > 0)].copy()
    weeks["stage"] = weeks["activity_type"].map(ACTIVITY_STAGE)
    weeks = weeks.dropna(subset=["stage", "hazard_type"])
    min_reports = defaults.min_reports
    productivity = defaults.productivity
    teams = defaults.teams
    if len(weeks):
        weeks["log_rate"] = np.log(weeks["area_worked_m2"] / weeks["days"])
        groups = weeks.groupby(["method", "stage", "hazard_type"])["log_rate"]
        stats = groups.agg(["median", "std", "count"]).reset_index()
        stats = stats[stats["count"] >= min_reports]
        learned = pd.DataFrame({"method": stats["method"], "stage": stats["stage"],
                                "hazard_type": stats["hazard_type"], "m2_per_day": np.exp(stats["median"]),
                                "log_sd": stats["std"].fillna(0.35), "reports": stats["count"],
                                "source": "register"})
        productivity = pd.concat([learned, productivity], ignore_index=True)
        # A team's own pace relative to its method, shrunk towards 1 while it has few reports.
        reference = groups.transform("median")
        relative = (weeks["log_rate"] - reference).groupby(weeks["team"]).agg(["mean", "count"])
        factor = np.exp(relative["mean"] * relative["count"] / (relative["count"] + TEAM_SHRINKAGE_WEEKS))
        teams = teams.assign(productivity_factor=teams["code"].map(factor).fillna(1.0).clip(0.2, 5.0))
    # Seasons and terrain the reports show replace the assumed ones (observed.py); then the days per week are
    # brought back to a full week under those seasons.
    learned_seasons = learn_seasons(inputs.team_weeks)
    seasons = defaults.seasons if learned_seasons is None else [
        Season(f"observed {district}" if district != "*" else "observed", (district,), months)
        for district, months in learned_seasons.items()]
    terrain = defaults.terrain | learn_terrain(inputs.team_weeks)
    if len(weeks):
        productivity = _calibrated(productivity, weeks, teams, terrain)
    base = replace(defaults, seasons=seasons, terrain=terrain)
    return replace(base, productivity=productivity, teams=teams, release=_learn_release(inputs, defaults),
                   days_per_week=_learn_days_per_week(inputs, base))


def _calibrated(productivity: pd.DataFrame, weeks: pd.DataFrame, teams: pd.DataFrame,
                terrain: dict[str, float]) -> pd.DataFrame:
    """Learned rates scaled so that the whole pace model (rate x terrain x team pace) gives, over the reported days,
    the land the reports say was worked, per method, stage and hazard type.

    The rate is a median of weekly paces and the terrain and team factors are typical (median or mean-of-log)
    ratios: each fits the typical week, and together they miss the total, which over years is what a forecast
    adds up (on the national scenarios the composed model gave 10-24% less land than the reports over the same
    days for the clearance and TS methods). Over a forecast's years the programme works at its total land per day,
    so that is what the rates are brought to."""
    learned = productivity["source"] == "register"
    if not learned.any():
        return productivity
    factor = teams.assign(code=teams["code"].astype(str)).set_index("code")["productivity_factor"]
    key = ["method", "stage", "hazard_type"]
    rate = productivity[learned].drop_duplicates(key).set_index(key)["m2_per_day"]
    index = pd.MultiIndex.from_frame(weeks[key])
    modelled = (rate.reindex(index).to_numpy() * weeks["district"].map(terrain).fillna(1.0).to_numpy()
                * weeks["team"].astype(str).map(factor).fillna(1.0).to_numpy() * weeks["days"].to_numpy())
    sums = pd.DataFrame({"reported": weeks["area_worked_m2"].to_numpy(), "modelled": modelled},
                        index=index).dropna().groupby(level=key).sum()
    scale = (sums["reported"] / sums["modelled"]).reindex(
        pd.MultiIndex.from_frame(productivity[key])).to_numpy()
    scale = np.where(learned & np.isfinite(scale) & (scale > 0), scale, 1.0)
    return productivity.assign(m2_per_day=productivity["m2_per_day"] * scale)


def _learn_days_per_week(inputs: PlanningInputs, defaults: Capacity) -> float:
    """Working days a team really puts in per calendar week over the last year (travel, rest, weather and waiting
    between tasks included), brought back to a week outside the seasons' reductions; the default when the register
    holds less than half a year of progress reports."""
    weeks = inputs.team_weeks
    if not len(weeks) or weeks["period_start"].isna().all():
        return defaults.days_per_week
    end = pd.Timestamp(inputs.as_of)
    start = end - pd.Timedelta(weeks=52)
    starts = pd.to_datetime(weeks["period_start"])
    recent = weeks[starts > start]
    if pd.to_datetime(weeks["period_start"]).min() > end - pd.Timedelta(weeks=26) or not len(recent):
        return defaults.days_per_week
    active = pd.to_datetime(inputs.teams["active_from"]).fillna(start).clip(lower=start)
    team_weeks = float(((end - active).dt.days / 7).clip(lower=0).sum())
    if team_weeks <= 0:
        return defaults.days_per_week
    season = np.mean([defaults.season_factor("*", m) for m in range(1, 13)]) or 1.0
    return float(np.clip(recent["days"].sum() / team_weeks / season, 0.5, 7.0))


def _learn_release(inputs: PlanningInputs, defaults: Capacity) -> pd.DataFrame:
    """Shares of suspected land cancelled and reduced, by hazard type, from every hazard whose survey stages are over
    by now, not only the hazards fully worked (those finished early are the small and easy ones: on the national
    scenarios they overstate what survey cancels and TS reduces on the land still open).

    NTS: land cancelled over the land of the hazards whose NTS is over (closed: an NTS activity ended, or TS or
    clearance began; or the hazard is fully worked). TS: land reduced over the land the survey left, on the hazards
    whose TS is over. A hazard's land is its area while it is open, the land released once it is fully worked.
    """
    hazards = inputs.hazards
    outputs = inputs.outputs.pivot_table(index="hazard", columns="outcome", values="area_m2", aggfunc="sum",
                                         fill_value=0.0) if len(inputs.outputs) else pd.DataFrame()
    done = {o: hazards["code"].map(outputs[o]).fillna(0.0) if o in outputs else pd.Series(0.0, index=hazards.index)
            for o in ("cancelled", "reduced")}
    finished = ~hazards["open"] & (hazards["released_m2"] > 0)
    land = hazards["area_m2"].astype(float).where(~finished, hazards["released_m2"])
    surveyed = finished | stage_closed(hazards, "nts")
    examined = finished | stage_closed(hazards, "ts")
    rows = []
    for hazard_type in sorted(set(hazards["hazard_type"].dropna())):
        of_type = hazards["hazard_type"] == hazard_type
        surveyed_land = float(land[surveyed & of_type].sum())
        left_by_survey = float((land - done["cancelled"])[examined & of_type].clip(lower=0.0).sum())
        if surveyed_land <= 0 or left_by_survey <= 0:
            continue  # too little worked: the default
        cancelled = min(float(done["cancelled"][surveyed & of_type].sum()) / surveyed_land, 1.0)
        reduced = min(float(done["reduced"][examined & of_type].sum()) / left_by_survey, 1.0)
        rows.append((hazard_type, cancelled, (1.0 - cancelled) * reduced, surveyed_land, "register"))
    if not rows:
        return defaults.release
    learned = pd.DataFrame(rows, columns=["hazard_type", "cancelled", "reduced", "evidence_m2", "source"])
    return pd.concat([learned, defaults.release[~defaults.release["hazard_type"].isin(learned["hazard_type"])]],
                     ignore_index=True)
