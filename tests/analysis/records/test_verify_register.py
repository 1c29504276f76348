"""Record verification end to end on a register (SQLite and PostGIS): `demine records verify`, the stored run, the
export layers read back with pyogrio, and the API for the map."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest
from fastapi.testclient import TestClient

from demine.analysis.records.geometry import row_mine_positions
from demine.api.app import create_app
from demine.cli import run
from demine.services.imports import import_file
from demine.settings import Settings

try:
    from ..register_files import rows_of_programme, write_csv
except ImportError:  # pragma: no cover - run from another root
    from register_files import rows_of_programme, write_csv  # type: ignore[no-redef]


@pytest.fixture
def verified(register_url, programme_files, tmp_path):  # type: ignore[no-untyped-def]
    """The small programme, plus the mines of MR-1's two rows found where the record puts them (a metre off)."""
    app = create_app(Settings(database_url=register_url))
    for kind, path in programme_files.items():
        import_file(app.state.register, kind, path, actor="test")
    rows = rows_of_programme()["record-rows"]
    _, lon, lat = row_mine_positions(np.array([r["start_longitude"] for r in rows]),
                                     np.array([r["start_latitude"] for r in rows]),
                                     np.array([90.0] * len(rows)), np.array([5.0] * len(rows)),
                                     np.array([21] * len(rows)))
    items = [{"code": f"IT-R-{k}", "activity_code": "ACT-1", "progress_report_code": "PR-1", "category": "ap_mine",
              "model": "PMN-2", "found_date": "2024-08-02", "quantity": "1", "depth_cm": "5", "condition": "armed",
              "disposal": "destroyed_in_situ", "longitude": round(x + 0.000008, 7), "latitude": round(y, 7)}
             for k, (x, y) in enumerate(zip(lon, lat))]
    import_file(app.state.register, "items", write_csv(tmp_path / "row-mines.csv", items), actor="test")
    assert run(["--db", register_url, "records", "verify"]) == 0
    yield app, register_url
    app.state.register.close()


def test_verify_stores_a_class_exports_it_and_serves_it(verified, tmp_path) -> None:
    app, url = verified
    out = tmp_path / "register.gpkg"
    assert run(["--db", url, "export", "gpkg", str(out)]) == 0
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert "record_verifications" in layers
    layer = pyogrio.read_dataframe(out, layer="record_verifications")
    assert layer["code"].tolist() == ["MR-1"]
    # 38 of MR-1's 42 recorded mines lie on cleared or reduced land, all found within a metre: accurate as written.
    assert layer["verification_class"].tolist() == ["accurate"]
    assert layer["match_before"].iloc[0] == pytest.approx(1.0)
    assert layer.geometry.iloc[0].geom_type == "Polygon"

    with TestClient(app) as client:
        assert client.get("/api/records/verifications").status_code == 401  # single records: signed-in users only
        figures = client.get("/api/records/verification-figures").json()  # aggregates: public
        assert figures["national"]["records"] == 1 and figures["national"]["accurate_share"] == 1.0
        assert figures["by_class"]["accurate"] == 1
        # MR-1's row mines (found 2024-08-02 in Aghdam) lie inside it: that district-quarter is not one without records.
        periods = figures["periods_without_records"]
        assert {"district": "Aghdam", "period": "2024-Q3"} not in [{k: p[k] for k in ("district", "period")}
                                                                  for p in periods]
        assert all(p["mines_found"] + p["mine_incidents"] > 0 for p in periods)
        from demine.services.accounts import add_user, authenticate, issue_token

        add_user(app.state.register, "analyst", "a long passphrase 42", role="analyst", actor="test")
        token = issue_token(app.state.register, authenticate(app.state.register, "analyst", "a long passphrase 42"),
                            "tests")
        client.headers["Authorization"] = f"Bearer {token}"
        features = client.get("/api/records/verifications").json()["features"]
        assert [f["properties"]["verification_class"] for f in features] == ["accurate"]
        assert features[0]["geometry"]["type"] == "Polygon"
        far = client.get("/api/records/verifications", params={"bbox": "45.0,39.0,45.1,39.1"}).json()
        assert far["features"] == []
        assert client.get("/api/records/corrections").json()["features"] == []  # nothing shifted, nothing proposed


def test_the_full_report_has_a_records_section(verified) -> None:
    import datetime as dt

    from demine.analysis.period import Period
    from demine.services.reports import full_report

    app, _ = verified
    report = full_report(app.state.register, Period(dt.date(2024, 7, 29), dt.date(2024, 8, 4)), report_format="csv")
    text = report.content.decode()
    section = text[text.index("Minefield records by verification class"):]
    # district, accurate, shifted, partially accurate, inaccurate, not verifiable, records, accurate %
    assert "Aghdam,1,0,0,0,0,1,100.0" in section


def test_a_later_run_replaces_the_figures_but_keeps_the_history(verified) -> None:
    app, url = verified
    from demine.services.records_admin import retire

    retire(app.state.register, "items", "IT-R-0", reason="duplicate entry", actor="test")
    assert run(["--db", url, "records", "verify", "--workers", "0"]) != 0  # refused before anything is stored
    assert run(["--db", url, "records", "verify", "--workers", "2"]) == 0
    with app.state.register.reading() as connection:
        from sqlalchemy import func, select

        from demine.store.tables.records import record_verifications

        runs = connection.execute(select(func.count(func.distinct(record_verifications.c.run_at)))).scalar_one()
    assert runs == 2
    with TestClient(app) as client:
        assert client.get("/api/records/verification-figures").json()["national"]["verifiable"] == 1
