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
write, give ``BODIES`` a minimal valid body (``RAW`` for a body that is not JSON, with its
headers; ``{id}``, ``{sha256}``, ``{code}`` and ``{name}`` become fresh values, so that
each role's create is new); run this file and check each column against
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
    ("GET",   f"{V1}/field-app/settings"):                     (200, 200, 200, 200, 200, 200, 200),
    ("POST",  f"{V1}/devices/<string:device_id>/revoke"):      (404, 404, 404, 404, 404, 404, 404),
    ("POST",  f"{V1}/users/<string:user_id>/unlock"):          (403, 403, 403, 403, 403, 403, 404),
    ("GET",   f"{V1}/admin/health"):                           (403, 403, 403, 403, 403, 403, 200),
    ("GET",   f"{V1}/leads"):                                  (200, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/leads"):                                  (201, 403, 201, 201, 403, 403, 403),
    ("GET",   f"{V1}/leads/<string:lead_id>"):                 (404, 403, 404, 404, 403, 403, 403),
    ("PATCH", f"{V1}/leads/<string:lead_id>"):                 (404, 403, 403, 403, 403, 403, 403),
    ("DELETE", f"{V1}/leads/<string:lead_id>"):                (404, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/leads/<string:lead_id>/transitions"):     (404, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/leads/<string:lead_id>/transitions"):     (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/cases"):                                  (200, 200, 200, 200, 200, 403, 403),
    ("GET",   f"{V1}/cases/<string:case_id>"):                 (404, 404, 404, 404, 404, 403, 403),
    ("GET",   f"{V1}/cases/<string:case_id>/mediators"):       (403, 404, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/cases/<string:case_id>/mediators"):       (403, 403, 404, 404, 403, 403, 403),
    ("DELETE", f"{V1}/cases/<string:case_id>/mediators/<string:assignment_id>"):
                                                               (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/cases/<string:case_id>/resume"):          (403, 403, 403, 404, 403, 403, 403),
    ("GET",   f"{V1}/wanted"):                                 (200, 403, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/sightings"):                              (200, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/sightings"):                              (201, 403, 201, 201, 403, 403, 403),
    ("GET",   f"{V1}/sightings/<string:sighting_id>"):         (404, 403, 404, 404, 403, 403, 403),
    ("PATCH", f"{V1}/sightings/<string:sighting_id>"):         (404, 403, 404, 404, 403, 403, 403),
    ("DELETE", f"{V1}/sightings/<string:sighting_id>"):        (404, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/feed"):                                   (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/mediation-notes"):                        (200, 200, 200, 200, 200, 403, 403),
    ("POST",  f"{V1}/mediation-notes"):                        (422, 422, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/mediation-notes/<string:note_id>"):       (404, 404, 404, 404, 404, 403, 403),
    ("PATCH", f"{V1}/mediation-notes/<string:note_id>"):       (404, 404, 403, 403, 403, 403, 403),
    ("DELETE", f"{V1}/mediation-notes/<string:note_id>"):      (404, 404, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/settlements"):                            (403, 200, 200, 200, 200, 403, 403),
    ("GET",   f"{V1}/settlements/<string:settlement_id>"):     (403, 404, 404, 404, 404, 403, 403),
    ("POST",  f"{V1}/settlements/<string:settlement_id>/instalments/<int:seq>/payments"):
                                                               (403, 403, 404, 404, 403, 403, 403),
    # attachments: "own" reading is one's uploads and the files of records one may read
    ("POST",  f"{V1}/attachments"):                            (201, 201, 201, 201, 403, 403, 403),
    ("GET",   f"{V1}/attachments/<string:sha256>"):            (404, 404, 404, 404, 404, 403, 403),
    ("PATCH", f"{V1}/attachments/<string:sha256>"):            (404, 404, 404, 404, 403, 403, 403),
    ("DELETE", f"{V1}/attachments/<string:sha256>"):           (404, 404, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/tasks"):                                  (200, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/tasks"):                                  (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/tasks/<string:task_id>"):                 (404, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/tasks/<string:task_id>/transitions"):     (404, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/tasks/<string:task_id>/transitions"):     (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/tasks/<string:task_id>/grids"):           (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/tasks/<string:task_id>/answers"):         (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/tasks/<string:task_id>/answers"):         (404, 403, 403, 403, 403, 403, 403),
    ("GET",   f"{V1}/tasks/<string:task_id>/answers/<string:answer_id>"):
                                                               (404, 403, 404, 404, 403, 403, 403),
    ("PATCH", f"{V1}/tasks/<string:task_id>/answers/<string:answer_id>"):
                                                               (404, 403, 403, 403, 403, 403, 403),
    ("POST",  f"{V1}/sync/push"):                              (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/sync/pull"):                              (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/sync/watermelon"):                        (200, 200, 200, 200, 200, 200, 200),
    ("POST",  f"{V1}/sync/watermelon"):                        (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/sync/conflicts"):                         (200, 200, 200, 200, 200, 200, 200),
    ("GET",   f"{V1}/sync/rejections"):                        (200, 200, 200, 200, 200, 200, 200),
    ("POST",  f"{V1}/sync/rejections/<string:rejection_id>/discard"):
                                                               (404, 404, 404, 404, 404, 404, 404),
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
    ("PATCH", f"{V1}/rounds/<string:round_id>"):               (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/rounds/<string:round_id>/plan"):          (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/rounds/<string:round_id>/lock"):          (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/plan.geojson"):  (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/sheet"):         (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/sheet.pdf"):     (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/map.png"):       (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/visits"):        (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/rounds/<string:round_id>/visits"):        (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/rounds/<string:round_id>/summary"):       (403, 403, 404, 404, 403, 403, 403),
    # supervision: the node catalogue is the court's; deputies reach only the cases they follow
    ("GET",   f"{V1}/supervision/nodes"):                      (403, 403, 200, 200, 200, 403, 200),
    ("POST",  f"{V1}/supervision/nodes"):                      (403, 403, 403, 201, 403, 403, 201),
    ("POST",  f"{V1}/supervision/nodes/standard"):             (403, 403, 403, 200, 403, 403, 200),
    ("PATCH", f"{V1}/supervision/nodes/<string:node_id>"):     (403, 403, 403, 404, 403, 403, 404),
    ("DELETE", f"{V1}/supervision/nodes/<string:node_id>"):    (403, 403, 403, 404, 403, 403, 404),
    ("GET",   f"{V1}/supervision/node-events"):                (403, 403, 200, 200, 200, 403, 403),
    ("POST",  f"{V1}/supervision/node-events"):                (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/supervision/node-events/<string:event_id>"):
                                                               (403, 403, 404, 404, 404, 403, 403),
    ("POST",  f"{V1}/supervision/node-events/<string:event_id>/witness"):
                                                               (403, 403, 403, 403, 404, 403, 403),
    ("GET",   f"{V1}/supervision/inbox"):                      (403, 403, 403, 403, 200, 403, 403),
    ("POST",  f"{V1}/supervision/inbox/<string:event_id>/read"):
                                                               (403, 403, 403, 403, 404, 403, 403),
    ("GET",   f"{V1}/supervision/follows"):                    (403, 403, 200, 200, 200, 403, 200),
    ("POST",  f"{V1}/supervision/follows"):                    (403, 403, 403, 422, 403, 403, 422),
    ("POST",  f"{V1}/supervision/follows/<string:follow_id>/end"):
                                                               (403, 403, 403, 404, 403, 403, 404),
    ("GET",   f"{V1}/supervision/evaluations"):                (403, 403, 200, 200, 200, 403, 403),
    # a case the deputy does not follow is outside their scope: 404, not 422
    ("POST",  f"{V1}/supervision/evaluations"):                (403, 403, 403, 403, 404, 403, 403),
    ("GET",   f"{V1}/supervision/opinions"):                   (403, 403, 200, 200, 200, 403, 403),
    ("POST",  f"{V1}/supervision/opinions"):                   (403, 403, 403, 403, 404, 403, 403),
    ("GET",   f"{V1}/supervision/opinions/overdue"):           (403, 403, 200, 200, 200, 403, 403),
    ("GET",   f"{V1}/supervision/opinions/<string:opinion_id>"):
                                                               (403, 403, 404, 404, 404, 403, 403),
    ("POST",  f"{V1}/supervision/opinions/<string:opinion_id>/reply"):
                                                               (403, 403, 403, 404, 403, 403, 403),
    ("GET",   f"{V1}/supervision/summary"):                    (403, 403, 200, 200, 200, 403, 200),
    # linkage units: a liaison user reads their own unit and the requests addressed to it
    ("GET",   f"{V1}/linkage/units"):                          (403, 403, 200, 200, 403, 200, 200),
    ("POST",  f"{V1}/linkage/units"):                          (403, 403, 403, 201, 403, 403, 201),
    ("GET",   f"{V1}/linkage/units/<string:unit_id>"):         (403, 403, 404, 404, 403, 404, 404),
    ("PATCH", f"{V1}/linkage/units/<string:unit_id>"):         (403, 403, 403, 404, 403, 403, 404),
    ("DELETE", f"{V1}/linkage/units/<string:unit_id>"):        (403, 403, 403, 404, 403, 403, 404),
    ("PUT",   f"{V1}/linkage/units/<string:unit_id>/members/<string:user_id>"):
                                                               (403, 403, 403, 404, 403, 403, 404),
    ("DELETE", f"{V1}/linkage/units/<string:unit_id>/members/<string:user_id>"):
                                                               (403, 403, 403, 404, 403, 403, 404),
    ("GET",   f"{V1}/linkage/requests"):                       (403, 403, 200, 200, 403, 200, 403),
    ("POST",  f"{V1}/linkage/requests"):                       (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/linkage/requests/overdue"):               (403, 403, 200, 200, 403, 200, 403),
    ("GET",   f"{V1}/linkage/requests/<string:request_id>"):   (403, 403, 404, 404, 403, 404, 403),
    ("POST",  f"{V1}/linkage/requests/<string:request_id>/answer"):
                                                               (403, 403, 403, 403, 403, 404, 403),
    ("POST",  f"{V1}/linkage/requests/<string:request_id>/cancel"):
                                                               (403, 403, 404, 404, 403, 403, 403),
    # joint punishment notices: a liaison user reads and acknowledges their unit's copy
    ("GET",   f"{V1}/linkage/notices"):                        (403, 403, 200, 200, 403, 200, 403),
    ("POST",  f"{V1}/linkage/notices"):                        (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/linkage/notices/<string:notice_id>"):     (403, 403, 404, 404, 403, 404, 403),
    ("POST",  f"{V1}/linkage/notices/<string:notice_id>/acknowledge"):
                                                               (403, 403, 403, 403, 403, 404, 403),
    # red/white/black lists: judges set, officers read, liaison users never see them
    ("GET",   f"{V1}/linkage/lists"):                          (403, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/linkage/lists"):                          (403, 403, 403, 422, 403, 403, 403),
    # judicial aid: officers and judges enter and pay, judges decide
    ("GET",   f"{V1}/judicial-aid"):                           (403, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/judicial-aid"):                           (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/judicial-aid/totals"):                    (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/judicial-aid/<string:aid_id>"):           (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/judicial-aid/<string:aid_id>/decision"):  (403, 403, 403, 404, 403, 403, 403),
    ("POST",  f"{V1}/judicial-aid/<string:aid_id>/payments"):  (403, 403, 404, 404, 403, 403, 403),
    # admins manage units but read no requests, so no per-unit request counts either
    ("GET",   f"{V1}/linkage/summary"):                        (403, 403, 200, 200, 403, 200, 403),
    # reports: court staff who work cases; an assistant reads only their own card and rewards
    ("GET",   f"{V1}/reports/outcomes"):                       (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/reports/rounds"):                         (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/reports/credit"):                         (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/reports/resume-candidates"):              (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/reports/assistants"):                     (200, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/reports/assistants/<string:user_id>"):    (404, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/reports/rewards"):                        (200, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/reports/rewards/<string:entry_id>/decision"):
                                                               (403, 403, 403, 404, 403, 403, 403),
    ("GET",   f"{V1}/reports/reward-rules"):                   (200, 403, 200, 200, 403, 403, 403),
    ("PUT",   f"{V1}/reports/reward-rules/<string:outcome_kind>"):
                                                               (403, 403, 403, 200, 403, 403, 403),

    # measures on debtors and credit repair: judges decide, officers read and apply
    ("GET",   f"{V1}/parties/<string:party_id>/measures"):     (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/parties/<string:party_id>/measures"):     (403, 403, 403, 404, 403, 403, 403),
    ("PATCH", f"{V1}/parties/<string:party_id>/measures/<string:measure_id>"):
                                                               (403, 403, 403, 404, 403, 403, 403),
    ("POST",  f"{V1}/parties/<string:party_id>/measures/<string:measure_id>/lift"):
                                                               (403, 403, 403, 404, 403, 403, 403),
    ("GET",   f"{V1}/credit-repairs"):                         (403, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/credit-repairs"):                         (403, 403, 422, 422, 403, 403, 403),
    ("GET",   f"{V1}/credit-repairs/<string:repair_id>"):      (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/credit-repairs/<string:repair_id>/decision"):
                                                               (403, 403, 403, 404, 403, 403, 403),
    ("GET",   f"{V1}/credit-repairs/<string:repair_id>/certificate.pdf"):
                                                               (403, 403, 404, 404, 403, 403, 403),
    ("GET",   f"{V1}/query-codes"):                            (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/query-codes"):                            (403, 403, 403, 404, 403, 403, 403),
    ("POST",  f"{V1}/query-codes/<string:code_id>/revoke"):    (403, 403, 403, 404, 403, 403, 403),
    ("GET",   f"{V1}/party-feedback"):                         (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/party-feedback/overdue"):                 (403, 403, 200, 200, 403, 403, 403),
    ("GET",   f"{V1}/party-feedback/<string:evaluation_id>"):  (403, 403, 404, 404, 403, 403, 403),
    ("POST",  f"{V1}/party-feedback/<string:evaluation_id>/reply"):
                                                               (403, 403, 403, 404, 403, 403, 403),
    ("GET",   f"{V1}/reports/satisfaction"):                   (403, 403, 200, 200, 403, 403, 403),
    ("POST",  f"{V1}/cases/<string:case_id>/payouts"):         (403, 403, 404, 404, 403, 403, 403),
}

PUBLIC: dict[tuple[str, str], str] = {
    ("POST", f"{V1}/auth/login"): "signing in",
    ("POST", f"{V1}/auth/refresh"): "the refresh token is the credential",
    ("GET", f"{V1}/openapi.json"): "the API description, no data",
    ("GET", f"{V1}/docs"): "the docs page, no data",
    ("GET", f"{V1}/sync/watermelon/schema"): "a phone app's table and column names, no data",
    ("GET", f"{V1}/docs/assets/<path:filename>"): "the docs page's scripts and styles",
    ("GET", "/static/<path:filename>"): "Flask's static folder (empty)",
    ("GET", "/healthz"): "liveness for load balancers: says only ok or 503",
    ("GET", "/metrics"): "guarded by METRICS_ALLOW_FROM / METRICS_TOKEN instead of a user",
    ("GET", "/admin/health"): "the sign-in form; with a bearer token, the admin's report",
    ("POST", "/admin/health"): "signs in with username and password (lock-out, audit)",
    ("GET", "/console"): "redirects to /console/",
    ("GET", "/console/"): "the web console's page: static, it signs in through the API",
    ("GET", "/console/<path:filename>"): "the web console's scripts and styles, no data",
    ("GET", "/app"): "redirects to /app/",
    ("GET", "/app/"): "the field app's page: static, it signs in through the API",
    ("GET", "/app/<path:filename>"): "the field app's scripts, manifest and service worker",
    ("POST", f"{V1}/public/cases/open"):
        "a party's query code and the last four of their identity number (locks, limits, audit)",
    ("GET", f"{V1}/public/case"): "a party's view token from /public/cases/open is the credential",
    ("POST", f"{V1}/public/evaluations"): "a party's view token is the credential",
    ("GET", "/public/case"): "the parties' form: no data",
    ("POST", "/public/case"): "opens a case with a query code and four digits, as the API does",
    ("POST", "/public/case/view"): "the page's view token is the credential",
    ("POST", "/public/case/evaluate"): "the page's view token is the credential",
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
    ("POST", f"{V1}/cases/<string:case_id>/mediators"): {"mediator_id": "{id}"},
    ("POST", f"{V1}/cases/<string:case_id>/resume"): {"reason": "发现可供执行的财产"},
    ("POST", f"{V1}/attachments"): {"sha256": "{sha256}", "size": 3,
                                    "content_type": "image/jpeg"},
    ("POST", f"{V1}/tasks/<string:task_id>/transitions"): {"to": "closed", "reason": "已核实"},
    ("PATCH", f"{V1}/tasks/<string:task_id>/answers/<string:answer_id>"): {"answer": "补充"},
    ("POST", f"{V1}/sync/watermelon"): {"changes": {}},
    ("PATCH", f"{V1}/rounds/<string:round_id>"): {"name": "第二批"},
    ("POST", f"{V1}/rounds/<string:round_id>/visits"): {"target_id": "{id}",
                                                        "result": "debtor_met",
                                                        "visited_at": "2026-11-01T08:00:00Z"},
    ("POST", f"{V1}/supervision/nodes"): {"code": "{code}", "name_zh": "现场勘验",
                                          "name_en": "On-site inspection"},
    ("PATCH", f"{V1}/supervision/nodes/<string:node_id>"): {"name_zh": "现场勘查"},
    ("POST", f"{V1}/supervision/node-events"): {"case_id": "{id}", "node_id": "{id}",
                                                "occurs_at": "2026-11-01T08:00:00Z"},
    ("POST", f"{V1}/supervision/node-events/<string:event_id>/witness"): {},
    ("POST", f"{V1}/supervision/follows"): {"deputy_id": "{id}", "case_id": "{id}"},
    ("POST", f"{V1}/supervision/evaluations"): {
        "case_id": "{id}", "overall": 5,
        "scores": {"procedure": 5, "conduct": 5, "efficiency": 5, "openness": 5}},
    ("POST", f"{V1}/supervision/opinions"): {"case_id": "{id}", "opinion": "请加快执行"},
    ("POST", f"{V1}/supervision/opinions/<string:opinion_id>/reply"): {"reply": "已处理"},
    ("POST", f"{V1}/linkage/units"): {"name": "{name}", "kind": "police",
                                      "duties": ["find_person"]},
    ("PATCH", f"{V1}/linkage/units/<string:unit_id>"): {"answer_days": 5},
    ("POST", f"{V1}/linkage/requests"): {"unit_id": "{id}", "case_id": "{id}",
                                         "kind": "find_person"},
    ("POST", f"{V1}/linkage/requests/<string:request_id>/answer"): {"answer": "已查到",
                                                                    "result": "done"},
    ("POST", f"{V1}/linkage/notices"): {"case_id": "{id}", "party_id": "{id}",
                                        "unit_ids": ["{id}"], "title": "联合惩戒通知"},
    ("POST", f"{V1}/linkage/notices/<string:notice_id>/acknowledge"): {},
    ("POST", f"{V1}/linkage/lists"): {"unit_id": "{id}", "colour": "black",
                                      "reason": "拒不协助查控"},
    ("POST", f"{V1}/judicial-aid"): {"case_id": "{id}", "applicant_id": "{id}",
                                     "amount_requested": "5000.00", "grounds": "因病致贫"},
    ("POST", f"{V1}/judicial-aid/<string:aid_id>/decision"): {
        "decision": "approved", "approved_amount": "3000.00", "reason": "符合救助条件"},
    ("POST", f"{V1}/judicial-aid/<string:aid_id>/payments"): {"amount": "1000.00",
                                                               "paid_on": "2026-11-20"},
    ("POST", f"{V1}/reports/rewards/<string:entry_id>/decision"): {"decision": "approved"},
    ("PUT", f"{V1}/reports/reward-rules/<string:outcome_kind>"): {"amount": "50.00"},
    ("POST", f"{V1}/parties/<string:party_id>/measures"): {
        "kind": "dishonest", "case_id": "{id}", "imposed_on": "2026-01-05",
        "decision_number": "(2026)甘1025执1号之一"},
    ("PATCH", f"{V1}/parties/<string:party_id>/measures/<string:measure_id>"):
        {"decision_text": "更正"},
    ("POST", f"{V1}/parties/<string:party_id>/measures/<string:measure_id>/lift"):
        {"lifted_on": "2026-02-01", "reason": "已履行"},
    ("POST", f"{V1}/query-codes"): {"case_id": "{id}", "party_id": "{id}"},
    ("POST", f"{V1}/cases/<string:case_id>/payouts"): {"amount": "100.00",
                                                        "paid_on": "2026-01-05"},
    ("POST", f"{V1}/party-feedback/<string:evaluation_id>/reply"): {"reply": "已核实处理"},
    ("POST", f"{V1}/credit-repairs"): {"party_id": "{id}", "case_id": "{id}",
                                       "grounds": "paid_in_full"},
    ("POST", f"{V1}/credit-repairs/<string:repair_id>/decision"):
        {"decision": "approve", "reason": "已履行"},
}
RAW: dict[tuple[str, str], tuple[dict[str, str], bytes]] = {
    # a chunk: the bytes, with the offset they start at
    ("PATCH", f"{V1}/attachments/<string:sha256>"):
        ({"Upload-Offset": "0", "Content-Type": "application/octet-stream"}, b"abc"),
}
QUERIES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", f"{V1}/geo/locate"): {"lon": 108.305, "lat": 35.405},
    ("GET", f"{V1}/supervision/summary"): {"year": 2026},
    ("GET", f"{V1}/judicial-aid/totals"): {"year": 2026},
    ("GET", f"{V1}/query-codes"): {"case_id": "{id}"},
}
PATH_VALUES = {"layer": "villages", "z": "0", "x": "0", "y": "0", "seq": "1",
               "sha256": uuid.uuid4().hex * 2, "outcome_kind": "debtor_located"}


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
    if value == "{sha256}":
        return uuid.uuid4().hex * 2
    if value == "{code}":
        return f"n_{uuid.uuid4().hex[:12]}"
    if value == "{name}":
        return f"联动单位-{uuid.uuid4().hex[:8]}"
    if value == "{device}":
        return tokens.get("device_id", "no-device")
    return value


def _url(rule: str, text: str | None = None) -> str:
    """The rule with every path parameter replaced: a fresh id, or a fixed valid value;
    with ``text``, every parameter that is not a number becomes ``text``."""
    parts = []
    for piece in rule.replace(">", "<").split("<"):
        if ":" in piece and piece.split(":")[-1].isidentifier() and piece[0].isalpha():
            name = piece.split(":")[-1]
            if text is not None and piece.startswith("string:"):
                parts.append(text)
            else:
                parts.append(PATH_VALUES.get(name, str(uuid.uuid4())))
        else:
            parts.append(piece)
    return "".join(parts)


def _request(http, route: tuple[str, str], tokens: dict[str, Any] | None,
             path_text: str | None = None) -> Any:
    method, rule = route
    headers = {"Authorization": f"Bearer {tokens['access_token']}"} if tokens else {}
    if method in ("PATCH", "DELETE"):
        headers["If-Match"] = '"1"'
    if route in RAW:
        raw_headers, data = RAW[route]
        return http.request(method, _url(rule, path_text), headers={**headers, **raw_headers},
                            data=data)
    body = BODIES.get(route)
    return http.request(method, _url(rule, path_text), headers=headers,
                        params=_fill(QUERIES.get(route), tokens or {}),
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


def test_a_role_with_no_right_is_refused_whatever_the_path_names(http, world, login):
    """403 is about the role, so it comes before any look at the record: a path that
    could name no record (too long to be an id, no outcome kind) changes nothing."""
    tokens = {role: login(world.assistant if role == R.GRID_ASSISTANT else world.users[role])
              for role in ROLES}
    differ = {}
    for route, expected in ROUTES.items():
        if "<string:" not in route[1] or route[1].startswith(f"{V1}/tiles/"):
            continue
        for role, status in zip(ROLES, expected, strict=True):
            if status == 403:
                got = _request(http, route, tokens[role], path_text="x" * 100).status_code
                if got != 403:
                    differ[(route, role.value)] = got
    assert not differ, "\n".join(f"{r}: got {g}, not 403" for r, g in differ.items())


@pytest.mark.parametrize("route", list(ROUTES), ids=" ".join)
def test_no_route_of_the_table_answers_without_a_token(http, route):
    assert_problem(_request(http, route, None), 401, "token_missing")
