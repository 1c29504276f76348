"""Type each column of a file by its field rule, vectorised, collecting an issue for every bad value."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demine.errors import Issue
from demine.io.spec import Field, FieldType

TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}


@dataclass
class FieldReport:
    """Issues found while typing columns, with the file and row numbers they refer to."""

    file: str
    row_numbers: np.ndarray
    issues: list[Issue] = field(default_factory=list)

    def flag(self, mask: np.ndarray | pd.Series, field_name: str | None, reason: str | Callable[[int], str],
             severity: str = "error") -> None:
        """Add one issue per row where `mask` is true; `reason` may be a function of the row's position."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        for position in positions:
            text = reason(int(position)) if callable(reason) else reason
            self.issues.append(Issue(self.file, int(self.row_numbers[position]), field_name, text, severity))


class _DistinctTexts(FieldReport):
    """A report on a column's distinct texts that files each issue under every row holding that text."""

    def __init__(self, rows: FieldReport, codes: np.ndarray) -> None:
        super().__init__(rows.file, rows.row_numbers, rows.issues)
        self.rows = rows
        self.codes = codes  # row -> position of its text among the distinct texts

    def flag(self, mask: np.ndarray | pd.Series, field_name: str | None, reason: str | Callable[[int], str],
             severity: str = "error") -> None:
        codes = self.codes
        per_row = (lambda row: reason(int(codes[row]))) if callable(reason) else reason
        self.rows.flag(np.asarray(mask, dtype=bool)[codes], field_name, per_row, severity)


def parse_field(spec: Field, text: pd.Series, report: FieldReport, *, today: dt.date,
                known_models: set[str]) -> pd.Series:
    """The typed column (None/NaN where empty); bad values are reported, never raised.

    Each distinct text is parsed once and its result spread to the rows holding it: a million items found hold a few
    dozen categories, models, depths and dates, and the same text always gets the same verdict. The issues are the
    same, row by row and in the same order, as parsing every row.
    """
    codes, distinct = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=False)
    if len(distinct) > len(text) // 2:  # mostly unique (free text): spreading back would cost more than it saves
        return _parse(spec, text, report, today=today, known_models=known_models)
    per_text = _DistinctTexts(report, codes)
    typed = _parse(spec, pd.Series(distinct, dtype=object), per_text, today=today, known_models=known_models)
    return pd.Series(typed.to_numpy()[codes] if typed.dtype == object else typed.array.take(codes), index=text.index,
                     dtype=typed.dtype)


def _parse(spec: Field, text: pd.Series, report: FieldReport, *, today: dt.date, known_models: set[str]) -> pd.Series:
    if spec.default is not None:
        text = text.mask(text == "", spec.default)
    empty = (text == "").to_numpy()
    if spec.required:
        report.flag(empty, spec.name, "a value is required")
    parser = _PARSERS[spec.type]
    return parser(spec, text, empty, report, today=today, known_models=known_models)


def _text(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, **_: object) -> pd.Series:
    return text.mask(empty, None)


def _numbers(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, **_: object) -> pd.Series:
    values = pd.to_numeric(text.mask(empty, None), errors="coerce").astype(float)
    infinite = np.isinf(values.to_numpy())
    values = values.mask(infinite)  # "inf" parses as a float, but no field of the register is infinite
    bad = ~empty & values.isna().to_numpy()
    # "453,900" is either 453.9 or 453900: refuse to guess, that is how unit errors slip into statements.
    comma = bad & text.str.contains(",", regex=False).to_numpy()
    report.flag(comma, spec.name, lambda i: f"ambiguous number '{text.iat[i]}': use a dot for decimals and no "
                                            "thousands separator")
    report.flag(bad & ~comma, spec.name, lambda i: f"'{text.iat[i]}' is not a number")
    _check_range(spec, values, report)
    return values.astype(float)


def _integers(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, **kw: object) -> pd.Series:
    values = _numbers(spec, text, empty, report)
    fractional = values.notna().to_numpy() & (values.fillna(0) % 1 != 0).to_numpy()
    report.flag(fractional, spec.name, lambda i: f"'{text.iat[i]}' is not a whole number")
    # Beyond 2**53 a float no longer holds every whole number, and beyond 2**63 the database cannot store it.
    huge = (values.abs() > 2**53).fillna(False).to_numpy() & ~fractional
    report.flag(huge, spec.name, lambda i: f"'{text.iat[i]}' is too large")
    return values.where(~fractional & ~huge).round().astype("Int64")


def _check_range(spec: Field, values: pd.Series, report: FieldReport) -> None:
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.minimum is not None:
        report.flag(values.lt(spec.minimum).fillna(False).to_numpy(), spec.name,
                    lambda i: f"{values.iat[i]:g}{unit} is below the minimum {spec.minimum:g}{unit}")
    if spec.maximum is not None:
        report.flag(values.gt(spec.maximum).fillna(False).to_numpy(), spec.name,
                    lambda i: f"{values.iat[i]:g}{unit} is above the maximum {spec.maximum:g}{unit}")


def _dates(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, *, today: dt.date,
           **_: object) -> pd.Series:
    # ISO dates only: 03/04/2024 means March in one office and April in the next.
    head = text.str.slice(0, 10)
    values = pd.to_datetime(head.mask(empty, None), format="%Y-%m-%d", errors="coerce")
    long_enough = text.str.len().to_numpy() >= 10
    bad = ~empty & (values.isna().to_numpy() | ~long_enough)
    report.flag(bad, spec.name, lambda i: f"'{text.iat[i]}' is not a date in the form YYYY-MM-DD")
    if spec.not_in_future:
        future = (values > pd.Timestamp(today)).fillna(False).to_numpy()
        report.flag(future, spec.name, lambda i: f"{text.iat[i]} is in the future (today is {today.isoformat()})")
    return values.dt.date.where(~bad & ~empty, None).astype(object)


def _booleans(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, **_: object) -> pd.Series:
    lowered = text.str.lower()
    truthy = lowered.isin(TRUE_WORDS)
    falsy = lowered.isin(FALSE_WORDS)
    report.flag(~empty & ~(truthy | falsy).to_numpy(), spec.name,
                lambda i: f"'{text.iat[i]}' is not true or false")
    return pd.Series(np.where(truthy, True, np.where(falsy, False, None)), index=text.index, dtype=object)


def vocabulary_code(text: pd.Series) -> pd.Series:
    """Accept 'AP mine', 'AP_MINE' and 'ap-mine' alike for the code ap_mine."""
    return text.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)


def _code(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, **_: object) -> pd.Series:
    assert spec.vocabulary is not None
    allowed = [m.value for m in spec.vocabulary]
    codes = vocabulary_code(text)
    bad = ~empty & ~codes.isin(allowed).to_numpy()
    report.flag(bad, spec.name, lambda i: f"unknown value '{text.iat[i]}'; use one of: {', '.join(allowed)}")
    return codes.mask(empty | bad, None)


def _codes(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, **_: object) -> pd.Series:
    assert spec.vocabulary is not None
    allowed = {m.value for m in spec.vocabulary}
    result: list[str | None] = []
    first_unknown: dict[int, str] = {}
    for position, value in enumerate(text):
        parts = [p for p in vocabulary_code(pd.Series(value.split(","))).tolist() if p] if value else []
        unknown = [p for p in parts if p not in allowed]
        if unknown:
            first_unknown[position] = unknown[0]
        result.append(",".join(dict.fromkeys(parts)) if parts and not unknown else None)
    bad = np.zeros(len(text), dtype=bool)
    bad[list(first_unknown)] = True
    report.flag(bad, spec.name, lambda i: f"unknown value '{first_unknown[i]}'; use one of: {', '.join(sorted(allowed))}")
    return pd.Series(result, index=text.index, dtype=object)


def _reference(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, **_: object) -> pd.Series:
    # Resolved to ids against the register later (validation.resolve_references), in one query per field.
    return text.mask(empty, None)


def _model(spec: Field, text: pd.Series, empty: np.ndarray, report: FieldReport, *, known_models: set[str],
           **_: object) -> pd.Series:
    models = text.str.strip().str.upper()
    bad = ~empty & ~models.isin(known_models).to_numpy()

    def reason(i: int) -> str:
        close = difflib.get_close_matches(models.iat[i], sorted(known_models), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown ordnance model '{text.iat[i]}'{hint}; add it to the catalogue first if it is real"

    report.flag(bad, spec.name, reason)
    return models.mask(empty | bad, None)


_PARSERS = {
    FieldType.TEXT: _text,
    FieldType.NUMBER: _numbers,
    FieldType.INTEGER: _integers,
    FieldType.DATE: _dates,
    FieldType.BOOLEAN: _booleans,
    FieldType.CODE: _code,
    FieldType.CODES: _codes,
    FieldType.REFERENCE: _reference,
    FieldType.MODEL: _model,
}
