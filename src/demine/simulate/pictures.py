"""Pictures of a generated scenario for docs/scenario.md: a map and a weekly chart, rendered from the files.

Run: python -m demine.simulate.pictures SCENARIO_DIR docs/images
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display in CI or on a server
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from demine.simulate.config import ALL_DISTRICTS  # noqa: E402
from demine.simulate.geography import load_theatre  # noqa: E402


def _frame(path: Path) -> gpd.GeoDataFrame:
    df = pd.read_csv(path)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries.from_wkt(df.pop("wkt")), crs="EPSG:4326")


def draw_map(folder: Path, out: Path) -> None:
    theatre = load_theatre(ALL_DISTRICTS)
    districts = theatre.districts.to_crs("EPSG:4326")
    sites = _frame(folder / "truth" / "sites.csv")
    records = _frame(folder / "records.csv")
    hazards = _frame(folder / "hazards.csv")
    geo = _frame(folder / "truth" / "geography.csv")
    incidents = pd.read_csv(folder / "incidents.csv")
    fig, ax = plt.subplots(figsize=(11, 11))
    districts.boundary.plot(ax=ax, color="#555", linewidth=0.6)
    for _, d in districts.iterrows():
        c = d.geometry.representative_point()
        ax.annotate(d["name"], (c.x, c.y), fontsize=8, color="#333", ha="center")
    # IMAS TN 07.11/01 colours: SHA #F4A718, CHA #FF0000, at 50% transparency.
    for cls, colour in (("sha", "#F4A718"), ("cha", "#FF0000")):
        hazards[hazards["hazard_class"] == cls].plot(ax=ax, color=colour, alpha=0.5, linewidth=0)
    minefields = sites[sites["kind"].isin(["row_belt", "protective", "withdrawal"])]
    minefields.plot(ax=ax, color="black", linewidth=0.8)
    records.boundary.plot(ax=ax, color="#1f4fd1", linewidth=0.8)
    geo[geo["feature"] == "line_of_contact"].plot(ax=ax, color="#8b0000", linewidth=1.5, linestyle="--")
    ax.scatter(incidents["longitude"], incidents["latitude"], s=14, marker="x", color="#6a0dad", zorder=5)
    ax.set_title("National scenario (seed 1): hazards (SHA orange, CHA red), true minefields (black), supplied "
                 "records (blue outline),\nformer line of contact (dashed), civilian incidents (purple x)", fontsize=9)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def draw_weekly(folder: Path, out: Path) -> None:
    weekly = pd.read_csv(folder / "truth" / "weekly.csv", parse_dates=["week_end"]).set_index("week_end")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    top.plot(weekly.index, weekly["ap"], label="AP mines", linewidth=0.9)
    top.plot(weekly.index, weekly["at"], label="AT mines", linewidth=0.9)
    top.plot(weekly.index, weekly["uxo"], label="UXO (incl. submunitions)", linewidth=0.9)
    top.set_ylabel("items found per week")
    top.legend(loc="upper left")
    bottom.bar(weekly.index, weekly["released_ha"], width=6, color="#3b8b3b")
    bottom.axhspan(1100, 2800, color="#ccc", alpha=0.4, label="typical week in statements (1,100-2,800 ha)")
    bottom.set_ylabel("hectares released per week")
    bottom.legend(loc="upper left")
    fig.suptitle("National scenario (seed 1): weekly figures as the statement would add them up")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    scenario, images = Path(sys.argv[1]), Path(sys.argv[2])
    images.mkdir(parents=True, exist_ok=True)
    draw_map(scenario, images / "scenario-map.png")
    draw_weekly(scenario, images / "scenario-weekly.png")
