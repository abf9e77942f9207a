"""Errors of the field resources speak the caller's language over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from enforcement.models import Role, utcnow
from tests import factories
from tests.api.helpers import assert_problem

TITLES = {
    "sighting_not_found": ("未找到该查人报告", "No such sighting"),
    "instalments_do_not_add_up": ("分期金额之和与和解总额不符",
                                  "The instalments do not add up to the settlement total"),
    "amount_owed_exceeded": ("执行到位金额不能超过申请执行金额",
                             "The case would recover more than it is owed"),
}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_new_error_titles_in_chinese_and_english(http, world, session, language):
    case, _ = factories.create_debtor_case(session, world.court, world.village_a,
                                           amount_owed=Decimal("100.00"))
    settlement = factories.create_settlement(session, case, ("500.00",))
    session.commit()
    index = 0 if language == "zh-CN" else 1

    def check(response, status, code):
        assert assert_problem(response, status, code)["title"] == TITLES[code][index]
        assert response.headers["Content-Language"] == language

    missing = "0b7e4c1e-8a1b-4bde-a1f5-3c2d0e9f7a55"
    check(http.get(f"/api/v1/sightings/{missing}",
                   headers=world.headers(world.assistant, **{"Accept-Language": language})),
          404, "sighting_not_found")
    check(http.post("/api/v1/mediation-notes", json={
        "case_id": case.id, "held_at": utcnow().isoformat(), "outcome": "agreed",
        "proposal": {"kind": "instalments", "total": "10.00",
                     "instalments": [{"due_on": "2027-01-01", "amount": "9.00"}]},
    }, headers=world.headers(world.assistant, **{"Accept-Language": language})),
        422, "instalments_do_not_add_up")
    check(http.post(f"/api/v1/settlements/{settlement.id}/instalments/1/payments",
                    json={"amount": "200.00", "paid_on": "2027-01-01"},
                    headers=world.headers(world.users[Role.OFFICER],
                                          **{"Accept-Language": language})),
          409, "amount_owed_exceeded")
