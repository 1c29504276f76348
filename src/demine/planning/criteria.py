"""Prioritisation criteria and their weights, read from a TOML file (the shipped default is criteria.toml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from demine.planning.config_file import TomlSection

CRITERIA = ("casualties", "projects", "displaced", "farmland", "risk")


def default_criteria_path() -> Path:
    return Path(str(resources.files("demine.planning") / "criteria.toml"))


@dataclass(frozen=True)
class CasualtyCriterion:
    radius_m: float = 2000.0
    incident_weight: float = 1.0
    killed_weight: float = 3.0
    injured_weight: float = 2.0
    saturation: float = 10.0


@dataclass(frozen=True)
class ProjectCriterion:
    proximity_m: float = 1000.0
    funded_factor: float = 1.0
    unfunded_factor: float = 0.4
    funding_saturation_usd: float = 20_000_000.0
    ready_within_years: float = 3.0
    late_factor: float = 0.3


@dataclass(frozen=True)
class DisplacedCriterion:
    radius_m: float = 3000.0
    beneficiaries_saturation: float = 5000.0
    expected_beneficiaries_share: float = 0.3


@dataclass(frozen=True)
class FarmlandCriterion:
    land_use: dict[str, float] = field(default_factory=lambda: {"agricultural": 1.0, "grazing": 0.8})
    project_types: tuple[str, ...] = ("farmland", "irrigation")


@dataclass(frozen=True)
class Criteria:
    weights: dict[str, float]
    casualties: CasualtyCriterion = CasualtyCriterion()
    projects: ProjectCriterion = ProjectCriterion()
    displaced: DisplacedCriterion = DisplacedCriterion()
    farmland: FarmlandCriterion = FarmlandCriterion()
    source: str = "default"


def load_criteria(path: Path | None = None) -> Criteria:
    """Read criteria from a TOML file (default: the shipped criteria.toml); errors name the file and key."""
    path = Path(path) if path is not None else default_criteria_path()
    root = TomlSection.read(path)
    root.unknown({"weights", *CRITERIA})
    weights_section = root.section("weights", required=True)
    weights_section.unknown(set(CRITERIA))
    weights = {name: weights_section.number(name, 0.0) for name in CRITERIA}
    if sum(weights.values()) <= 0:
        raise weights_section.fail("", "at least one weight must be above 0")
    return Criteria(weights=weights, casualties=_casualties(root.section("casualties")),
                    projects=_projects(root.section("projects")), displaced=_displaced(root.section("displaced")),
                    farmland=_farmland(root.section("farmland")), source=str(path))


def _casualties(s: TomlSection) -> CasualtyCriterion:
    d = CasualtyCriterion()
    s.unknown(set(CasualtyCriterion.__dataclass_fields__))
    return CasualtyCriterion(radius_m=s.number("radius_m", d.radius_m, minimum=1.0),
                             incident_weight=s.number("incident_weight", d.incident_weight),
                             killed_weight=s.number("killed_weight", d.killed_weight),
                             injured_weight=s.number("injured_weight", d.injured_weight),
                             saturation=s.number("saturation", d.saturation, minimum=1e-6))


def _projects(s: TomlSection) -> ProjectCriterion:
    d = ProjectCriterion()
    s.unknown(set(ProjectCriterion.__dataclass_fields__))
    return ProjectCriterion(proximity_m=s.number("proximity_m", d.proximity_m),
                            funded_factor=s.number("funded_factor", d.funded_factor, maximum=1.0),
                            unfunded_factor=s.number("unfunded_factor", d.unfunded_factor, maximum=1.0),
                            funding_saturation_usd=s.number("funding_saturation_usd", d.funding_saturation_usd,
                                                            minimum=100_001.0),
                            ready_within_years=s.number("ready_within_years", d.ready_within_years, minimum=0.01),
                            late_factor=s.number("late_factor", d.late_factor, maximum=1.0))


def _displaced(s: TomlSection) -> DisplacedCriterion:
    d = DisplacedCriterion()
    s.unknown(set(DisplacedCriterion.__dataclass_fields__))
    return DisplacedCriterion(radius_m=s.number("radius_m", d.radius_m, minimum=1.0),
                              beneficiaries_saturation=s.number("beneficiaries_saturation",
                                                                d.beneficiaries_saturation, minimum=1.0),
                              expected_beneficiaries_share=s.number("expected_beneficiaries_share",
                                                                    d.expected_beneficiaries_share, maximum=1.0))


def _farmland(s: TomlSection) -> FarmlandCriterion:
    d = FarmlandCriterion()
    s.unknown(set(FarmlandCriterion.__dataclass_fields__))
    return FarmlandCriterion(land_use=s.numbers("land_use", d.land_use, maximum=1.0),
                             project_types=tuple(s.strings("project_types", list(d.project_types))))
