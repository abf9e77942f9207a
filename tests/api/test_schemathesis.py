"""Property-based fuzzing of every documented operation (schemathesis), for every role.

For each operation in /api/v1/openapi.json, schemathesis generates valid and invalid
requests; whatever it sends, the API must never answer 5xx and every answer must match
what the document promises. Each generated request is sent as one of the seven roles,
chosen from a digest of the request itself: the spread over roles is even, and a failing
example replays as the same role. Every role's callers serve a village grid of a fresh
court and hold an access token the server issued for their device (signing in itself is
tested in ``test_auth.py``; skipping the password hash keeps the run short).
"""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core import NotSet

from api import create_app
from enforcement.infrastructure.tokens import AccessClaims, issue_access_token
from enforcement.models import Role, utcnow
from tests import factories

ROLES = tuple(Role)
EXAMPLES_PER_OPERATION = 7
"""About one per role and operation, near 45 seconds on two cores: the CLI run over the
live demo county (``test_schemathesis_live.py``) now does the thorough fuzzing, so this one
keeps to what only it can do (every role on a fresh court, tokens minted, replays by
digest) within the suite's time."""


def _openapi_document() -> dict:
    """The document as the app serves it; building it needs no database."""
    app = create_app({"TESTING": True})
    try:
        return app.test_client().get("/api/v1/openapi.json").get_json()
    finally:
        app.extensions["gridwork"].db.dispose()


schema = schemathesis.openapi.from_dict(_openapi_document())


@pytest.fixture
def every_role(session, app) -> dict[Role, dict[str, str]]:
    """A court with a user of every role, each serving its village grid, signed in."""
    court = factories.create_court(session)
    village = factories.create_village(session, factories.create_township(session, court))
    users = {role: factories.create_user(session, court, role) for role in ROLES}
    devices = {}
    for role, user in users.items():
        factories.assign_grid(session, user, village)
        devices[role] = factories.create_device(session, user)
    session.commit()
    tokens = app.extensions["gridwork"].tokens
    return {role: {"Authorization": "Bearer " + issue_access_token(tokens, AccessClaims(
        user.id, court.id, role.value, devices[role].id), utcnow())}
        for role, user in users.items()}


def role_for(case) -> Role:
    """The role that sends this request: the same request is always sent as the same role."""
    body = None if isinstance(case.body, NotSet) else case.body  # its repr has an address
    seen = repr((case.method, case.path_parameters, case.query, body)).encode()
    return ROLES[int.from_bytes(hashlib.sha256(seen).digest()[:4], "big") % len(ROLES)]


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_fails_or_breaks_its_schema_for_any_role(case, every_role, live_server):
    response = case.call(base_url=live_server, headers=every_role[role_for(case)])
    case.validate_response(response, checks=[not_a_server_error,
                                             response_schema_conformance])
