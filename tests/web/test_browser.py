"""The web application in Debian Chromium (Playwright): sign in, the map with its layers, the dashboard.

Screenshots go to test-artifacts/. Chromium is the system one (never `playwright install`, which downloads);
without it the tests skip, except under CI=true where a missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests required under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"playwright not installed: {error}")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (Debian package chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_sign_in_map_and_dashboard(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{server}/login?next=/map")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/map")
    page.wait_for_function("() => window.demine && document.querySelector('#map').dataset.loaded")
    page.wait_for_selector("path.hazard-cha", state="attached")
    counts = page.evaluate("() => Object.fromEntries(Object.entries(window.demine.layers)"
                           ".map(([k, g]) => [k, g.getLayers().length]))")
    assert set(counts) == {"districts", "hazards", "outputs", "projects", "items", "incidents", "records"}
    assert counts["hazards"] == 2 and counts["outputs"] == 2 and counts["items"] == 3 and counts["records"] == 1
    page.fill("#filter-from", "2024-08-02")  # the time filter: no item was found after 1 August
    page.dispatch_event("#filter-from", "change")
    page.wait_for_function("() => window.demine.layers.items.getLayers().length === 0")
    page.fill("#filter-from", "")
    page.dispatch_event("#filter-from", "change")
    page.wait_for_function("() => window.demine.layers.items.getLayers().length === 3")
    fill = page.eval_on_selector("path.hazard-cha", "p => [p.getAttribute('fill'), p.getAttribute('fill-opacity')]")
    assert fill == ["#FF0000", "0.5"]  # IMAS TN 07.11/01: CHA red at 50 %
    assert "analyst" in page.inner_text("header")
    _shot(page, "map-signed-in")

    page.click("path.hazard-cha")  # details and history of the clicked hazard
    page.wait_for_selector("#details:not([hidden]) h2")
    assert page.inner_text("#details h2") == "HA-1" and "created" in page.inner_text("#details")
    _shot(page, "map-hazard-details")

    page.goto(f"{server}/dashboard")
    assert page.inner_text("#fig-ap .value") == "2"
    assert "Aghdam" in page.inner_text("#districts")
    assert page.locator("#trend rect").count() >= 2
    _shot(page, "dashboard")
    page.close()


def test_public_map_shows_counts_only(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{server}/map")
    page.wait_for_function("() => window.demine && document.querySelector('#map').dataset.loaded")
    page.wait_for_selector("path.hazard", state="attached")
    assert page.evaluate("() => window.demine.detailed") is False
    assert "Sign in" in page.inner_text("header")
    assert page.locator("path.aggregate").count() >= 1  # items and incidents as grid counts
    assert page.evaluate("() => window.demineRisk === undefined")  # no risk map for the public
    _shot(page, "map-public")
    page.close()


def _sign_in(page, server: str, username: str, next_path: str) -> None:
    page.goto(f"{server}/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}{next_path}")


def test_operator_submits_officer_approves_dashboard_changes(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, server, "op1", "/progress/new")
    page.fill("input[name=activity_code]", "ACT-1")
    page.fill("input[name=period_start]", "2024-08-05")
    page.fill("input[name=period_end]", "2024-08-11")
    page.fill("input[name=area_worked_m2]", "3000")
    page.fill("input[name=working_days]", "6")
    page.fill("input[name=deminers]", "10")
    first = page.locator("#items tbody tr").nth(0)
    first.locator("select[name=item_category]").select_option("ap_mine")
    first.locator("input[name=item_model]").fill("PMN-2")
    first.locator("input[name=item_quantity]").fill("4")
    _shot(page, "progress-form")
    page.click("#save-and-submit")
    page.wait_for_selector("#review-status")
    assert page.inner_text("#review-status") == "submitted"
    code = page.inner_text("h1").split()[2]
    _shot(page, "progress-submitted")
    page.click("header button[type=submit]")  # sign out

    _sign_in(page, server, "officer", "/dashboard")
    assert page.inner_text("#fig-ap .cumulative") == "to date 2"  # submitted is not yet official
    _shot(page, "dashboard-before-approval")
    page.goto(f"{server}/progress?status=submitted")
    page.click(f"text={code}")
    page.fill("#approve-form input[name=comment]", "checked")
    page.click("#approve")
    page.wait_for_selector("#review-status")
    assert page.inner_text("#review-status") == "approved"
    assert "approve" in page.inner_text("#history")
    _shot(page, "progress-approved")

    page.goto(f"{server}/dashboard")
    assert page.inner_text("#fig-ap .cumulative") == "to date 6"
    assert page.inner_text("#fig-ap .value") == "4"  # the latest approved week is now the report's
    _shot(page, "dashboard-after-approval")

    # A hazard from non-technical survey, its perimeter drawn on the map.
    page.goto(f"{server}/entries/new/hazards")
    page.wait_for_function("() => window.demineDraw && window.demineDraw.map")
    page.evaluate("() => window.demineDraw.map.setView([40.0304, 46.9274], 16)")
    box = page.locator("#draw-map").bounding_box()
    for dx, dy in [(-60, -40), (60, -40), (60, 40), (-60, 40)]:
        page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)
    page.click("#close-polygon")
    drawn = page.input_value("#geometry-text")
    assert drawn.startswith("POLYGON ((") and drawn.count(",") == 4  # four corners and the closing point
    page.select_option("select[name=hazard_class]", "sha")
    page.select_option("select[name=hazard_type]", "battle_area")
    page.fill("input[name=reported_date]", "2024-08-01")
    page.fill("input[name=benchmark_longitude]", "46.9274")
    page.fill("input[name=benchmark_latitude]", "40.0304")
    page.check("input[name=suspected_categories][value=uxo]")
    _shot(page, "hazard-drawn")
    page.click("#save-and-submit")
    page.wait_for_selector("#review-status")
    assert page.get_attribute("#review-status", "data-status") == "submitted"
    assert "POLYGON" in page.inner_text("#entry-values")
    page.close()


@pytest.fixture
def risk_layer(sqlite_programme_url, tmp_path, monkeypatch) -> Path:
    """A published risk layer over the programme's districts (100 m cells), named by DEMINE_RISK_LAYER before the
    server starts. The risk is made up (nearer a hazard, higher) for the display: the model is tested in tests/risk."""
    import pandas as pd

    from demine.risk.evidence import load_evidence
    from demine.risk.published import publish
    from demine.risk.register_cells import build_cells
    from demine.services.register import open_register

    register = open_register(sqlite_programme_url)
    with register.reading() as connection:
        cells = build_cells(load_evidence(connection), size_m=100)
    register.close()
    risk = 1 / (1 + cells.table.frame["dist_hazard_m"].fillna(1e6).to_numpy() / 300)
    layer = tmp_path / "risk.gpkg"
    publish(cells, pd.DataFrame({"risk": risk}), layer, "browser test")
    monkeypatch.setenv("DEMINE_RISK_LAYER", str(layer))
    return layer


def test_signed_in_map_shows_the_risk_layer_on_request(browser, risk_layer, server):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _sign_in(page, server, "analyst", "/map")
    page.wait_for_function("() => window.demineRisk && document.querySelector('#map').dataset.loaded")
    assert page.locator("path.risk-cell").count() == 0  # off until asked for
    page.check("#risk-toggle")
    page.wait_for_selector("path.risk-cell", state="attached")
    assert page.evaluate("() => window.demineRisk.state.count") > 0
    fill = page.eval_on_selector("path.risk-cell", "p => p.getAttribute('fill')")
    assert fill in {"#FFFFB2", "#FED976", "#FEB24C", "#FD8D3C", "#F03B20", "#BD0026"}
    _shot(page, "map-risk")
    page.uncheck("#risk-toggle")
    page.wait_for_function("() => document.querySelectorAll('path.risk-cell').length === 0")
    page.close()
