"""How the programme actually works, learned from the register, for the forecast to play it forward that way.

- Which stages of which hazard types each team does: a machine that has only ever done technical survey is not sent
  to clear battle areas because its method may (the progress reports of each team, by stage and hazard type).
- What a team without reports will do: a team active for months with no report has been waiting, not working, while
  the stages teams of its method take up at once were on offer. It is given the stages of the teams of its method
  that also waited that long before their first report (on the national scenarios: the battle-area clearance teams
  wait for technical survey to hand over land; the TS teams report from their first week).
- What each team is doing now: an activity begun and not ended by the date is carried on first.
- Whether teams share a hazard's stage: whether activities of the same hazard and stage overlap in time (reported;
  the forecast may let one team at a time work a hazard's stage, see forecast.py).
- In what order the programme takes work: a conditional logit on the register's choices. Each time a stage of a
  hazard was begun for the first time, the hazards that were waiting for that stage then and were passed over are
  the alternatives; the fitted weights of the hazard's features (the priority score, expected beneficiaries, area,
  hazard type, time waiting) rank the open hazards the way the programme has been ranking them. With too few
  choices the priority score's ranking is kept.
- The days a team works in a week when it has a task (the mean of its reported weeks over the last year, brought
  back to a week outside the seasons): where one team at a time works a hazard's stage, the forecast lets waiting
  for free work arise in the dispatch instead of averaging it into every week.
- How much of its capacity goes to hazards reported later: the share of the team-days of the last year spent on
  hazards reported within that year. The forecast is of the known task, so that share is taken off every team's
  pace.
Only the register is read; nothing of how the data were made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demine.planning.capacity import Capacity
from demine.planning.inputs import STAGE_OF_ACTIVITY, PlanningInputs

STAGE_ORDER = ("nts", "ts", "clearance")
# First starts of a hazard's stage needed to fit the order, and how far back they are taken.
MIN_CHOICES = 30
CHOICE_YEARS = 2.0
ALTERNATIVES_PER_CHOICE = 25
# Share of a hazard-stage's activities overlapping another of the same hazard and stage under which teams are taken
# not to share one.
SHARED_STAGE_SHARE = 0.05
# Reports a team needs before the stages it has done are taken as the stages it does.
MIN_TEAM_REPORTS = 4
# Teams of a method with reports whose wait before their first report is compared with a waiting team's: the wait
# compared is the team's own, or the longest this many teams have waited if shorter (none may have waited as long).
MIN_COMPARABLE_TEAMS = 5


@dataclass
class ProgrammeHabits:
    team_stages: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)  # team -> (stage, hazard type)
    ongoing: dict[str, tuple[str, str]] = field(default_factory=dict)  # team code -> (hazard code, stage)
    stages_shared: bool = True  # teams work the same stage of a hazard at the same time
    order: pd.Series | None = None  # hazard code -> the programme's preference (higher first)
    order_weights: dict[str, float] = field(default_factory=dict)
    choices: int = 0
    new_work_share: float = 0.0  # share of team-days that went to hazards reported within the year
    days_per_worked_week: float | None = None  # days a team with a task works per week, outside the seasons
    waiting: frozenset[str] = frozenset()  # teams without reports whose stages are those of their method's waiters

    def describe(self) -> str:
        weights = ", ".join(f"{k} {v:+.2f}" for k, v in self.order_weights.items())
        return (f"{len(self.team_stages)} teams' stages, {len(self.ongoing)} ongoing activities, "
                f"{len(self.waiting)} waiting teams given their peers' stages, "
                f"{self.new_work_share:.1%} of team-days to newly reported hazards, "
                + (f"{self.days_per_worked_week:.2f} days a worked week, " if self.days_per_worked_week else "") +
                f"stages shared by teams: {self.stages_shared}, order from {self.choices} choices"
                + (f" ({weights})" if weights else " (priority score kept)"))


def learn_habits(inputs: PlanningInputs, hazards: pd.DataFrame, capacity: Capacity | None = None) -> ProgrammeHabits:
    """`hazards`: the open hazards to plan (code, score, hazard_type, remaining_m2...); `capacity` gives the seasons
    by which a worked week is brought back to a full one (none: taken as they are)."""
    order, weights, choices = programme_order(inputs, hazards)
    stages = team_stages(inputs.team_weeks)
    waiting = waiting_team_stages(inputs, stages)
    return ProgrammeHabits(team_stages={**stages, **waiting}, waiting=frozenset(waiting),
                           ongoing=ongoing_work(inputs.activities),
                           stages_shared=stages_shared(inputs.activities, inputs.as_of),
                           order=order, order_weights=weights, choices=choices,
                           new_work_share=new_work_share(inputs),
                           days_per_worked_week=days_per_worked_week(inputs, capacity))


def days_per_worked_week(inputs: PlanningInputs, capacity: Capacity | None) -> float | None:
    """Mean working days of a team's reported weeks in the last year (a team with two activities in a week counts
    its days once), divided by the mean season factor of the districts not listed; None without reports."""
    weeks = inputs.team_weeks[(inputs.team_weeks["days"] > 0) & inputs.team_weeks["period_start"].notna()]
    end = pd.Timestamp(inputs.as_of)
    weeks = weeks[pd.to_datetime(weeks["period_start"]) > end - pd.Timedelta(days=365)]
    if not len(weeks):
        return None
    per_week = weeks.groupby(["team", "period_start"])["days"].sum().clip(upper=7.0)
    season = np.mean([capacity.season_factor("*", m) for m in range(1, 13)]) if capacity is not None else 1.0
    return float(np.clip(per_week.mean() / (season or 1.0), 0.5, 7.0))


def new_work_share(inputs: PlanningInputs) -> float:
    """Share of the last year's team-days spent on hazards reported within that year (0 with under half a year of
    reports): capacity the known task will not get while new hazards keep being reported."""
    weeks = inputs.team_weeks[inputs.team_weeks["days"] > 0]
    if not len(weeks) or weeks["period_start"].isna().all():
        return 0.0
    end = pd.Timestamp(inputs.as_of)
    start = end - pd.Timedelta(days=365)
    starts = pd.to_datetime(weeks["period_start"])
    if starts.min() > end - pd.Timedelta(days=182):
        return 0.0
    recent = weeks[starts > start]
    reported = pd.to_datetime(recent["hazard"].map(inputs.hazards.set_index("code")["reported_date"]))
    total = float(recent["days"].sum())
    return float(np.clip(recent.loc[reported > start, "days"].sum() / total, 0.0, 0.9)) if total else 0.0


def team_stages(team_weeks: pd.DataFrame) -> dict[str, frozenset[tuple[str, str]]]:
    """Team code -> the (stage, hazard type) pairs of its progress reports, for teams with enough reports."""
    stages = team_weeks.assign(stage=team_weeks["activity_type"].map(STAGE_OF_ACTIVITY))
    stages = stages.dropna(subset=["stage", "hazard_type"])
    result = {}
    for team, rows in stages.groupby("team"):
        if len(rows) >= MIN_TEAM_REPORTS:
            result[str(team)] = frozenset(zip(rows["stage"], rows["hazard_type"]))
    return result


def waiting_team_stages(inputs: PlanningInputs, known: dict[str, frozenset[tuple[str, str]]]
                        ) -> dict[str, frozenset[tuple[str, str]]]:
    """Team code -> the (stage, hazard type) pairs it is expected to do, for active teams without enough reports.

    A team active for W days with no report has waited W days while the work its method could do was on offer. The
    teams of its method that waited at least as long before their first report (at least min(W, the wait of the
    MIN_COMPARABLE_TEAMS-th longest waiter)) show what such a team goes on to do: the union of their pairs. A team
    that joined days ago compares with nearly every team of its method, so stays nearly free; too few comparable
    teams (under MIN_COMPARABLE_TEAMS with reports in its method) and it stays free to do what its method may.
    """
    teams = inputs.teams.assign(code=inputs.teams["code"].astype(str))
    joined = pd.to_datetime(teams.set_index("code")["active_from"])
    first = pd.to_datetime(inputs.team_weeks.assign(team=inputs.team_weeks["team"].astype(str))
                           .groupby("team")["period_start"].min())
    method = teams.set_index("code")["method"]
    reported = [c for c in known if c in method.index and pd.notna(joined.get(c)) and pd.notna(first.get(c))]
    wait = pd.Series({c: (first[c] - joined[c]).days for c in reported}, dtype=float)
    result = {}
    for code in teams["code"]:
        if code in known or pd.isna(joined.get(code)):
            continue
        waited = (pd.Timestamp(inputs.as_of) - joined[code]).days
        peers = wait[method.reindex(wait.index).to_numpy() == method[code]].sort_values(ascending=False)
        if waited <= 0 or len(peers) < MIN_COMPARABLE_TEAMS:
            continue
        threshold = min(waited, peers.iloc[MIN_COMPARABLE_TEAMS - 1])
        comparable = peers.index[peers >= threshold]
        result[code] = frozenset().union(*(known[c] for c in comparable))
    return result


def ongoing_work(activities: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Each team's latest activity still going on at the date (its hazard and stage)."""
    going = activities[activities["end_date"].isna() & activities["team"].notna() & activities["hazard"].notna()]
    going = going.assign(stage=going["activity_type"].map(STAGE_OF_ACTIVITY)).dropna(subset=["stage"])
    going = going.sort_values("start_date").groupby("team").tail(1)
    return {str(r.team): (str(r.hazard), str(r.stage)) for r in going.itertuples()}


def stages_shared(activities: pd.DataFrame, as_of: dt.date) -> bool:
    """Whether teams work the same stage of a hazard at the same time (more than a few activities overlap)."""
    frame = activities.assign(stage=activities["activity_type"].map(STAGE_OF_ACTIVITY)).dropna(subset=["stage"])
    if len(frame) < MIN_CHOICES:
        return True  # too little to tell: the planner's default (chunks of a hazard shared among teams)
    start = pd.to_datetime(frame["start_date"])
    end = pd.to_datetime(frame["end_date"]).fillna(pd.Timestamp(as_of))
    frame = frame.assign(start=start, end=end).sort_values(["hazard", "stage", "start"])
    previous_end = frame.groupby(["hazard", "stage"])["end"].transform(lambda e: e.cummax().shift())
    # Overlap by more than a week (a team handing over mid-week is not sharing).
    overlapping = (previous_end - frame["start"]).dt.days > 7
    return bool(overlapping.mean() > SHARED_STAGE_SHARE)


def _features(hazards: pd.DataFrame, day: pd.Series | pd.Timestamp, reference: pd.DataFrame) -> np.ndarray:
    """Standardised features of hazards (score, beneficiaries, area, waiting time, type), scaled by `reference`."""
    waited = (pd.to_datetime(day) - pd.to_datetime(hazards["reported_date"])).dt.days.clip(lower=0) / 365.0
    columns = [hazards["score"].to_numpy(float), hazards["beneficiaries"].to_numpy(float),
               np.log1p(hazards["area_m2"].to_numpy(float)), waited.to_numpy(float)]
    scale = [(reference[c].mean(), reference[c].std() or 1.0) for c in ("score", "beneficiaries", "log_area")]
    scale.append((1.0, 1.0))
    values = [(c - m) / s for c, (m, s) in zip(columns, scale)]
    types = sorted(set(reference["hazard_type"]))
    values += [(hazards["hazard_type"] == t).to_numpy(float) for t in types[1:]]
    return np.column_stack(values)


WAITING = 3  # the column of the years waiting in _features


def feature_names(reference: pd.DataFrame) -> list[str]:
    return ["score", "beneficiaries", "log_area", "years_waiting"] + [
        f"type {t}" for t in sorted(set(reference["hazard_type"]))[1:]]


def _fit_pairwise_logit(difference: np.ndarray, ridge: float = 1.0, iterations: int = 50) -> np.ndarray:
    """Weights w maximising sum log sigmoid(d . w) - ridge/2 |w|^2 over the chosen-minus-passed-over differences d
    (the pairwise form of the conditional logit; the ridge keeps separable choices finite). Newton's method: a
    handful of features, so each step is a small linear solve; the objective is concave."""
    w = np.zeros(difference.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(np.clip(difference @ w, -50, 50)))  # sigmoid(-margin)
        gradient = difference.T @ p - ridge * w
        hessian = (difference * (p * (1 - p))[:, None]).T @ difference + ridge * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w += step
        if np.abs(step).max() < 1e-8:
            break
    return w


def programme_order(inputs: PlanningInputs, hazards: pd.DataFrame
                    ) -> tuple[pd.Series | None, dict[str, float], int]:
    """The programme's preference for each open hazard (higher first), fitted on the first starts of hazards' stages
    in the last two years; (None, {}, choices) when there are too few."""
    everything = inputs.hazards[["code", "hazard_type", "area_m2", "reported_date", "expected_beneficiaries"]].copy()
    everything["beneficiaries"] = pd.to_numeric(everything.pop("expected_beneficiaries"), errors="coerce")
    everything["beneficiaries"] = everything["beneficiaries"].fillna(everything["beneficiaries"].median()).fillna(0)
    everything["log_area"] = np.log1p(everything["area_m2"].astype(float))
    everything = everything.merge(hazards[["code", "score"]], on="code", how="left")
    # Hazards closed by the date have no score of their own in the ranking: the median stands in.
    everything["score"] = everything["score"].fillna(hazards["score"].median() if len(hazards) else 0.0)
    everything = everything.reset_index(drop=True)
    activities = inputs.activities.assign(stage=inputs.activities["activity_type"].map(STAGE_OF_ACTIVITY))
    activities = activities.dropna(subset=["stage", "hazard"])
    first = activities.groupby(["hazard", "stage"])["start_date"].min().unstack("stage")
    first = first.reindex(index=everything["code"], columns=list(STAGE_ORDER))
    first_started = {s: pd.to_datetime(first[s]).to_numpy() for s in STAGE_ORDER}
    reported = pd.to_datetime(everything["reported_date"]).to_numpy()
    since = pd.Timestamp(inputs.as_of) - pd.Timedelta(days=int(365 * CHOICE_YEARS))
    rng = np.random.default_rng(0)
    static = _features(everything, pd.Timestamp(inputs.as_of), everything)  # all but the waiting time, per choice
    rows, n_choices = [], 0
    for s, stage in enumerate(STAGE_ORDER):
        # Which hazard types this stage is ever begun on: only those wait for it.
        typed = set(everything.loc[~pd.isna(first_started[stage]), "hazard_type"])
        starts = first_started[stage]
        chosen = np.flatnonzero(~pd.isna(starts) & (starts >= since.to_datetime64()))
        for h in chosen:
            day = starts[h]
            later_started = np.zeros(len(everything), dtype=bool)
            for later in STAGE_ORDER[s + 1:]:
                later_started |= ~pd.isna(first_started[later]) & (first_started[later] <= day)
            waiting = ((reported <= day) & (pd.isna(starts) | (starts > day)) & ~later_started
                       & everything["hazard_type"].isin(typed).to_numpy())
            others = np.flatnonzero(waiting)
            if not len(others):
                continue
            others = rng.choice(others, min(ALTERNATIVES_PER_CHOICE, len(others)), replace=False)
            waited = np.maximum((day - reported[others]) / np.timedelta64(365, "D"), 0.0) - \
                max((day - reported[h]) / np.timedelta64(365, "D"), 0.0)
            difference = static[h] - static[others]
            difference[:, WAITING] = -waited
            rows.append(difference)
            n_choices += 1
    if n_choices < MIN_CHOICES:
        return None, {}, n_choices
    weights = _fit_pairwise_logit(np.vstack(rows))
    open_rows = everything.set_index("code").loc[hazards["code"]].reset_index()
    utility = _features(open_rows, pd.Timestamp(inputs.as_of), everything) @ weights
    names = feature_names(everything)
    return (pd.Series(utility, index=hazards["code"].to_numpy()),
            {n: round(float(w), 3) for n, w in zip(names, weights)}, n_choices)
