"""What a team can plausibly work, and where a figure is more likely a unit error than a record.

Typical productivity (DOMAIN.md): 10-50 m² per deminer per day manually, about 800-900 m² per day for a pair of dogs,
thousands of m² per day for a machine, far more for non-technical survey, which cancels land by walking and asking.
A figure above the ceiling is flagged for review; a figure ten times above it is rejected as a unit error (a week's
clearance typed in hectares where square metres were asked, as in the statement that printed "453,900 ha").
"""

from __future__ import annotations

from demine.domain.vocabulary import Method

# m² per working unit (deminer, dog pair, machine, survey team) per day: (usual upper end, flag above).
PRODUCTIVITY_M2_PER_UNIT_DAY: dict[Method, tuple[float, float]] = {
    Method.MANUAL: (50.0, 150.0),
    Method.DOGS: (900.0, 2_500.0),
    Method.MECHANICAL: (10_000.0, 30_000.0),
    Method.SURVEY: (200_000.0, 1_000_000.0),
}

UNIT_ERROR_FACTOR = 10.0  # beyond ceiling x factor the figure is taken for a unit error and rejected

# Declared area against the polygon's computed area.
AREA_TOLERANCE = 0.10
# An output may exceed its hazard's registered area a little (the perimeter is re-surveyed as work proceeds).
OUTPUT_OVER_HAZARD_TOLERANCE = 0.05

MAX_ITEM_DEPTH_CM = 1000.0
MAX_BENCHMARK_DISTANCE_M = 2_000.0


def flag_ceiling(method: Method) -> float:
    return PRODUCTIVITY_M2_PER_UNIT_DAY[method][1]
