"""Any table becomes features without a crash; a new region's table is read against the training spec."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from demine.risk.encoding import choose_features, encode


def test_each_kind_of_column_gets_its_treatment():
    frame = pd.DataFrame({
        "dist": [1.0, 2.0, None, 4.0], "flag": [True, False, True, False], "land": ["farm", "forest", "farm", None],
        "as_text": ["1.5", "2", "3", "4"], "ident": ["a", "b", "c", "d"], "latitude": [1, 2, 3, 4],
        "empty": [None, None, None, None], "label": [1, 0, -1, 1],
    })
    frame["ident"] = [f"id{i}" for i in range(4)]
    spec = choose_features(frame, exclude={"label"})
    assert spec.numeric == ["dist", "flag", "as_text"]
    assert spec.categories == {"land": ["farm", "forest"], "ident": ["id0", "id1", "id2", "id3"]}
    assert set(spec.ignored) == {"latitude", "empty"}
    encoded = encode(frame, spec)
    assert encoded.matrix.shape == (4, len(spec.names))
    land_farm = spec.names.index("land=farm")
    assert np.isnan(encoded.matrix[3, land_farm]) and encoded.matrix[0, land_farm] == 1.0
    assert np.isnan(encoded.matrix[2, 0])


def test_identifiers_and_many_valued_text_are_ignored():
    frame = pd.DataFrame({"code": [f"X{i}" for i in range(100)], "v": range(100),
                          "village": [f"V{i % 40}" for i in range(100)], "cell": [f"c{i}" for i in range(12)] * 8
                          + [None] * 4})
    frame.loc[:11, "cell"] = [f"c{i}" for i in range(12)]
    frame.loc[12:, "cell"] = None
    spec = choose_features(frame, exclude=set())
    assert spec.numeric == ["v"] and spec.categories == {}
    assert "identifier" in spec.ignored["code"] and "identifier" in spec.ignored["cell"]
    assert "too many" in spec.ignored["village"]


def test_a_new_table_missing_a_feature_and_with_extras():
    train = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "kind": ["x", "y"]})
    spec = choose_features(train, exclude=set())
    new = pd.DataFrame({"a": [5.0], "kind": ["z"], "roads": [1.0]})
    encoded = encode(new, spec)
    assert encoded.missing == ["b"] and encoded.extra == ["roads"]
    row = dict(zip(spec.names, encoded.matrix[0]))
    assert row["a"] == 5.0 and np.isnan(row["b"]) and row["kind=x"] == 0.0 and row["kind=y"] == 0.0


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(data_frames([
    column("num", dtype=float), column("text", elements=st.text(max_size=4)),
    column("mixed", elements=st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=3))),
    column("yes", dtype=bool),
]))
def test_no_table_crashes_the_encoding(frame):
    spec = choose_features(frame, exclude=set())
    encoded = encode(frame, spec)
    assert encoded.matrix.shape == (len(frame), len(spec.names))
    assert encoded.missing == []
