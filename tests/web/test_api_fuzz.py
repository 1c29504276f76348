"""Schemathesis over the OpenAPI schema: generated requests, valid and not, never make a server error.

Run as a reader of the register (an analyst's API token), so the record endpoints answer rather than stop at 401;
the generated `bbox`, `datetime`, `limit`, kinds and codes also cover injection-shaped text. The analysis endpoints
(reports, planning, records verification, risk) belong to their concepts' tests and are left out here: a PDF
report per generated example would take minutes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from demine.api.app import create_app
from demine.services.accounts import authenticate, issue_token
from demine.settings import Settings

from .conftest import PASSWORD

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402

ANALYSIS = r"^/api/(reports|planning|records|risk)/"


@pytest.fixture
def fuzzed_app(sqlite_programme_url):
    app = create_app(Settings(database_url=sqlite_programme_url))
    yield app
    app.state.register.close()


@pytest.fixture
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


@pytest.fixture
def token(fuzzed_app):
    return issue_token(fuzzed_app.state.register, authenticate(fuzzed_app.state.register, "analyst", PASSWORD), "fuzz")


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=ANALYSIS)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
