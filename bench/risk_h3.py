"""Benchmark: the register's features on H3 hexagons against the square grid of the same cell area, same register,
same area of interest (every district), each in its own process (wall, CPU, peak RSS).

    .venv/bin/python bench/risk_h3.py --db REGISTER [--resolution 9]

The square grid is the baseline: its features are raster operations; the hexagons' come from centres and outlines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from risk_model import LINE, cpu_s, peak_rss_mib  # noqa: E402


def phase(db: str, kind: str, resolution: int, country: Path) -> dict[str, object]:
    import h3
    import numpy as np

    from demine.risk.evidence import load_evidence
    from demine.risk.register_cells import UserLayers, build_cells
    from demine.services.register import open_register

    start, cpu = time.perf_counter(), cpu_s()
    with open_register(db).reading() as connection:
        evidence = load_evidence(connection)
    side = float(np.sqrt(h3.average_hexagon_area(resolution, "m^2")))
    cells = build_cells(evidence, size_m=side, aoi=country, layers=UserLayers(line=LINE),
                        h3_resolution=resolution if kind == "h3" else None)
    features_s = time.perf_counter() - start
    polygons_start = time.perf_counter()
    cells.grid.polygons_wgs84(cells.rows, cells.cols)
    return {"cells": len(cells.table.frame), "features_s": features_s,
            "polygons_s": time.perf_counter() - polygons_start, "wall_s": time.perf_counter() - start,
            "cpu_s": cpu_s() - cpu, "peak_mib": peak_rss_mib(), "side_m": side,
            "labelled": int((cells.table.frame["label"] >= 0).sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--resolution", type=int, default=9)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--country", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.db, args.phase, args.resolution, Path(args.country))))
        return
    import tempfile

    import geopandas as gpd
    import numpy as np
    import shapely

    from demine.risk.evidence import load_evidence
    from demine.services.register import open_register

    country = Path(tempfile.mkdtemp(prefix="risk-h3-")) / "country.geojson"  # every district: setup, not timed
    with open_register(args.db).reading() as connection:
        districts = load_evidence(connection).districts
    gpd.GeoDataFrame(geometry=[shapely.union_all(np.asarray(districts.geometry.values))], crs="EPSG:4326").to_file(
        country)
    print(f"load average {os.getloadavg()[0]:.1f}; 2 cores")
    print("| cells | count | cell side m | features s | outlines s | wall s | CPU s | peak RSS MiB | labelled |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ("square", "h3"):
        done = subprocess.run([sys.executable, __file__, "--db", args.db, "--resolution", str(args.resolution),
                               "--phase", kind, "--country", str(country)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        r = json.loads(done.stdout.strip().splitlines()[-1])
        name = f"H3 resolution {args.resolution} (Demine)" if kind == "h3" else "square grid, same area (baseline)"
        print(f"| {name} | {r['cells']:,} | {r['side_m']:.0f} | {r['features_s']:.1f} | {r['polygons_s']:.1f} "
              f"| {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_mib']:,.0f} | {r['labelled']:,} |")
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
