"""Every route the app registers is in the access table, and answers each role as listed.

``ROUTES`` has one line per route (method + rule, exactly as ``flask routes`` prints it)
and one column per role: the status that role gets for the request ``_request`` builds —
path ids that match no record, and for writes a body valid enough to reach the access
check. 403 means the role may not do this at all; 404 that the role may, but the record
is outside its scope (a random id is outside everyone's); 200/201/204/422 that the
request got past the access check (422: a random id named in the body is unknown; 204:
an empty map tile). Records inside and outside the caller's grid and court are tested
per endpoint in ``test_access.py`` and ``test_field_access.py``.

``PUBLIC`` lists the routes that need no token, each with its reason.
``test_every_registered_route_is_in_the_access_table`` fails for a route in neither.

To add a route: add its line to ``ROUTES`` (or to ``PUBLIC`` with a reason); if it is a
write, give ``BODIES`` a minimal valid body; run this file and check each column against
``enforcement/policy.py`` — a 403 must be a role the policy leaves out.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from enforcement.models import Role
from tests.api.helpers import assert_problem

R = Role
ROLES = (R.GRID_ASSISTANT, R.MEDIATOR, R.OFFICER, R.JUDGE, R.DEPUTY, R.LIAISON_UNIT, R.ADMIN)
NO = (403,) * 7
V1 = "/api/v1"

ROUTES: dict[tuple[str, str], tuple[int, ...]] = {
    # method  rule                                             GA   MED  OFF  JUD  DEP  LIA  ADM
    ("GET",   f"{V1}/me"):                                     (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/devices"):                                (200, 200, 200, 200, 200, 200, 200),
    ("POST",  f"{V1}/devices/<string:device_id>/revoke"):      (404, 404, 404, 404, 404, 404, 404),
    ("POST",  f"{V1}/users/<string:user_id>/unlock"):          (403, 403, 403, 403, 403, 403, 404),
    ("GET",   f"{V1}/admin/health"):                           (403, 403, 403, 403, 403, 403, 200),
    ("GET",   f"{V1}/leads"):                                  (200, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/leads"):                                  (201, 403, 201, 201, 403, 403, 403),
    ("GET",   f"{V1}/leads/<string:lead_id>"):                 (404, 403, 404, 404, 403, 403, 403),
    ("PATCH", f"{V1}/leads/<string:lead_id>"):                 (404, 403, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/leads/<string:lead_id>/transitions"):     (404, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/leads/<string:lead_id>/transitions"):     (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/cases"):                                  (200, 200, 200, 200, 200, 403, 403),
    ("GET",   f"{V1}/cases/<string:case_id>"):                 (404, 404, 404, 404, 404, 403, 403),
    ("GET",   f"{V1}/wanted"):                                 (200, 403, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/sightings"):                              (200, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/sightings"):                              (201, 403, 201, 201, 403, 403, 403),
    ("GET",   f"{V1}/sightings/<string:sighting_id>"):         (404, 403, 404, 404, 403, 403, 403),
    ("PATCH", f"{V1}/sightings/<string:sighting_id>"):         (404, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/feed"):                                   (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/mediation-notes"):                        (200, 200, 200, 200, 200, 403, 403),
    ("POST",  f"{V1}/mediation-notes"):                        (422, 422, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/mediation-notes/<string:note_id>"):       (404, 404, 404, 404, 404, 403, 403),
    ("PATCH", f"{V1}/mediation-notes/<string:note_id>"):       (404, 404, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/settlements"):                            (403, 200, 200, 200, 200, 403, 403),
    ("GET",   f"{V1}/settlements/<string:settlement_id>"):     (403, 404, 404, 404, 404, 403, 403),
    ("POST",  f"{V1}/settlements/<string:settlement_id>/instalments/<int:seq>/payments"):
                                                               (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/tasks"):                                  (200, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/tasks"):                                  (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/tasks/<string:task_id>"):                 (404, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/tasks/<string:task_id>/answers"):         (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/tasks/<string:task_id>/answers"):         (404, 403, 403, 403, 403, 403, 403),
    ("POST",  f"{V1}/sync/push"):                              (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/sync/pull"):                              (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/sync/conflicts"):                         (200, 200, 200, 200, 200, 200, 200),
    ("POST",  f"{V1}/sync/conflicts/<string:conflict_id>/resolve"):
                                                               (404, 404, 404, 404, 404, 404, 404),
    ("GET",   f"{V1}/geo/townships"):                          (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/geo/villages"):                           (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/geo/locate"):                             (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/geo/clusters"):                           (403, 200, 200, 200, 200, 403, 403),
    ("GET",   f"{V1}/geo/grid-totals"):                        (403, 200, 200, 200, 200, 403, 403),
    ("GET",   f"{V1}/tiles/<string:layer>/<int(signed=True):z>/<int(signed=True):x>/"
              "<int(signed=True):y>.mvt"):                     (204, 204, 204, 204, 204, 204, 204),
    ("GET",   f"{V1}/rounds"):                                 (403, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/rounds"):                                 (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>"):               (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/rounds/<string:round_id>/plan"):          (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/rounds/<string:round_id>/lock"):          (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/plan.geojson"):  (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/sheet"):         (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/map.png"):       (403, 403, 404, 404, 403, 403, 403),
}

PUBLIC: dict[tuple[str, str], str] = {
    ("POST", f"{V1}/auth/login"): "signing in",
    ("POST", f"{V1}/auth/refresh"): "the refresh token is the credential",
    ("GET", f"{V1}/openapi.json"): "the API description, no data",
    ("GET", f"{V1}/docs"): "the docs page, no data",
    ("GET", f"{V1}/docs/assets/<path:filename>"): "the docs page's scripts and styles",
    ("GET", "/static/<path:filename>"): "Flask's static folder (empty)",
    ("GET", "/healthz"): "liveness for load balancers: says only ok or 503",
    ("GET", "/metrics"): "guarded by METRICS_ALLOW_FROM / METRICS_TOKEN instead of a user",
    ("GET", "/admin/health"): "the sign-in form; with a bearer token, the admin's report",
    ("POST", "/admin/health"): "signs in with username and password (lock-out, audit)",
}

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", f"{V1}/leads"): {"kind": "other"},
    ("PATCH", f"{V1}/leads/<string:lead_id>"): {"description": "补充"},
    ("POST", f"{V1}/leads/<string:lead_id>/transitions"): {"to": "under_review"},
    ("POST", f"{V1}/sightings"): {"seen_at": "2026-11-01T08:00:00Z",
                                  "point": {"lon": 108.305, "lat": 35.405}},
    ("PATCH", f"{V1}/sightings/<string:sighting_id>"): {"vehicle_plate": "甘M12345"},
    ("POST", f"{V1}/mediation-notes"): {"case_id": "{id}", "held_at": "2026-11-01T08:00:00Z",
                                        "outcome": "continue"},
    ("PATCH", f"{V1}/mediation-notes/<string:note_id>"): {"place": "村委会"},
    ("POST", f"{V1}/settlements/<string:settlement_id>/instalments/<int:seq>/payments"):
        {"amount": "10.00", "paid_on": "2026-11-01"},
    ("POST", f"{V1}/tasks"): {"kind": "verify_address", "title": "核实住址",
                              "village_grid_ids": ["{id}"]},
    ("POST", f"{V1}/tasks/<string:task_id>/answers"): {"result": "done"},
    ("POST", f"{V1}/sync/push"): {"device_id": "{device}", "schema_version": 1,
                                  "mutations": []},
    ("POST", f"{V1}/sync/conflicts/<string:conflict_id>/resolve"):
        {"resolution": "take_server"},
    ("POST", f"{V1}/rounds"): {"name": "第一批", "starts_on": "2026-11-02",
                               "ends_on": "2026-11-03", "area": {"township_ids": ["{id}"]},
                               "teams": [{"name": "第一组",
                                          "start": {"lon": 108.3, "lat": 35.4}}]},
    ("POST", f"{V1}/rounds/<string:round_id>/plan"): {},
    ("POST", f"{V1}/devices/<string:device_id>/revoke"): {},
}
QUERIES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", f"{V1}/geo/locate"): {"lon": 108.305, "lat": 35.405},
}
PATH_VALUES = {"layer": "villages", "z": "0", "x": "0", "y": "0", "seq": "1"}


def registered_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_registered_route_is_in_the_access_table(app):
    missing = registered_routes(app) - set(ROUTES) - set(PUBLIC)
    assert not missing, f"add these routes to ROUTES or PUBLIC: {sorted(missing)}"
    assert not set(ROUTES) & set(PUBLIC)


def test_the_access_table_names_no_route_that_is_gone(app):
    assert set(ROUTES) | set(PUBLIC) <= registered_routes(app)


def _fill(value: Any, tokens: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, tokens) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, tokens) for v in value]
    if value == "{id}":
        return str(uuid.uuid4())
    if value == "{device}":
        return tokens.get("device_id", "no-device")
    return value


def _url(rule: str) -> str:
    """The rule with every path parameter replaced: a fresh id, or a fixed valid value."""
    parts = []
    for piece in rule.replace(">", "<").split("<"):
        if ":" in piece and piece.split(":")[-1].isidentifier() and piece[0].isalpha():
            name = piece.split(":")[-1]
            parts.append(PATH_VALUES.get(name, str(uuid.uuid4())))
        else:
            parts.append(piece)
    return "".join(parts)


def _request(http, route: tuple[str, str], tokens: dict[str, Any] | None) -> Any:
    method, rule = route
    headers = {"Authorization": f"Bearer {tokens['access_token']}"} if tokens else {}
    if method == "PATCH":
        headers["If-Match"] = '"1"'
    body = BODIES.get(route)
    return http.request(method, _url(rule), headers=headers, params=QUERIES.get(route),
                        json=_fill(body, tokens or {}) if body is not None else None)


def test_each_role_gets_what_the_table_says(http, world, login):
    """One sign-in per role, every route; the failure lists every cell that differs."""
    tokens = {role: login(world.assistant if role == R.GRID_ASSISTANT else world.users[role])
              for role in ROLES}
    differ = {}
    for route, expected in ROUTES.items():
        got = tuple(_request(http, route, tokens[role]).status_code for role in ROLES)
        if got != expected:
            differ[route] = got
    assert not differ, "\n".join(f"{r}: got {g}, table says {ROUTES[r]}"
                                  for r, g in differ.items())


@pytest.mark.parametrize("route", list(ROUTES), ids=" ".join)
def test_no_route_of_the_table_answers_without_a_token(http, route):
    assert_problem(_request(http, route, None), 401, "token_missing")
