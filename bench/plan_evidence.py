"""Evidence for clearance planning on the scenario generator (national scale, seed 1).

1. Forecast at a cut-off: the register as it stood on the cut-off date (hazards reported, land released, progress
   and teams up to then) gives a completion forecast; the simulation then goes on to its end (19 October 2025). The
   land the forecast says will be released on the hazards known at the cut-off, by the end of the simulation, is
   compared with what the simulation's outputs released on them (goal: within 10%), also per district.
2. Schedule: the CP-SAT plan against the greedy ranking on the same data (the register at the cut-off and at the
   end), priority-weighted land released by the horizon.

    .venv/bin/python bench/plan_evidence.py --db /tmp/national.db [--cutoff 2023-01-01] [--runs 50]
        [--forecast-only | --schedules-only] [--programme-only] [--forecast-seeds 1,2,3,4,5]

The register must hold the national demo (`demine --db X init && demine --db X demo --scale national --seed 1`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")

import pandas as pd  # noqa: E402
from sqlalchemy import select  # noqa: E402

SIMULATION_END = dt.date(2025, 10, 19)


def actual_release(register, known: set[str], cutoff: dt.date, end: dt.date) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Land the simulation released between the cut-off and the end, per hazard known at the cut-off."""
    from demine.store.tables.core import admin_areas
    from demine.store.tables.hazards import hazard_areas
    from demine.store.tables.operations import activities, land_release_outputs

    o, a, h = land_release_outputs.c, activities.c, hazard_areas.c
    query = (select(h.code, admin_areas.c.name.label("district"), o.area_m2)
             .join_from(land_release_outputs, activities, o.activity_id == a.id)
             .join(hazard_areas, a.hazard_area_id == h.id).join(admin_areas, h.admin_area_id == admin_areas.c.id)
             .where(o.release_date > cutoff, o.release_date <= end))
    with register.reading() as connection:
        frame = pd.DataFrame(connection.execute(query).all(), columns=["code", "district", "area_m2"])
    frame["known"] = frame["code"].isin(known)
    return frame


def _cpu_since(before: resource.struct_rusage) -> float:
    now = resource.getrusage(resource.RUSAGE_SELF)
    return now.ru_utime + now.ru_stime - before.ru_utime - before.ru_stime


def seed_spread(setup, seeds: list[int], runs: int, real: float) -> None:  # type: ignore[no-untyped-def]
    """The programme's forecast repeated with each seed of its own draws: how far the median of `runs` runs moves
    with the draws alone."""
    import numpy as np

    from demine.planning.forecast import forecast_completion
    from demine.planning.habits import learn_habits

    learned = learn_habits(setup.inputs, setup.hazards, setup.capacity)
    print(f"\nLearned: {learned.describe()}\n\n| forecast seed | P50 ha by {SIMULATION_END} | error | mean error |"
          " CPU s |\n|---:|---:|---:|---:|---:|")
    errors = []
    for seed in seeds:
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        forecast = forecast_completion(setup, runs=runs, seed=seed, habits=learned)
        p50 = forecast.released_by(SIMULATION_END)["p50"]
        week = int(np.clip((SIMULATION_END - forecast.start).days // 7 - 1, 0, forecast.curves.shape[1] - 1))
        mean = float(forecast.curves[:, week].mean())
        errors.append(p50 / real - 1)
        print(f"| {seed} | {p50:,.0f} | {p50 / real - 1:+.1%} | {mean / real - 1:+.1%} | {_cpu_since(cpu):.0f} |")
    print(f"simulation {real:,.0f} ha; error of the median over {len(seeds)} seeds: mean {np.mean(errors):+.1%}, "
          f"sd {np.std(errors, ddof=1):.1%}, range {min(errors):+.1%} to {max(errors):+.1%}")


def main() -> None:
    from demine.planning import plan as planning
    from demine.services.register import open_register

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--cutoff", type=dt.date.fromisoformat, default=dt.date(2023, 1, 1))
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seconds-per-window", type=float, default=2.0)
    parser.add_argument("--forecast-only", action="store_true", help="skip the schedules against greedy")
    parser.add_argument("--schedules-only", action="store_true", help="skip the forecasts")
    parser.add_argument("--programme-only", action="store_true",
                        help="forecast with the programme's habits only (skip the ranking baseline)")
    parser.add_argument("--forecast-seeds", default="1",
                        help="comma-separated seeds of the forecast's own draws; with several, the programme's "
                             "forecast is repeated with each and the spread of its median printed")
    args = parser.parse_args()
    seeds = [int(s) for s in args.forecast_seeds.split(",")]
    register = open_register(args.db)

    setup = planning.prepare(register, as_of=args.cutoff)
    known = set(setup.hazards["code"])
    actual = actual_release(register, known, args.cutoff, SIMULATION_END)
    real = actual.loc[actual["known"], "area_m2"].sum() / 1e4
    everything = actual["area_m2"].sum() / 1e4
    by_district = actual[actual["known"]].groupby("district")["area_m2"].sum() / 1e4
    if len(seeds) > 1:
        seed_spread(setup, seeds, args.runs, real)
        return
    if not args.schedules_only:
        forecast_tables(setup, args, seeds[0], real, everything, by_district)
    if args.forecast_only:
        return
    schedules(register, args)


def forecast_tables(setup, args, seed: int, real: float, everything: float,  # type: ignore[no-untyped-def]
                    by_district) -> None:
    """The ranking's and the programme's forecasts, nationally and per district, against the simulation."""
    from demine.planning.forecast import forecast_completion
    from demine.planning.habits import learn_habits

    known = set(setup.hazards["code"])
    forecasts = {}
    variants = (("priority ranking (baseline)", False), ("the programme's habits (default)", True))
    for label, habits in variants[1:] if args.programme_only else variants:
        began = time.perf_counter()
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        if habits:
            learned = learn_habits(setup.inputs, setup.hazards, setup.capacity)
            print(f"\nLearned: {learned.describe()}")
        forecast = forecast_completion(setup, runs=args.runs, seed=seed, habits=learned if habits else False)
        seconds, cpu_seconds = time.perf_counter() - began, _cpu_since(cpu)
        forecasts[label] = forecast
        predicted = forecast.released_by(SIMULATION_END)
        print(f"\nForecast by {label} at {args.cutoff} ({len(known)} hazards, "
              f"{setup.hazards['remaining_m2'].sum() / 1e4:,.0f} ha to work, {len(setup.capacity.teams)} teams, "
              f"{args.runs} runs, {seconds:.0f} s, CPU {cpu_seconds:.0f} s)")
        print(f"  {forecast.sentence()}")
        print(f"  land released on them by {SIMULATION_END}: forecast {predicted['p50']:,.0f} ha "
              f"(P10-P90 {predicted['p10']:,.0f}-{predicted['p90']:,.0f}); simulation {real:,.0f} ha "
              f"(error {predicted['p50'] / real - 1:+.1%}); on all hazards incl. those reported later "
              f"{everything:,.0f} ha")
    print("\n| district | hazards | ha to work | simulation ha | " + " | ".join(
        f"{label}: ha by {SIMULATION_END} (P10-P90) | error" for label in forecasts) + " |\n|---|---:|---:|---:|"
          + "---:|---:|" * len(forecasts))
    within = dict.fromkeys(forecasts, 0)
    for row in next(iter(forecasts.values())).districts.itertuples():
        real_district = by_district.get(row.district, 0.0)
        cells = []
        for label, forecast in forecasts.items():
            f = forecast.released_by(SIMULATION_END, row.district)
            error = f["p50"] / real_district - 1 if real_district else None
            within[label] += error is not None and abs(error) <= 0.25
            cells.append(f"{f['p50']:,.0f} ({f['p10']:,.0f}-{f['p90']:,.0f}) | "
                         + (f"{error:+.1%}" if error is not None else "-"))
        print(f"| {row.district} | {row.hazards} | {row.remaining_ha:,.0f} | {real_district:,.0f} | "
              + " | ".join(cells) + " |")
    print("Districts within ±25%: " + ", ".join(f"{label} {n} of {len(by_district)}" for label, n in within.items()))


def schedules(register, args) -> None:  # type: ignore[no-untyped-def]
    """CP-SAT against greedy at the cut-off and at the end of the simulation."""
    from demine.planning import plan as planning

    for label, as_of, years in (("cut-off", args.cutoff, 2.8), ("end of simulation", SIMULATION_END, 5.0)):
        setup = planning.prepare(register, as_of=as_of)
        result = planning.schedule(setup, years=years, seconds_per_window=args.seconds_per_window)
        print(f"\nSchedule at the {label} ({as_of}, {years:g} years, {len(setup.hazards)} hazards, "
              f"{len(setup.capacity.teams)} teams): CP-SAT {result.gain():+.1%} priority-weighted release against "
              "greedy")
        comparison = result.comparison()
        print("| " + " | ".join(comparison.columns) + " |\n|" + "---|" * len(comparison.columns))
        for values in comparison.itertuples(index=False):
            print("| " + " | ".join(f"{v:,}" if isinstance(v, (int, float)) else str(v) for v in values) + " |")


if __name__ == "__main__":
    main()
