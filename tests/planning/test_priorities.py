"""Priority scores on the hand-built programme: each criterion lifts the hazard it was built for, and explains it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from demine.errors import ValidationFailed
from demine.planning.criteria import CRITERIA, load_criteria
from demine.planning.priorities import score_hazards
from demine.planning.risk_estimates import read_risk_estimates


def test_each_criterion_lifts_its_hazard_and_is_explained(planning_inputs) -> None:
    ranking = score_hazards(planning_inputs, load_criteria()).set_index("code")
    assert ranking.loc["HZ-CAS", "value_casualties"] > 0.3
    assert "2 incidents, 1 killed, 2 injured" in ranking.loc["HZ-CAS", "explanation"]
    assert ranking.loc["HZ-PRJ", "value_projects"] > 0.5 and "PRJ-ROAD road overlaps" in ranking.loc["HZ-PRJ",
                                                                                                    "explanation"]
    assert ranking.loc["HZ-VIL", "value_displaced"] > 0.2 and "resettlement" in ranking.loc["HZ-VIL", "explanation"]
    assert ranking.loc["HZ-FARM", "value_farmland"] == 1.0
    assert ranking.loc["HZ-NONE", "score"] == 0.0 and ranking.loc["HZ-NONE", "explanation"] == "no criterion applies"
    # Each criterion is the only one of its hazard (the places are kilometres apart).
    # (the village is itself a project, so HZ-VIL scores on projects too).
    for code, criterion in [("HZ-CAS", "casualties"), ("HZ-PRJ", "projects"), ("HZ-VIL", "displaced")]:
        others = [c for c in CRITERIA if c != criterion and not (code == "HZ-VIL" and c == "projects")]
        assert (ranking.loc[code, [f"value_{c}" for c in others if c != "farmland"]] == 0).all(), code
    # The score is the sum of the contributions; the ranking follows the score.
    contributions = ranking[[f"contribution_{c}" for c in CRITERIA]].sum(axis=1)
    assert np.allclose(contributions, ranking["score"], atol=0.01)
    assert ranking.sort_values("rank")["score"].is_monotonic_decreasing


def test_weights_change_the_order(planning_inputs, tmp_path: Path) -> None:
    only_farms = tmp_path / "farms.toml"
    only_farms.write_text("[weights]\nfarmland = 1.0\n")
    ranking = score_hazards(planning_inputs, load_criteria(only_farms))
    assert ranking.iloc[0]["code"] in {"HZ-FARM", "HA-1"}  # both are agricultural land
    assert ranking.set_index("code").loc["HZ-FARM", "score"] == 100.0
    casualties_first = replace(load_criteria(), weights={c: float(c == "casualties") for c in CRITERIA})
    assert score_hazards(planning_inputs, casualties_first).iloc[0]["code"] == "HZ-CAS"


def test_risk_estimates_from_a_file(planning_inputs, tmp_path: Path) -> None:
    path = tmp_path / "risk.csv"
    path.write_text("hazard_code,risk\nHZ-NONE,1.0\n")
    without = score_hazards(planning_inputs, load_criteria()).set_index("code")
    with_risk = score_hazards(planning_inputs, load_criteria(), risk=read_risk_estimates(path)).set_index("code")
    assert without.loc["HZ-NONE", "score"] == 0 and with_risk.loc["HZ-NONE", "contribution_risk"] == 10.0
    assert "estimate 1.00" in with_risk.loc["HZ-NONE", "explanation"]


@pytest.mark.parametrize("text, field, reason", [
    ("hazard_code,risk\nHZ-1,1.5\n", "risk", "between 0 and 1"),
    ("hazard_code,risk\nHZ-1,high\n", "risk", "not a number"),
    ("hazard_code,risk\nHZ-1,0.5\nHZ-1,0.2\n", "hazard_code", "given twice"),
    ("code,risk\nHZ-1,0.5\n", "hazard_code", "missing column"),
], ids=["range", "number", "duplicate", "column"])
def test_bad_risk_file_names_row_and_field(tmp_path: Path, text: str, field: str, reason: str) -> None:
    path = tmp_path / "risk.csv"
    path.write_text(text)
    with pytest.raises(ValidationFailed) as failure:
        read_risk_estimates(path)
    issue = failure.value.issues[0]
    assert issue.field == field and reason in issue.reason and issue.file == str(path)


@pytest.mark.parametrize("text, key", [
    ("[weights]\ncasualties = -1\n", "weights.casualties"),
    ("[weights]\ncasualty = 1\n", "weights.casualty"),
    ("[weights]\ncasualties = 1\n[casualties]\nradius_m = 'far'\n", "casualties.radius_m"),
    ("[weights]\ncasualties = 0\n", "weights."),
], ids=["negative", "misspelt", "type", "all-zero"])
def test_bad_criteria_file_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "criteria.toml"
    path.write_text(text)
    with pytest.raises(ValidationFailed) as failure:
        load_criteria(path)
    assert failure.value.issues[0].field == key and failure.value.issues[0].file == str(path)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(CRITERIA), st.floats(0.01, 100), min_size=1))
def test_any_weights_give_scores_between_0_and_100(weights: dict[str, float]) -> None:
    # A plain-data check of the weighting: the value table of the shipped criteria with random weights.
    criteria = replace(load_criteria(), weights={c: weights.get(c, 0.0) for c in CRITERIA})
    total = sum(criteria.weights.values())
    values = pd.DataFrame(np.random.default_rng(1).random((20, len(CRITERIA))), columns=list(CRITERIA))
    score = sum(100 * criteria.weights[c] * values[c] / total for c in CRITERIA)
    assert score.between(0, 100).all()


def test_cli_exports_the_ranking(planning_register, tmp_path: Path) -> None:
    from demine.cli import run

    out = tmp_path / "ranking.xlsx"
    assert run(["--db", planning_register.location, "plan", "priorities", "--as-of", "2024-09-01",
                "--out", str(out)]) == 0
    table = pd.read_excel(out)
    assert table["rank"].tolist() == list(range(1, len(table) + 1)) and "explanation" in table.columns
    assert run(["--db", planning_register.location, "plan", "priorities", "--criteria", str(tmp_path / "no.toml")]) == 2
