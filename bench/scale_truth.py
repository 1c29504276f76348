"""The calls of bench/records_scale.py scored against the truth its data were built from.

Its data (bench/scale_data.py) spoil each record as the scenario generator does (accurate, shifted, partially accurate,
inaccurate, fictitious) and keeps the correction that maps each back onto its field. Its fields are far denser than
the national scenario's (10,000,000 mines found on an 800 m grid, neighbouring fields overlapping), so the same
scoring as bench/records_verification.py shows how the verification holds up where fields crowd each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from demine.analysis.records.geometry import LocalFrame
from records_verification import confusion, shift_errors

# The bench spoils an inaccurate record by moving its true rows 250-1,500 m and turning them up to 30°, rigidly
# (the scenario generator also invents rows). One in twenty of them stays within the fit's reach and a compass
# error: a rigid move of at most the verifier's largest shift and of the shifted class's largest turn is a
# correctable shift by the classes' own definition (classify.py), and is scored as one.
MAX_SHIFT_M = 600.0
MAX_TURN_DEG = 5.0


@dataclass(frozen=True)
class Scored:
    confusion: pd.DataFrame  # rows: true class (true_classes); columns: the class called
    judged: int  # records called anything but not verifiable
    correct: int  # of those, called their true class
    shifted_recognised: int  # truly shifted records called shifted
    shift_errors: np.ndarray  # for those, the distance from the fit's shift to the true one (metres)

    @property
    def accuracy(self) -> float:
        return self.correct / self.judged if self.judged else float("nan")


def true_shift_in_frame(records: pd.DataFrame, truth: pd.DataFrame, data_frame: LocalFrame,
                        frame: LocalFrame) -> tuple[np.ndarray, np.ndarray]:
    """The true corrections (metres east and north in the data's frame) carried into the verifier's frame: each
    record's written centre moved by its correction there, both ends projected into `frame`."""
    centres = shapely.centroid(records.geometry.to_numpy())
    lon, lat = shapely.get_x(centres), shapely.get_y(centres)
    x, y = data_frame.to_metric(lon, lat)
    moved_lon, moved_lat = data_frame.to_wgs84(x + truth["true_dx"].to_numpy(), y + truth["true_dy"].to_numpy())
    x0, y0 = frame.to_metric(lon, lat)
    x1, y1 = frame.to_metric(moved_lon, moved_lat)
    return x1 - x0, y1 - y0


def score(called: list[str], truth: pd.DataFrame, dx: np.ndarray | None = None, dy: np.ndarray | None = None,
          true_dx: np.ndarray | None = None, true_dy: np.ndarray | None = None) -> Scored:
    """Classes called (in the order of the truth's records) against the true ones; shifts when given. The confusion
    matrix and the shift errors are bench/records_verification.py's, on a frame of the same columns."""
    scored = pd.DataFrame({"verified": np.asarray(called), "truth": true_classes(truth)})
    errors = np.zeros(0)
    if dx is not None and dy is not None and true_dx is not None and true_dy is not None:
        scored = scored.assign(dx=dx, dy=dy, true_dx=true_dx, true_dy=true_dy)
        errors = shift_errors(scored)
    judged = scored[scored["verified"] != "not_verifiable"]
    recognised = (scored["truth"] == "shifted") & (scored["verified"] == "shifted")
    return Scored(confusion(scored, "verified"), len(judged), int((judged["verified"] == judged["truth"]).sum()),
                  int(recognised.sum()), errors)


def true_classes(truth: pd.DataFrame) -> np.ndarray:
    """The class each record should get: as spoiled, fictitious counted as inaccurate, and an inaccurate spoil
    that is a correctable rigid move (MAX_SHIFT_M, MAX_TURN_DEG) counted as shifted."""
    spoiled = truth["true_class"].to_numpy()
    true = truth["true_class"].replace({"fictitious": "inaccurate"}).to_numpy().astype(object)
    # A fictitious record has no field to move back onto (its spoil is no move at all).
    correctable = (spoiled == "inaccurate") & (np.hypot(truth["true_dx"], truth["true_dy"]) <= MAX_SHIFT_M).to_numpy() \
        & (np.abs(truth["spoil_turn_deg"]) <= MAX_TURN_DEG).to_numpy()
    true[correctable] = "shifted"
    return true.astype(str)
