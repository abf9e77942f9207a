"""Leads: what grid assistants report, and the court's triage and follow-up of them."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import url_for
from flask.views import MethodView

from api.etag import etag_of, if_match_version, required_if_match_version, with_etag
from api.field_app.settings import lead_settings
from api.leads.schemas import (
    LeadCreateSchema,
    LeadPageSchema,
    LeadQueryArgsSchema,
    LeadSchema,
    LeadTransitionRecordSchema,
    LeadTransitionSchema,
    LeadUpdateSchema,
)
from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal, db
from enforcement.leads import transitions, usecases
from enforcement.leads.transitions import TransitionRequest
from enforcement.models import LeadTransition

blp = Blueprint("leads", __name__, description="Leads reported from the grid, and their "
                                               "lifecycle")



@blp.route("")
class Leads(MethodView):
    @blp.auth()
    @blp.arguments(LeadQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, LeadPageSchema)
    def get(self, filters: Any, sort: Any, cursor: str | None, limit: int) -> Any:
        """Leads you may see, newest first unless `sort` says otherwise.

        Assistants see their own leads; officers and judges every lead of the court.
        Repeat `status` or `kind` to match any of several. Follow `next_cursor` (or the
        `Link: rel="next"` header) until it is null; a cursor continues only the `sort`
        it came from.
        """
        page = usecases.list_leads(db(), current_principal(), filters,
                                   decode_cursor(cursor, sort), limit, sort)
        return paged(page)

    @blp.auth()
    @blp.arguments(LeadCreateSchema)
    @blp.response(201, LeadSchema)
    @blp.alt_response(200, schema=LeadSchema, description="A retry: the lead already stored")
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Report a lead.

        Send the point as the phone's map SDK gives it, with its `datum` (`gcj02` for AMap
        and Tencent, `bd09` for Baidu, `wgs84` for raw GPS). The server stores the WGS-84
        position, the village grid and township it falls in (or, outside every grid, the
        nearest grid and the distance), and flags a possible duplicate: a lead about the
        same debtor or case within 500 m and 48 hours. Say how the point was taken in
        `position_source`: where the court takes no position typed by hand
        (`FIELD_APP_MANUAL_POSITION` off), `manual` is 422 `manual_position_not_allowed`.
        """
        lead, created = usecases.submit_lead(db(), lead_settings(), current_principal(), body)
        location = url_for("leads.LeadById", lead_id=lead.id)
        return with_etag(lead, lead.version, 201 if created else 200, {"Location": location})


@blp.route("/<string:lead_id>")
class LeadById(MethodView):
    @blp.auth()
    @blp.response(200, LeadSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, lead_id: str) -> Any:
        """One lead. Its `ETag` is what `If-Match` must carry to edit it."""
        lead = usecases.get_lead(db(), current_principal(), lead_id)
        return with_etag(lead, lead.version)

    @blp.auth()
    @blp.arguments(LeadUpdateSchema)
    @blp.response(200, LeadSchema)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, body: dict[str, Any], lead_id: str) -> Any:
        """Correct your own lead while it is still `submitted`.

        Requires `If-Match` with the lead's ETag: 428 without it, 412 when someone changed
        the lead since you read it (reload, reapply, retry). A position typed by hand where
        the court takes none is 422 `manual_position_not_allowed`, as on `POST`.
        """
        version = required_if_match_version()
        lead = usecases.edit_lead(db(), lead_settings(), current_principal(), lead_id,
                                  version, body)
        return with_etag(lead, lead.version)

    @blp.auth()
    @blp.response(204)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    def delete(self, lead_id: str) -> None:
        """Withdraw your own lead while it is still `submitted`.

        Once the court has started on it (`under_review` or later) this is 409
        `lead_not_withdrawable`: ask the court to reject it instead. The lead is kept
        (phones receive it as deleted when they sync) and the withdrawal is audited.
        `If-Match` is optional; when sent, a stale version is 412.
        """
        usecases.withdraw_lead(db(), current_principal(), lead_id, if_match_version())


@blp.route("/<string:lead_id>/transitions")
class LeadTransitions(MethodView):
    @blp.auth()
    @blp.response(200, LeadTransitionRecordSchema(many=True))
    @blp.problem(404)
    def get(self, lead_id: str) -> list[LeadTransition]:
        """The lead's history, oldest first: every status, who set it, when and why.

        The author of a lead sees it too.
        """
        return usecases.lead_history(db(), current_principal(), lead_id)

    @blp.auth()
    @blp.arguments(LeadTransitionSchema)
    @blp.response(201, LeadTransitionRecordSchema)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    def post(self, body: TransitionRequest, lead_id: str) -> Any:
        """Move a lead along its lifecycle.

        `submitted → under_review → accepted | rejected | duplicate → assigned →
        verified | not_found → outcome_recorded → closed` (`not_found → closed` too).
        Judges triage and may make every step; officers assign, verify, record outcomes
        and close. An illegal step is 409 `invalid_transition`. `If-Match` is optional
        here; when sent, a stale version is 412. A `payment_received` outcome adds its
        amount to the lead and its case.
        """
        request = dataclasses.replace(body, expected_version=if_match_version())
        lead, step = transitions.transition_lead(db(), current_principal(), lead_id, request)
        return step, 201, {"ETag": etag_of(lead.version)}
