"""Measures on a party: dishonest-debtor listing, consumption and exit restriction."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.etag import required_if_match_version, with_etag
from api.measures.schemas import (
    MeasureAmendSchema,
    MeasureCreateSchema,
    MeasureLiftSchema,
    MeasureSchema,
    PartyMeasuresSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.credit import measures
from enforcement.credit.measures import MeasureOrder

blp = Blueprint("measures", __name__,
                description="Measures on debtors (失信, 限制消费, 限制出境) and their history")



@blp.route("/<string:party_id>/measures")
class PartyMeasures(MethodView):
    @blp.auth()
    @blp.response(200, PartyMeasuresSchema)
    @blp.problem(404)
    def get(self, party_id: str) -> Any:
        """The party's measures (in force first) with the decisions, and every event.

        Officers and judges of the party's court. Grid assistants see only the flags and
        since-dates, on `GET /api/v1/wanted`.
        """
        return measures.party_measures(db(), current_principal(), party_id)

    @blp.auth()
    @blp.arguments(MeasureCreateSchema)
    @blp.response(201, MeasureSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    @blp.problem(409)
    def post(self, order: MeasureOrder, party_id: str) -> Any:
        """Impose a measure by a decision in a case where the party is a debtor (judges).

        `imposed_on` must not be after today; one of the same kind in force: 409
        `measure_in_force`. The party's flags change at once and reach the assistants'
        phones on their next pull. Recorded as an `impose` event and audited.
        """
        measure = measures.impose(db(), current_principal(), party_id, order)
        return with_etag(measure, measure.version, 201)


@blp.route("/<string:party_id>/measures/<string:measure_id>")
class PartyMeasureById(MethodView):
    @blp.auth()
    @blp.arguments(MeasureAmendSchema)
    @blp.response(200, MeasureSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, changes: dict[str, Any], party_id: str, measure_id: str) -> Any:
        """Correct the decision's number, text, date or case (judges).

        Requires `If-Match` with the measure's ETag (428 without it, 412 when it changed).
        Recorded as an `amend` event with the old and new values, and audited.
        """
        version = required_if_match_version()
        measure = measures.amend(db(), current_principal(), party_id, measure_id, changes,
                                 version)
        return with_etag(measure, measure.version)


@blp.route("/<string:party_id>/measures/<string:measure_id>/lift")
class PartyMeasureLift(MethodView):
    @blp.auth()
    @blp.arguments(MeasureLiftSchema)
    @blp.response(200, MeasureSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], party_id: str, measure_id: str) -> Any:
        """Lift a measure in force from `lifted_on` with a reason (judges).

        Already lifted: 409 `measure_lifted`. `lifted_on` not after today and not before
        `imposed_on` (422). Recorded as a `lift` event and audited.
        """
        measure = measures.lift(db(), current_principal(), party_id, measure_id,
                                body["lifted_on"], body["reason"])
        return with_etag(measure, measure.version)
