"""Which columns become features, and how: numbers as they are, yes/no as 0/1, a few-valued text as indicators.

The same spec is saved with the model, so a new region's table is encoded the same way: a feature it lacks is unknown
(NaN, which LightGBM routes by what it learned about missing values), a column the model never saw is ignored, and both
are reported rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# A text column with more distinct values than this is an identifier or a free text, not a category.
MAX_CATEGORY_LEVELS = 24
# Coordinates let a model learn *where* the training region's mines were, which says nothing about another region.
COORDINATE_NAMES = re.compile(r"^(x|y|lat|lon|lng|latitude|longitude|latitud(_y)?|longitud(_x)?|easting|northing)$",
                              re.IGNORECASE)


@dataclass
class FeatureSpec:
    """Feature names in model order, and for each encoded text column the values that became indicator columns."""

    numeric: list[str]
    categories: dict[str, list[str]] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)  # column -> why it is not a feature

    @property
    def names(self) -> list[str]:
        return self.numeric + [indicator(col, value) for col, values in self.categories.items() for value in values]

    def to_json(self) -> dict[str, object]:
        return {"numeric": self.numeric, "categories": self.categories, "ignored": self.ignored}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FeatureSpec:
        return cls(list(data["numeric"]), {k: list(v) for k, v in dict(data["categories"]).items()},
                   dict(data.get("ignored", {})))


def indicator(column: str, value: str) -> str:
    return f"{column}={value}"


def choose_features(frame: pd.DataFrame, *, exclude: set[str], keep_coordinates: bool = False) -> FeatureSpec:
    """Decide, once, on the training table, what each column is."""
    spec = FeatureSpec(numeric=[])
    for column in frame.columns:
        name = str(column)
        if name in exclude:
            continue
        if not keep_coordinates and COORDINATE_NAMES.match(name):
            spec.ignored[name] = "coordinates (they do not carry over to another region; --keep-coordinates uses them)"
            continue
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            if values.notna().any():
                spec.numeric.append(name)
            else:
                spec.ignored[name] = "empty"
            continue
        as_number = pd.to_numeric(values, errors="coerce")
        present = values.notna() & (values.astype(str).str.strip() != "")
        if present.any() and as_number[present].notna().mean() >= 0.95:
            spec.numeric.append(name)  # numbers stored as text, with a few stray words that become unknown
            continue
        levels = values[present].astype(str).str.strip().value_counts()
        if len(levels) >= 10 and len(levels) == int(present.sum()):
            spec.ignored[name] = "a different text on every row: an identifier, not a category"
        elif 1 < len(levels) <= MAX_CATEGORY_LEVELS:
            spec.categories[name] = sorted(levels.index.tolist())
        else:
            spec.ignored[name] = ("text with too many distinct values to be a category" if len(levels) > 1
                                  else "a single value")
    return spec


@dataclass
class Encoded:
    matrix: np.ndarray  # float32, cells x features, NaN for unknown
    missing: list[str]  # model features the table lacks (all unknown)
    extra: list[str]  # table columns the model does not use


def encode(frame: pd.DataFrame, spec: FeatureSpec, *, exclude: set[str] = frozenset()) -> Encoded:
    """The model's features from any table with the same meaning of columns, in the model's order."""
    n = len(frame)
    matrix = np.full((n, len(spec.names)), np.nan, dtype=np.float32)
    missing: list[str] = []
    j = 0
    for name in spec.numeric:
        if name in frame.columns:
            column = frame[name]
            if pd.api.types.is_bool_dtype(column):
                column = column.astype("float")
            values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            with np.errstate(over="ignore"):  # beyond float32's range is +-inf: still ranks at the extreme
                matrix[:, j] = values
        else:
            missing.append(name)
        j += 1
    for name, values in spec.categories.items():
        if name in frame.columns:
            text = frame[name].astype("string").str.strip()
            known = text.notna().to_numpy()
            for value in values:
                matrix[known, j] = (text[known] == value).to_numpy(dtype=np.float32)
                j += 1
        else:
            missing.append(name)
            j += len(values)
    used = set(spec.numeric) | set(spec.categories) | set(exclude)
    extra = [str(c) for c in frame.columns if str(c) not in used and str(c) not in spec.ignored]
    return Encoded(matrix, missing, extra)
