"""Property-based fuzzing of every documented operation (schemathesis).

For each operation in /api/v1/openapi.json, schemathesis generates valid and invalid
requests; whatever it sends, the API must never answer 5xx and every answer must match
what the document promises. Runs for a judge (widest scope) and a grid assistant
(narrowest), signed in through the real API.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api import create_app
from enforcement.models import Role
from tests import factories

EXAMPLES_PER_OPERATION = 12


def _openapi_document() -> dict:
    """The document as the app serves it; building it needs no database."""
    app = create_app({"TESTING": True})
    try:
        return app.test_client().get("/api/v1/openapi.json").get_json()
    finally:
        app.extensions["gridwork"].db.dispose()


schema = schemathesis.openapi.from_dict(_openapi_document())


def _signed_in(session, login, role: Role) -> dict[str, str]:
    court = factories.create_court(session)
    village = factories.create_village(session, factories.create_township(session, court))
    user = factories.create_user(session, court, role)
    factories.assign_grid(session, user, village)
    session.commit()
    return {"Authorization": f"Bearer {login(user)['access_token']}"}


@pytest.fixture
def as_judge(session, login):
    return _signed_in(session, login, Role.JUDGE)


@pytest.fixture
def as_assistant(session, login):
    return _signed_in(session, login, Role.GRID_ASSISTANT)


def _check(case, headers, base_url) -> None:
    response = case.call(base_url=base_url, headers=headers)
    case.validate_response(response, checks=[not_a_server_error,
                                             response_schema_conformance])


FUZZ = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
                suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
def test_no_operation_fails_or_breaks_its_schema_for_a_judge(case, as_judge, live_server):
    _check(case, as_judge, live_server)


@schema.parametrize()
@FUZZ
def test_no_operation_fails_or_breaks_its_schema_for_an_assistant(case, as_assistant,
                                                                  live_server):
    _check(case, as_assistant, live_server)
