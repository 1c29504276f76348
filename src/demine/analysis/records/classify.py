"""The class of a minefield record, from its metrics, by thresholds written down here and in docs/records-verification.md.

Evidence first: a record is judged only on recorded mines whose land has been released (cleared, reduced or
cancelled). With too few of them it is `not_verifiable`, whatever else is known: a record is never called wrong for
lack of data.

Then, in order:
- accurate: as written, most worked recorded mines have a found mine within the tolerance, and most mines found at the
  field are explained by the record;
- shifted: the same holds only after the best rigid fit, with a rotation no larger than a compass error: a single
  wrong reference point, which can be corrected (dx, dy is that error);
- partially accurate: before or after the fit, a fair part of the record matches what was found;
- inaccurate: the land where it puts its mines (or where the fit would move them) was worked and they were not there,
  and no shifted copy of it can hide within the fit's search radius: at every translation within it, either enough
  of the record would lie on worked land (the fit would have seen it) or too little on suspected land (search.py). If
  a copy could hide, the record is wrong as written but may yet be a correctable shift: `not_verifiable`. The
  metrics then carry the search (`hiding_placements`); without it (None) the class is provisional, and
  `verify_records` asks for it before keeping a record inaccurate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from demine.analysis.records.metrics import RecordMetrics


class RecordClass(StrEnum):
    ACCURATE = "accurate"
    SHIFTED = "shifted"
    PARTIALLY_ACCURATE = "partially_accurate"
    INACCURATE = "inaccurate"
    NOT_VERIFIABLE = "not_verifiable"


@dataclass(frozen=True, slots=True)
class Thresholds:
    min_worked_mines: int = 10  # recorded mines on released land needed to judge at all...
    min_worked_share: float = 0.2  # ...and this share of the record's mines
    good_match: float = 0.85  # share of worked recorded mines found within the tolerance
    good_explained: float = 0.9  # share of the mines found at the field that the record explains
    partial_match: float = 0.3  # a fair part of the record is right...
    partial_max_shift_m: float = 150.0  # ...near where it says (farther, the fit is on some other field)
    accurate_max_shift_m: float = 40.0  # a fit this small is within the hazard margin: the record is usable as is
    shifted_max_rotation_deg: float = 5.0  # larger turns are not a reference-point error
    # A translation within the search radius hides a shifted copy when, placed there, the record would have too
    # little evidence (the rule above) and at least this share of its mines would lie on hazard land not yet
    # released. Inaccurate needs no such placement at all.
    hiding_hazard_share: float = 0.5
    max_hiding_placements: int = 0
    # ...and no more than this many of its mines would lie on worked land where no mine was found (the work already
    # done there contradicts a copy).
    max_contradicted_mines: int = 5


DEFAULT_THRESHOLDS = Thresholds()


def classify(m: RecordMetrics, t: Thresholds = DEFAULT_THRESHOLDS) -> RecordClass:
    before, after, explained = _nan0(m.match_before), _nan0(m.match_after), _nan0(m.explained_share, 1.0)
    small_turn = abs(m.rotation_deg) <= t.shifted_max_rotation_deg
    if _enough(m.worked_before, m, t) and explained >= t.good_explained and (
            before >= t.good_match or (after >= t.good_match and m.shift_m <= t.accurate_max_shift_m and small_turn)):
        return RecordClass.ACCURATE
    if _enough(m.worked_after, m, t) and after >= t.good_match and explained >= t.good_explained and small_turn:
        return RecordClass.SHIFTED
    if not _enough(m.worked_before, m, t):
        # Where the record puts its mines nobody has worked yet, and no convincing correction was found elsewhere.
        return RecordClass.NOT_VERIFIABLE
    if before >= t.partial_match or (after >= t.partial_match and m.shift_m <= t.partial_max_shift_m):
        return RecordClass.PARTIALLY_ACCURATE
    if m.hiding_placements is not None and m.hiding_placements > t.max_hiding_placements:
        # Wrong as written, but a shifted copy could lie unseen nearby: not judged wrong for lack of data.
        return RecordClass.NOT_VERIFIABLE
    return RecordClass.INACCURATE


def evidence_needed(recorded_mines: int, t: Thresholds = DEFAULT_THRESHOLDS) -> float:
    """Recorded mines on released land needed before a record (or a placement of it) can be judged."""
    return max(t.min_worked_mines, t.min_worked_share * recorded_mines)


def _enough(worked: int, m: RecordMetrics, t: Thresholds) -> bool:
    return worked >= evidence_needed(m.recorded_mines, t)


def _nan0(value: float, default: float = 0.0) -> float:
    return default if value is None or math.isnan(value) else value
