"""Tunables of a scenario, one frozen set per scale.

The figures are calibrated on the public figures of ../shared/data/azerbaijan/FACTS.md: a steady week releases
1,100-2,800 ha and finds tens to hundreds of AP and AT mines and hundreds to thousands of UXO; about a quarter of the
supplied records are accurate; no records exist for Khojavand, Tartar or the withdrawal minefields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from demine.errors import DemineError

# The 13 districts of the weekly statements, by geoBoundaries shapeID (the `code` of the shipped gazetteer) with the
# statements' spelling. Aghdara has no feature of its own: its land lies within Tartar and Kalbajar. Shusha has a
# district and a city feature; Khankendi is a hole in Khojaly.
DISTRICT_IDS: dict[str, str] = {
    "Tartar": "AZE-ADM2-54616110B56216693",
    "Kalbajar": "AZE-ADM2-54616110B71777131",
    "Aghdam": "AZE-ADM2-54616110B74307796",
    "Khojaly": "AZE-ADM2-54616110B630209",
    "Khankendi": "AZE-ADM2-54616110B37997880",
    "Khojavand": "AZE-ADM2-54616110B68470327",
    "Shusha": "AZE-ADM2-54616110B50193456",
    "Shusha City": "AZE-ADM2-54616110B39808892",
    "Lachin": "AZE-ADM2-54616110B64627190",
    "Fuzuli": "AZE-ADM2-54616110B70488291",
    "Gubadli": "AZE-ADM2-54616110B38588730",
    "Jabrayil": "AZE-ADM2-54616110B51569828",
    "Zangilan": "AZE-ADM2-54616110B35620946",
}
ALL_DISTRICTS: tuple[str, ...] = tuple(DISTRICT_IDS)

# FACTS.md: no maps were supplied for Khojavand and Tartar (nor for the withdrawal minefields).
DISTRICTS_WITHOUT_RECORDS: frozenset[str] = frozenset({"Khojavand", "Tartar"})
# Minefields laid during the November 2020 withdrawal, with no record at all.
WITHDRAWAL_DISTRICTS: frozenset[str] = frozenset({"Kalbajar", "Lachin"})

# Shares of supplied records by true class; accurate ~25% as the authority judged the 2021 maps.
RECORD_CLASS_SHARES: dict[str, float] = {
    "accurate": 0.25,
    "shifted": 0.25,
    "partially_accurate": 0.20,
    "inaccurate": 0.20,
    "fictitious": 0.10,
}


@dataclass(frozen=True, slots=True)
class ScenarioConfig:
    scale: str
    districts: tuple[str, ...]
    ops_start: dt.date
    ops_end: dt.date
    # Contamination sites (each becomes at most one hazard area).
    row_belts_per_km_of_line: float  # belts of AP and AT rows along the former line of contact
    protective_per_km_of_line: float  # protective minefields around positions behind the line
    withdrawal_minefields: int  # per withdrawal district
    battle_areas_per_1000_km2: float  # UXO scatter areas (also the wide suspicion behind the line)
    cluster_strikes_per_1000_km2: float
    uxo_clusters_per_100_ha: float  # dense spots of UXO (firing positions, depots) inside a battle area
    # Half-length of a battle area's long axis (m): wide suspicion, most of it later cancelled by survey.
    battle_area_axis_m: tuple[float, float] = (2500.0, 7000.0)
    # Length of a row belt along the line (m): huge and slow, kilometres of front.
    belt_length_m: tuple[float, float] = (300.0, 1800.0)
    # Items of a dense UXO spot: log-normal mu and sigma, and a cap (a blown depot).
    uxo_spot_size: tuple[float, float, int] = (4.25, 1.0, 6000)
    # A clearance task on a minefield clears one section of about this area (m²) and the minefield goes back to the
    # queue behind the untouched ones: the programme opens land for return (a road, a village's fields) rather than
    # finishing the line's belts. 0: a task clears the whole minefield.
    minefield_section_m2: float = 25_000.0
    # Keep sites apart (a footprint grid and a gap around minefields). The bench scale drops it: at its density the
    # checks dominate, and overlapping hazards cost the register nothing (each site is worked through its own hazard).
    separate_sites: bool = True
    # Cells a hazard is cut into for working it (fewer at bench scale: each costs an overlay on the boundary).
    cells_per_hazard: int = 120
    # Share of sites that never reach the register (unknown hazards: the source of incidents off the map).
    unregistered_share: float = 0.12
    # Teams of each kind at full strength; the programme ramps up over `ramp_weeks` (6,286 ha in the first year).
    nts_teams: int = 4
    ts_teams: int = 28
    clearance_teams: int = 45
    dog_teams: int = 10
    bac_teams: int = 12
    ramp_weeks: int = 80
    # Members of each team relative to the usual (bench: bigger teams, fewer team-weeks for the same land).
    team_members_factor: float = 1.0
    settlements_per_100_km2: float = 2.0
    incidents: int = 180
    eore_sessions_per_week: float = 6.0
    projects: int = 60
    # Deliberate data-entry errors written apart, in errors/.
    entry_errors: int = 12
    record_class_shares: dict[str, float] = field(default_factory=lambda: dict(RECORD_CLASS_SHARES))

    def scaled_teams(self, factor: float) -> ScenarioConfig:
        def n(k: int) -> int:
            return max(1, round(k * factor))

        return replace(
            self,
            nts_teams=n(self.nts_teams),
            ts_teams=n(self.ts_teams),
            clearance_teams=n(self.clearance_teams),
            dog_teams=n(self.dog_teams),
            bac_teams=n(self.bac_teams),
        )


SMALL = ScenarioConfig(
    scale="small",
    districts=("Aghdam", "Fuzuli", "Kalbajar"),
    ops_start=dt.date(2020, 11, 10),
    ops_end=dt.date(2021, 3, 28),
    row_belts_per_km_of_line=0.5,
    protective_per_km_of_line=0.25,
    withdrawal_minefields=6,
    battle_areas_per_1000_km2=4.0,
    cluster_strikes_per_1000_km2=3.0,
    uxo_clusters_per_100_ha=0.5,
    # Twenty weeks are too few for machines to survey battle areas of tens of km²: smaller ones reach clearance.
    battle_area_axis_m=(800.0, 2000.0),
    unregistered_share=0.12,
    nts_teams=2,
    ts_teams=6,
    clearance_teams=10,
    dog_teams=3,
    bac_teams=3,
    ramp_weeks=0,
    settlements_per_100_km2=1.0,
    incidents=40,
    eore_sessions_per_week=2.0,
    projects=12,
    entry_errors=8,
)

NATIONAL = ScenarioConfig(
    scale="national",
    districts=ALL_DISTRICTS,
    ops_start=dt.date(2020, 11, 10),
    ops_end=dt.date(2025, 10, 19),
    row_belts_per_km_of_line=2.5,
    protective_per_km_of_line=1.2,
    withdrawal_minefields=25,
    battle_areas_per_1000_km2=30.0,
    cluster_strikes_per_1000_km2=8.0,
    uxo_clusters_per_100_ha=0.7,
    nts_teams=9,
    ts_teams=40,
    # Mine clearance capacity: with minefields worked a section at a time, it sets the mines found per week.
    clearance_teams=40,
    dog_teams=4,
    bac_teams=32,
    incidents=180,
)

# 100,000 hazard areas and 10,000,000 items found: far denser than the real programme, for load only. Sites are
# many and small (battle areas of a few tens of hectares instead of tens of square kilometres) and may overlap, so
# that placing them is linear; teams are fewer but larger (a task takes a week or two), so that the weekly loop
# stays near 300,000 team-weeks. Realism gives way to volume here; see docs/scenario.md.
BENCH = replace(
    NATIONAL,
    scale="bench",
    row_belts_per_km_of_line=110.0,
    protective_per_km_of_line=110.0,
    withdrawal_minefields=7_000,
    battle_areas_per_1000_km2=4_200.0,
    cluster_strikes_per_1000_km2=2_500.0,
    uxo_clusters_per_100_ha=3.0,
    battle_area_axis_m=(300.0, 800.0),
    separate_sites=False,
    nts_teams=200,
    ts_teams=520,
    clearance_teams=780,
    dog_teams=200,
    bac_teams=400,
    cells_per_hazard=30,
    belt_length_m=(250.0, 1200.0),
    uxo_spot_size=(3.6, 0.8, 1500),
    minefield_section_m2=0.0,
    team_members_factor=8.0,
    ramp_weeks=20,
    incidents=2_000,
    projects=400,
)

SCALES: dict[str, ScenarioConfig] = {c.scale: c for c in (SMALL, NATIONAL, BENCH)}


def config_for(scale: str) -> ScenarioConfig:
    try:
        return SCALES[scale]
    except KeyError:
        raise DemineError(f"Unknown scenario scale {scale!r}; use one of: {', '.join(SCALES)}.") from None
