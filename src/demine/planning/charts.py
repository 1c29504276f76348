"""Pictures of a plan: a Gantt chart of the teams' work and a map of the hazards coloured by planned release year."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from demine.errors import DemineError  # noqa: E402
from demine.planning.capacity import STAGES  # noqa: E402
from demine.planning.evaluate import hazard_finish  # noqa: E402
from demine.planning.inputs import PlanningInputs  # noqa: E402
from demine.planning.timeline import Schedule  # noqa: E402
from demine.planning.work import PlanProblem  # noqa: E402

# Colours of the land release stages after IMAS TN 07.11/01 (cancelled, reduced, cleared land).
STAGE_COLOURS = {"nts": "#9ecae1", "ts": "#F4A718", "clearance": "#2ca02c"}
PICTURE_SUFFIXES = (".png", ".svg")


def _check(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in PICTURE_SUFFIXES:
        raise DemineError(f"{path}: pictures are written as .png or .svg.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def gantt_chart(problem: PlanProblem, plan: Schedule, path: Path, *, max_teams: int = 60) -> Path:
    """One row per team (the busiest `max_teams`), one bar per chunk, coloured by stage."""
    path = _check(path)
    done = np.flatnonzero(np.isfinite(plan.finish))
    busy = np.bincount(plan.team[done], minlength=len(problem.teams))
    shown = np.argsort(-busy, kind="stable")[:max_teams]
    shown = shown[busy[shown] > 0]
    row_of = {int(t): i for i, t in enumerate(sorted(shown, key=lambda t: problem.teams["code"].iat[t]))}
    fig, ax = plt.subplots(figsize=(12, max(3, 0.22 * len(row_of) + 1.5)))
    start = mdates.date2num(problem.calendar.start)
    for s, stage in enumerate(STAGES):
        picked = done[(problem.chunk_stage[done] == s) & np.isin(plan.team[done], list(row_of))]
        rows = [row_of[int(t)] for t in plan.team[picked]]
        ax.barh(rows, (plan.finish[picked] - plan.start[picked]) * 7, left=start + plan.start[picked] * 7,
                height=0.7, color=STAGE_COLOURS[stage], edgecolor="none", label=stage.upper())
    ax.set_yticks(range(len(row_of)))
    ax.set_yticklabels([problem.teams["code"].iat[t] for t in sorted(row_of, key=row_of.get)], fontsize=6)
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.set_title(f"Clearance plan ({plan.solver}): {len(row_of)} teams")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def release_map(problem: PlanProblem, plan: Schedule, inputs: PlanningInputs, path: Path) -> Path:
    """Districts and the hazards to be worked, coloured by the year the plan releases them (grey: after the horizon)."""
    path = _check(path)
    finish = hazard_finish(problem, plan)
    years = np.array([problem.calendar.date_of(t).year if np.isfinite(t) else 0 for t in finish])
    fig, ax = plt.subplots(figsize=(9, 9))
    inputs.districts.boundary.plot(ax=ax, color="#555555", linewidth=0.6)
    for district in inputs.districts.itertuples():
        point = district.geometry.representative_point()
        ax.annotate(district.name, (point.x, point.y), fontsize=6, color="#555555", ha="center")
    hazards = inputs.hazards.set_index("code").loc[problem.hazards["code"]]
    later = years == 0
    if later.any():
        hazards[later].plot(ax=ax, color="#bbbbbb", edgecolor="#888888", linewidth=0.3)
    if (~later).any():
        shown = hazards[~later].assign(year=years[~later])
        shown.plot(ax=ax, column="year", cmap="viridis_r", legend=True, categorical=True, edgecolor="black",
                   linewidth=0.2, legend_kwds={"title": "released in", "fontsize": 7})
    minx, miny, maxx, maxy = hazards.total_bounds if len(hazards) else inputs.districts.total_bounds
    pad = 0.08 * max(maxx - minx, maxy - miny, 1.0)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_axis_off()
    ax.set_title(f"Hazards by planned release year ({plan.solver}); grey: after the horizon")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def forecast_chart(forecast, path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Cumulative land released after the forecast date: median and the P10-P90 band."""
    path = _check(path)
    released = forecast.released
    if len(released):  # stop a year after the slowest run has released everything
        full = released["p10_ha"] >= released["p90_ha"].iloc[-1] - 0.05
        last = int(np.argmax(full.to_numpy())) if full.any() else len(released) - 1
        released = released.iloc[: last + 5]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if len(released):
        ax.fill_between(released["date"], released["p10_ha"], released["p90_ha"], color="#9ecae1", label="P10-P90")
        ax.plot(released["date"], released["p50_ha"], color="#08519c", label="median")
    ax.set_ylabel("land released since the forecast date (ha)")
    ax.set_title(forecast.sentence(), fontsize=10)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
