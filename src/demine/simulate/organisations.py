"""The national authority, its operators and their teams, with methods and productivities of DOMAIN.md.

Commercial operator names are invented; state bodies are named by function only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from demine.domain.vocabulary import Method
from demine.simulate.config import ScenarioConfig
from demine.simulate.settlements import Settlement

ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("ANAMA", "Mine Action Agency of the Republic of Azerbaijan (ANAMA)", "national_authority"),
    ("MOD-ENG", "Ministry of Defence, engineer units", "military"),
    ("MES-DEM", "Ministry of Emergency Situations, demining unit", "national_operator"),
    ("SBS-DEM", "State Border Service, demining unit", "national_operator"),
    ("CASPIAN", "Caspian Land Release LLC (fictitious)", "commercial_operator"),
    ("ARAZ", "Araz Demining Services LLC (fictitious)", "commercial_operator"),
)
# m² per member per day: 10-50 manual, ~850 a dog pair, thousands a machine; survey walks and asks, it does not dig.
PRODUCTIVITY_M2: dict[Method, float] = {
    Method.MANUAL: 30.0, Method.DOGS: 850.0, Method.MECHANICAL: 14_000.0, Method.SURVEY: 90_000.0,
}
# Team kind -> (method, members range, stage queues it serves in order of preference)
TEAM_KINDS: dict[str, tuple[Method, tuple[int, int], tuple[str, ...]]] = {
    "nts": (Method.SURVEY, (3, 6), ("cancel",)),
    "ts": (Method.MECHANICAL, (1, 3), ("reduce_bac", "reduce")),
    "clearance": (Method.MANUAL, (12, 30), ("clear_mine",)),
    # Dogs mostly confirm that land is free of mines (technical survey), and clear only when no survey waits.
    "dogs": (Method.DOGS, (2, 5), ("reduce", "clear_mine")),
    # A BAC team works one battle area at a time with a machine and its crew: the wide areas set the hectares.
    "bac": (Method.MECHANICAL, (3, 5), ("clear_bac",)),
}
BASES = ("Horadiz", "Aghdam", "Jabrayil", "Zangilan", "Gubadli", "Lachin", "Khojavand", "Kalbajar", "Fuzuli")


@dataclass(slots=True)
class Team:
    code: str
    organisation: str
    name: str
    kind: str
    method: Method
    members: int
    base: Settlement
    active_from: dt.date
    serves: tuple[str, ...]

    def weekly_capacity(self, days: int, rng: np.random.Generator) -> float:
        return self.members * PRODUCTIVITY_M2[self.method] * days * float(rng.lognormal(0, 0.15))


def raise_teams(seed: int, config: ScenarioConfig, settlements: list[Settlement]) -> list[Team]:
    rng = np.random.default_rng([seed, 5])
    centres = {s.name: s for s in settlements if s.is_centre}
    bases = [centres[b] for b in BASES if b in centres] or list(centres.values())
    counts = {"nts": config.nts_teams, "ts": config.ts_teams, "clearance": config.clearance_teams,
              "dogs": config.dog_teams, "bac": config.bac_teams}
    operators = [o[0] for o in ORGANISATIONS]
    teams: list[Team] = []
    for kind, n in counts.items():
        method, (lo, hi), serves = TEAM_KINDS[kind]
        for k in range(n):
            # Teams join in a staggered way over the ramp: the first year released only ~6,300 ha (FACTS.md). Manual
            # clearance (army engineers) was there from the first months: that year found 10,455 AP and 4,640 AT mines.
            ramp_weeks = config.ramp_weeks // 4 if kind == "clearance" else config.ramp_weeks
            ramp = int(ramp_weeks * (k / max(n, 1)) ** 1.5)
            org = operators[0] if rng.random() < 0.5 else str(rng.choice(operators[1:]))
            teams.append(Team(f"{org}-{kind.upper()}-{k + 1:03d}", org, f"{kind.upper()} team {k + 1}", kind, method,
                              round(int(rng.integers(lo, hi + 1)) * config.team_members_factor), bases[int(rng.integers(len(bases)))],
                              config.ops_start + dt.timedelta(weeks=ramp), serves))
    return teams
