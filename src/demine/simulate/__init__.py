"""The scenario generator: a national mine action programme with its hidden ground truth (issue 3)."""

from demine.simulate.scenario import ScenarioManifest, generate_scenario

__all__ = ["ScenarioManifest", "generate_scenario"]
