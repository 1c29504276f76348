"""Years of operations, week by week: teams take hazards in priority order and release them cell by cell.

Non-technical survey cancels the empty cells, technical survey reduces the cells next to contamination, clearance
and battle area clearance clear the cells that hold items, and find exactly the true items lying there (clearance
finds what is in the land it clears). A minefield is cleared one section at a time: after each section it queues
again behind the minefields nobody has touched, so the programme opens land across many minefields while the line's
long belts stay far from finished, as in the real programme. Each team-week gives a progress report, at most one
output polygon and the items found, streamed to the files as they happen.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field

import numpy as np
import shapely

from demine.domain.vocabulary import HazardType
from demine.simulate.emplaced import CATEGORY_OF_INDEX, MODEL_CODES, ItemBatch
from demine.simulate.geography import to_wgs84_xy, valid_wkt_wgs84
from demine.simulate.hazards import CellPlan, HazardArea, cell_boxes, plan_cells
from demine.simulate.organisations import Team
from demine.simulate.writer import ScenarioSinks

# Stages and their queues. A battle area's technical survey has a queue of its own, served by machines only: a dog
# team would take years over its hundreds of hectares and hold up its clearance.
_ACTIVITY = {"cancel": "nts", "reduce": "ts", "reduce_bac": "ts", "clear_mine": "clearance", "clear_bac": "bac"}
_OUTCOME = {"cancel": "cancelled", "reduce": "reduced", "reduce_bac": "reduced", "clear_mine": "cleared",
            "clear_bac": "cleared"}
_PLAN_KEY = {"cancel": "cancel", "reduce": "reduce", "reduce_bac": "reduce", "clear_mine": "clear", "clear_bac": "clear"}
_DEPTH = {"clear_mine": 20, "clear_bac": 30}
# Days from a week's last day to its report being sent. A punctual team sends within three days (the report's due
# rule in the full report) and only now and then later; a tardy team is late about half the time. Invented to give the
# data quality section something to find, not measured anywhere.
TARDY_TEAM_SHARE = 0.1
_PUNCTUAL_DELAYS, _PUNCTUAL_P = np.arange(0, 8), np.array([0.3, 0.35, 0.2, 0.1, 0.02, 0.015, 0.01, 0.005])
_TARDY_DELAYS, _TARDY_P = np.arange(1, 15), np.full(14, 1 / 14)
_LAND_USE = ["agricultural", "residential", "agricultural", "grazing", "transport", "environmental", "agricultural"]
_CONDITIONS, _CONDITION_P = ["armed", "deteriorated", "damaged", "unknown"], [0.7, 0.15, 0.1, 0.05]
_DISPOSALS, _DISPOSAL_P = ["destroyed_in_situ", "moved_and_destroyed", "rendered_safe"], [0.6, 0.35, 0.05]


@dataclass(slots=True)
class HazardWork:
    hazard: HazardArea
    plan: CellPlan
    items: ItemBatch  # every site's items still in the ground under the hazard when it was reported
    item_site: np.ndarray  # the site each item belongs to...
    item_index: np.ndarray  # ...and its index there (for the truth's found dates)
    next_stages: list[str]
    started: bool = False
    done_cells: int = 0  # cells of the current stage already released by earlier sections
    sections: int = 0


@dataclass(slots=True)
class Task:
    """One activity: a team working one stage of one hazard."""

    code: str
    work: HazardWork
    stage: str
    team: Team
    start: dt.date
    cells: list[int]
    pointer: int = 0
    carry: float = 0.0
    weeks: int = 0
    end: dt.date | None = None


@dataclass
class OperationsLog:
    """What the truth needs from operations: when each site's items were found, and the hazards' end state."""

    found: dict[int, np.ndarray] = field(default_factory=dict)  # site -> found date ordinal per item (0 = not found)
    status: dict[str, str] = field(default_factory=dict)  # hazard code -> work status at the end
    confirmed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    weekly: list[tuple[dt.date, float, int, int, int]] = field(default_factory=list)  # week end, ha, AP, AT, UXO


def weeks(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Statement weeks, Monday to Sunday; the first one starts on the operations' first day."""
    out, day = [], start
    while day <= end:
        sunday = day + dt.timedelta(days=6 - day.weekday())
        out.append((day, min(sunday, end)))
        day = sunday + dt.timedelta(days=1)
    return out


class Operations:
    def __init__(self, seed: int, hazards: list[HazardArea], teams: list[Team], site_items, sinks: ScenarioSinks,
                 ops_start: dt.date, ops_end: dt.date, *, cells_per_hazard: int = 120,
                 minefield_section_m2: float = 0.0, meet_other_sites: bool = True) -> None:
        self.cells_per_hazard = cells_per_hazard
        # The bench scale lets sites overlap at will: there every hazard would carry many neighbours' items and memory
        # grows with the overlap (the full bench passed 9.5 GB after 23 minutes; at a tenth of its density 489 MB
        # against 321 MB), so at that scale a hazard meets its own site's items only.
        self.meet_other_sites = meet_other_sites
        self.section_m2 = minefield_section_m2
        self.rng = np.random.default_rng([seed, 6])
        # Sending days draw from their own stream, so adding them left every other figure of a seed unchanged.
        self.sending = np.random.default_rng([seed, 7])
        self.tardy: dict[str, bool] = {}
        self.site_items = site_items  # callable: site_id -> ItemBatch
        self.sinks, self.teams, self.start, self.end = sinks, teams, ops_start, ops_end
        self.pending = sorted(hazards, key=lambda h: (h.reported_date, -h.priority, h.code))
        self.queues: dict[str, list[tuple[float, int, HazardWork, str]]] = {q: [] for q in _ACTIVITY}
        self.tasks: dict[str, Task] = {}
        self.log = OperationsLog()
        self.n_activities = self.n_outputs = self._seq = 0

    def run(self) -> OperationsLog:
        for week_start, week_end in weeks(self.start, self.end):
            self._report_new_hazards(week_end)
            ha, counts = 0.0, np.zeros(3, int)
            for team in self.teams:
                if team.active_from > week_end:
                    continue
                task = self.tasks.get(team.code) or self._take(team, week_start)
                if task is not None:
                    a, c = self._work(task, week_start, week_end)
                    ha, counts = ha + a, counts + c
            self.log.weekly.append((week_end, ha / 10_000, *counts.tolist()))
        for task in self.tasks.values():
            self._activity_row(task, ongoing=True)
        return self.log

    def _report_new_hazards(self, week_end: dt.date) -> None:
        while self.pending and self.pending[0].reported_date <= week_end:
            hazard = self.pending.pop(0)
            items, item_site, item_index = self._items_under(hazard)
            plan = plan_cells(hazard, items, self.cells_per_hazard)
            bac = hazard.hazard_type is HazardType.BATTLE_AREA
            stages = [s for s in ("cancel", "reduce_bac" if bac else "reduce", "clear_bac" if bac else "clear_mine")
                      if plan.stages[_PLAN_KEY[s]]]
            work = HazardWork(hazard, plan, items, item_site, item_index, stages)
            self.log.status[hazard.code] = "open"
            self._queue_next(work)

    def _items_under(self, hazard: HazardArea) -> tuple[ItemBatch, np.ndarray, np.ndarray]:
        """The items still in the ground under a hazard: its own site's and any other site's its polygon reaches.

        A hazard's polygon is wider than its site (a survey margin, a record's wrong position), and may cover part of
        a neighbouring field: survey must not cancel, nor clearance clear, land whose mines it never meets.
        """
        owners = [hazard.site_id] if hazard.site_id is not None else []
        under = getattr(self.site_items, "under", None) if self.meet_other_sites else None
        if under is not None:
            owners += [s for s in under(hazard.polygon) if s != hazard.site_id]
        batches, sites, indexes = [], [], []
        for site_id in owners:
            items = self.site_items(site_id)
            found = self.log.found.setdefault(site_id, np.zeros(len(items), np.int32))
            left = np.flatnonzero(found == 0)  # what another hazard's clearance found is no longer there
            batches.append(ItemBatch(items.x[left], items.y[left], items.model[left], items.depth_cm[left]))
            sites.append(np.full(len(left), site_id, np.int64))
            indexes.append(left)
        if not batches:
            return ItemBatch.empty(), np.empty(0, np.int64), np.empty(0, np.int64)
        return ItemBatch.concat(batches), np.concatenate(sites), np.concatenate(indexes)

    def _queue_next(self, work: HazardWork) -> None:
        if not work.next_stages:
            self.log.status[work.hazard.code] = "closed"
            return
        stage = work.next_stages.pop(0)
        work.done_cells = work.sections = 0
        self._push(work, stage)

    def _push(self, work: HazardWork, stage: str) -> None:
        self._seq += 1
        # Each section already worked ranks a minefield one step lower: untouched land for return comes first.
        heapq.heappush(self.queues[stage], (work.sections - work.hazard.priority, self._seq, work, stage))

    def _section(self, work: HazardWork, stage: str, cells: list[int]) -> list[int]:
        """The cells a task takes: all of them, or on a minefield one section of about `section_m2`."""
        cells = cells[work.done_cells:]
        if stage != "clear_mine" or self.section_m2 <= 0:
            return cells
        cumulative = np.cumsum(work.plan.area_m2[cells])
        n = max(1, int(np.searchsorted(cumulative, self.section_m2)))
        return cells[:n]

    def _take(self, team: Team, week_start: dt.date) -> Task | None:
        for queue in team.serves:
            if self.queues[queue]:
                _, _, work, stage = heapq.heappop(self.queues[queue])
                self.n_activities += 1
                task = Task(f"ACT-{self.n_activities:06d}", work, stage, team, week_start,
                            self._section(work, stage, work.plan.stages[_PLAN_KEY[stage]]))
                self.tasks[team.code] = task
                self.log.status[work.hazard.code] = "worked_on"
                return task
        return None

    def _sending_delay(self, team: str) -> int:
        """Days between a week's end and its report: most teams send within three days, a few are habitually late."""
        if team not in self.tardy:
            self.tardy[team] = bool(self.sending.random() < TARDY_TEAM_SHARE)
        if self.tardy[team]:
            return int(self.sending.choice(_TARDY_DELAYS, p=_TARDY_P))
        return int(self.sending.choice(_PUNCTUAL_DELAYS, p=_PUNCTUAL_P))

    def _work(self, task: Task, week_start: dt.date, week_end: dt.date) -> tuple[float, np.ndarray]:
        winter = week_start.month in (12, 1, 2)
        days = int(self.rng.choice([3, 4, 5], p=[0.3, 0.4, 0.3]) if winter else
                   self.rng.choice([4, 5, 6], p=[0.1, 0.3, 0.6]))
        days = min(days, (week_end - week_start).days + 1)
        capacity = task.team.weekly_capacity(days, self.rng)
        area = task.work.plan.area_m2
        budget, released = task.carry + capacity, []
        while task.pointer < len(task.cells) and budget >= area[task.cells[task.pointer]]:
            budget -= area[task.cells[task.pointer]]
            released.append(task.cells[task.pointer])
            task.pointer += 1
        done = task.pointer >= len(task.cells)
        worked = capacity - budget if done else capacity
        task.carry = 0.0 if done else budget
        task.weeks += 1
        report = f"{task.code}-W{task.weeks:03d}"
        self.sinks["progress"].row((report, task.code, week_start, week_end, round(max(worked, 1.0), 1), days,
                                    task.team.members, "approved", f"Leader of {task.team.name}",
                                    week_end + dt.timedelta(days=self._sending_delay(task.team.code))))
        ha, counts = 0.0, np.zeros(3, int)
        if released:
            ha = self._output(task, report, released, week_end)
            if task.stage.startswith("clear"):
                counts = self._items(task, report, released, week_start, week_start + dt.timedelta(days=days - 1))
        if done:
            task.end = week_end
            self._activity_row(task, ongoing=False)
            del self.tasks[task.team.code]
            work = task.work
            work.done_cells += len(task.cells)
            if work.done_cells < len(work.plan.stages[_PLAN_KEY[task.stage]]):
                work.sections += 1  # the rest of the minefield waits for a later task
                self._push(work, task.stage)
            else:
                self._queue_next(work)
        return ha, counts

    def _output(self, task: Task, report: str, cells: list[int], release: dt.date) -> float:
        plan = task.work.plan
        # Grid cells never overlap: a coverage union is far cheaper than a general union.
        cover = shapely.coverage_union_all(cell_boxes(plan, cells))
        if not plan.interior[cells].all():  # clipping is the costly part: only where the cells cross the boundary
            polygon = shapely.intersection(task.work.hazard.polygon, cover)
            polygon = shapely.make_valid(shapely.set_precision(polygon, 0.01))
        else:  # cells touching only at a corner make a ring that touches itself: split it into valid parts
            polygon = cover if shapely.is_valid(cover) else shapely.make_valid(cover)
        area = float(polygon.area)
        self.n_outputs += 1
        self.sinks["outputs"].row((f"OUT-{self.n_outputs:07d}", task.code, report, _OUTCOME[task.stage], release,
                                   round(area, 1), _DEPTH.get(task.stage), str(self.rng.choice(_LAND_USE)),
                                   valid_wkt_wgs84(polygon)))
        return area

    def _items(self, task: Task, report: str, cells: list[int], first: dt.date, last: dt.date) -> np.ndarray:
        work = task.work
        hit = np.isin(work.plan.item_cell, cells)
        idx = np.flatnonzero(hit)
        # An item another hazard's team found since this hazard was planned is not found twice.
        idx = idx[[self.log.found[s][i] == 0 for s, i in zip(work.item_site[idx].tolist(),
                                                               work.item_index[idx].tolist())]] if len(idx) else idx
        if len(idx) == 0:
            return np.zeros(3, int)
        n = len(idx)
        span = (last - first).days + 1
        day = first.toordinal() + self.rng.integers(0, span, n)
        for site_id in np.unique(work.item_site[idx]).tolist():
            mine = work.item_site[idx] == site_id
            self.log.found[site_id][work.item_index[idx][mine]] = day[mine]
        # GPS on a deminer's handset: a metre or two off the true position.
        lon, lat = to_wgs84_xy(work.items.x[idx] + self.rng.normal(0, 1.5, n),
                               work.items.y[idx] + self.rng.normal(0, 1.5, n))
        cats = CATEGORY_OF_INDEX[work.items.model[idx]]
        cond = self.rng.choice(_CONDITIONS, n, p=_CONDITION_P)
        disp = self.rng.choice(_DISPOSALS, n, p=_DISPOSAL_P)
        # Plain lists and zip, not numpy scalars per cell: the bench scale writes ten million of these rows.
        dates = {d: dt.date.fromordinal(d).isoformat() for d in set(day.tolist())}
        models = [MODEL_CODES[m] for m in work.items.model[idx].tolist()]
        depths = [f"{d:.0f}" for d in work.items.depth_cm[idx].tolist()]
        rows = [[f"{report}-{k:04d}", task.code, report, c, m, dates[d], "1", dp, co, di, f"{x:.7f}", f"{y:.7f}"]
                for k, c, m, d, dp, co, di, x, y in zip(range(1, n + 1), cats.tolist(), models, day.tolist(), depths,
                                                        cond.tolist(), disp.tolist(), lon.tolist(), lat.tolist())]
        self.sinks["items"].rows(rows)
        confirmed = set(self.log.confirmed.get(work.hazard.code, ())) | set(cats.tolist())
        self.log.confirmed[work.hazard.code] = tuple(sorted(confirmed))
        return np.array([(cats == "ap_mine").sum(), (cats == "at_mine").sum(),
                         np.isin(cats, ["uxo", "axo", "submunition"]).sum()])

    def _activity_row(self, task: Task, *, ongoing: bool) -> None:
        point = task.work.hazard.polygon.representative_point()
        lon, lat = to_wgs84_xy(np.array([point.x]), np.array([point.y]))
        self.sinks["activities"].row((task.code, _ACTIVITY[task.stage], task.work.hazard.code, task.team.organisation,
                                      task.team.code, task.team.method.value, task.start,
                                      None if ongoing else task.end, "ongoing" if ongoing else "completed",
                                      _DEPTH.get(task.stage), round(float(lon[0]), 7), round(float(lat[0]), 7)))
