"""Derive the shipped Azerbaijan gazetteer from geoBoundaries (kept for provenance; run once by a maintainer).

Usage: python scripts/prepare_gazetteer.py ../shared/data/azerbaijan/districts.geojson src/demine/data/azerbaijan/
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd

# Spellings of the weekly statements (FACTS.md), and the order in which the agency names the districts.
STATEMENT_NAMES = {"Agdam": "Aghdam", "Qubadli": "Gubadli", "Khojavend": "Khojavand", "Qazakh": "Gazakh",
                   "Khankendi City": "Khankendi"}
REPORTING_ORDER = ["Tartar", "Aghdara", "Kalbajar", "Aghdam", "Khojaly", "Khankendi", "Khojavand", "Shusha",
                   "Lachin", "Fuzuli", "Gubadli", "Jabrayil", "Zangilan", "Gazakh"]
SOURCE = "geoBoundaries gbOpen AZE ADM2 (2020), CC BY-SA 3.0; names adapted to ANAMA statements"


def statement_name(shape_name: str) -> str:
    if shape_name in STATEMENT_NAMES:
        return STATEMENT_NAMES[shape_name]
    base = shape_name.removesuffix(" District")
    return STATEMENT_NAMES.get(base, base)


def main(source: Path, out_dir: Path) -> None:
    frame = gpd.read_file(source)
    out = gpd.GeoDataFrame(
        {
            "code": frame["shapeID"],
            "name": frame["shapeName"].map(statement_name),
            "level": "district",
            "country_code": frame["shapeGroup"],
            "reporting_order": frame["shapeName"].map(statement_name).map(
                lambda n: REPORTING_ORDER.index(n) + 1 if n in REPORTING_ORDER else None).astype("Int64"),
            "source": SOURCE,
        },
        geometry=frame.geometry,
        crs=frame.crs,
    )
    out.to_file(out_dir / "districts.geojson", driver="GeoJSON")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
