"""What a team can plausibly work, and where a figure is more likely a unit error than a record.

Typical productivity (DOMAIN.md): 10-50 m² per deminer per day manually, about 800-900 m² per day for a pair of dogs,
thousands of m² per day for a machine, far more for non-technical survey, which cancels land by walking and asking.
A figure above the ceiling is flagged for review; a figure ten times above it is rejected as a unit error (a decimal
comma read as a thousands separator, as in the statement that printed "453,900 ha"). A figure below the floor is
flagged for review (hectares typed where square metres are asked look like this, but so does the last day of a
task with a few square metres left amid dense contamination).
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

# m² per working unit per day below which a report is implausibly low (a team that worked at all works more).
PRODUCTIVITY_FLOOR_M2_PER_UNIT_DAY: dict[Method, float] = {
    Method.MANUAL: 2.0,
    Method.DOGS: 50.0,
    Method.MECHANICAL: 200.0,
    Method.SURVEY: 5.0,  # survey effort follows the hazard's size, not the team's: only the absurd is flagged
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


def floor(method: Method) -> float:
    return PRODUCTIVITY_FLOOR_M2_PER_UNIT_DAY[method]
