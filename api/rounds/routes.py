"""Enforcement rounds (驻村连片集中执行) for officers and judges: thin views over
the use cases of ``enforcement.rounds`` (usecases, planning, outputs)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import Response, current_app, url_for
from flask.views import MethodView

from api.etag import etag_of, required_if_match_version
from api.pagination import decode_cursor, paged
from api.rounds.schemas import (
    RoundCreateSchema,
    RoundDetailSchema,
    RoundListSchema,
    RoundPlanArgsSchema,
    RoundUpdateSchema,
)
from api.rounds.sheet import render_sheet
from api.rounds.sheet_pdf import font_path, render_sheet_pdf
from api.rounds.visit_schemas import (
    RoundSummarySchema,
    VisitCreateSchema,
    VisitPageSchema,
    VisitQueryArgsSchema,
    VisitSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.rounds import edits as round_edits
from enforcement.rounds import outputs as round_outputs
from enforcement.rounds import planning as round_planning
from enforcement.rounds import summary as round_summary
from enforcement.rounds import usecases as rounds
from enforcement.rounds import visits

blp = Blueprint("rounds", __name__,
                description="Enforcement rounds: teams, targets, routes (officers and judges)")



def _team_input(t: dict[str, Any]) -> rounds.TeamInput:
    return rounds.TeamInput(name=t["name"], lon=t["start"]["lon"], lat=t["start"]["lat"],
                            work_start=t["work_start"], work_end=t["work_end"],
                            max_stops=t["max_stops"], capacity=t["capacity"],
                            vehicle=t["vehicle"], leader_id=t["leader_id"],
                            member_ids=tuple(t["member_ids"]), id=t.get("id"))


def _with_etag(rnd: dict[str, Any], status: int = 200) -> tuple[dict[str, Any], int,
                                                                 dict[str, str]]:
    return rnd, status, {"ETag": etag_of(rnd["version"])}


def _round_input(body: dict[str, Any]) -> rounds.RoundInput:
    area = body["area"]
    teams = [_team_input(t) for t in body["teams"]]
    return rounds.RoundInput(name=body["name"], starts_on=body["starts_on"],
                             ends_on=body["ends_on"], teams=teams,
                             township_ids=area["township_ids"], village_ids=area["village_ids"],
                             polygon=area["polygon"])


@blp.route("")
class Rounds(MethodView):
    @blp.auth()
    @blp.response(200, RoundListSchema)
    def get(self) -> dict[str, Any]:
        """The court's rounds, newest first."""
        return {"items": rounds.list_rounds(db(), current_principal())}

    @blp.auth()
    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundDetailSchema)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a draft round over an area, with its teams.

        The area is exactly one of `township_ids`, `village_ids` (their union) or a GeoJSON
        `polygon`. Each team has a base it leaves from and returns to every day, local
        working hours (`HH:MM`), the visits it can make a day and optionally a vehicle
        capacity, its members (`leader_id`, `member_ids`: officers or judges of the court,
        who record the team's visits; others give 422 `unknown_team_member`). Unknown grid
        ids give 422 `unknown_grid`.
        """
        return _with_etag(rounds.create_round(db(), current_principal(), _round_input(body)),
                          201)


@blp.route("/<string:round_id>")
class RoundById(MethodView):
    @blp.auth()
    @blp.response(200, RoundDetailSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, round_id: str) -> Any:
        """One round with its teams and its last plan (routes and unassigned targets).
        Its `ETag` is what `If-Match` must carry to edit it."""
        return _with_etag(rounds.get_round(db(), current_principal(), round_id))

    @blp.auth()
    @blp.arguments(RoundUpdateSchema)
    @blp.response(200, RoundDetailSchema)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, body: dict[str, Any], round_id: str) -> Any:
        """Edit a round: name, dates, area, teams, status.

        Dates, area and the teams' bases, shifts, stops and capacity can change until the
        round is locked; on a planned round such a change drops the plan (back to
        `draft`). Names, members and vehicles can change until the round is done. Status:
        `planned → locked → running → done`, `locked → planned` while no visit is
        recorded, `cancelled` from draft, planned or locked; anything else is 409
        `invalid_round_transition`. Requires `If-Match` with the round's ETag: 428
        without it, 412 when it changed since you read it.
        """
        version = required_if_match_version()
        area = body.get("area")
        edit = round_edits.RoundEdit(
            name=body.get("name"), starts_on=body.get("starts_on"),
            ends_on=body.get("ends_on"), status=body.get("status"),
            township_ids=area.get("township_ids", []) if area is not None else None,
            village_ids=area.get("village_ids", []) if area is not None else None,
            polygon=area.get("polygon") if area is not None else None,
            teams=[_team_input(t) for t in body["teams"]] if "teams" in body else None)
        return _with_etag(round_edits.edit_round(db(), current_principal(), round_id,
                                                 version, edit))


@blp.route("/<string:round_id>/plan")
class RoundPlan(MethodView):
    @blp.auth()
    @blp.arguments(RoundPlanArgsSchema)
    @blp.response(200, RoundDetailSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], round_id: str) -> dict[str, Any]:
        """Choose targets in the area and solve the routes (VROOM).

        Targets: open, in-progress and resumed cases, and terminated cases with a lead
        newer than their termination, whose address lies in the area; weighted by amount
        owed, lead freshness and sightings of the last 30 days. Debtors mostly seen in the
        evening get an 18:00-21:30 window; `time_windows` sets windows case by case.
        Accepted leads about the debtor's whereabouts or visible property in the area are
        targets too; one near its own case's address is the same stop.
        Driving times: straight line × 1.4 at 35 km/h. Replaces the previous plan;
        a locked round answers 409 `round_locked`. To move a stop to another team, re-plan
        with it in `pinned` (its `target_id`, or a `case_id` / `lead_id`, and the
        `team_id`, optionally a `day`): the solver keeps it there (unless that team cannot
        reach it at all) and arranges the rest around it.
        """
        windows: dict[str, list[tuple[str, str]]] = {}
        for window in body["time_windows"]:
            windows.setdefault(window["case_id"], []).append((window["start"], window["end"]))
        pins = [round_planning.Pin(**pin) for pin in body["pinned"]]
        options = round_planning.PlanOptions(exploration_level=body["exploration_level"],
                                             time_windows=windows, pins=pins)
        return round_planning.plan_round(db(), current_principal(), round_id, options)


@blp.route("/<string:round_id>/lock")
class RoundLock(MethodView):
    @blp.auth()
    @blp.response(200, RoundDetailSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, round_id: str) -> dict[str, Any]:
        """Lock the plan so the teams' sheets stay valid; 409 `round_not_planned` before a
        plan, `round_locked` when already locked."""
        return rounds.lock_round(db(), current_principal(), round_id)


@blp.route("/<string:round_id>/plan.geojson")
class RoundPlanGeoJSON(MethodView):
    @blp.auth()
    @blp.doc(responses={"200": {"description": "GeoJSON FeatureCollection",
                                "content": {"application/geo+json": {}}}})
    @blp.problem(404)
    @blp.problem(409)
    def get(self, round_id: str) -> Response:
        """The plan as GeoJSON: a LineString per team and day (base → stops → base) with
        `kind: route`, a Point per stop (`kind: target`, with `seq` and `eta`) and per
        target left out (`kind: unassigned`, with `reason`)."""
        body = round_outputs.plan_geojson(db(), current_principal(), round_id)
        return Response(json.dumps(body, ensure_ascii=False, default=str),
                        mimetype="application/geo+json")


@blp.route("/<string:round_id>/sheet")
class RoundSheet(MethodView):
    @blp.auth()
    @blp.doc(responses={"200": {"description": "Printable HTML",
                                "content": {"text/html": {}}}})
    @blp.problem(404)
    @blp.problem(409)
    def get(self, round_id: str) -> Response:
        """A printable visit sheet per team and day, in Chinese: order, arrival time, case
        number, debtor, address and what to do. Names are shown in full to officers and
        judges, and each debtor shown is recorded in the audit log."""
        sheet = round_outputs.visit_sheet(db(), current_principal(), round_id)
        return Response(render_sheet(sheet), mimetype="text/html")


@blp.route("/<string:round_id>/map.png")
class RoundMap(MethodView):
    @blp.auth()
    @blp.doc(responses={"200": {"description": "PNG map", "content": {"image/png": {}}}})
    @blp.problem(404)
    @blp.problem(409)
    def get(self, round_id: str) -> Response:
        """A map of the plan: village grid outlines, the area, each team's daily routes in
        its own colour and the targets left out. Drawn on the server, no map tiles."""
        png = round_outputs.plan_map_png(db(), current_principal(), round_id)
        return Response(png, mimetype="image/png")


@blp.route("/<string:round_id>/sheet.pdf")
class RoundSheetPDF(MethodView):
    @blp.auth()
    @blp.doc(responses={"200": {"description": "Printable PDF (A4 landscape)",
                                "content": {"application/pdf": {}}}})
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(503)
    def get(self, round_id: str) -> Response:
        """The visit sheet as PDF, same content as `…/sheet`: one page per team and day,
        in Chinese with the font embedded. Each debtor shown is recorded in the audit log."""
        font = font_path(current_app.config["PDF_FONT"])
        sheet = round_outputs.visit_sheet(db(), current_principal(), round_id)
        return Response(render_sheet_pdf(sheet, font), mimetype="application/pdf",
                        headers={"Content-Disposition": 'inline; filename="sheet.pdf"'})


@blp.route("/<string:round_id>/visits")
class RoundVisits(MethodView):
    @blp.auth()
    @blp.arguments(VisitQueryArgsSchema, location="query")
    @blp.response(200, VisitPageSchema)
    @blp.problem(404)
    def get(self, args: dict[str, Any], round_id: str) -> Any:
        """The round's visits, newest first."""
        return paged(visits.list_visits(db(), current_principal(), round_id,
                                        decode_cursor(args["cursor"]), args["limit"]))

    @blp.auth()
    @blp.arguments(VisitCreateSchema)
    @blp.response(201, VisitSchema)
    @blp.alt_response(200, schema=VisitSchema, description="A retry: the visit already stored")
    @blp.problem(403)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Record a visit to one of the round's stops.

        Members and leaders of the round's teams only (403 `not_on_round_team`), on a
        locked or running round (409 `round_not_running`); the first visit starts the
        round. Send the point with its `datum` as the phone's map gives it. The stop
        becomes `visited`, or `revisit` when the debtor was out or the address wrong.
        `amount_collected` is recorded as a payment on the case (409
        `amount_owed_exceeded` beyond what is owed); `settled` and `property_found` (or
        `outcome_kind`) are recorded as outcomes.
        """
        data = visits.VisitInput(**{"amount_collected": Decimal("0"), **body})
        visit, created = visits.record_visit(db(), current_principal(), round_id, data)
        location = url_for("rounds.RoundVisits", round_id=round_id)
        return visit, 201 if created else 200, {"Location": location}


@blp.route("/<string:round_id>/summary")
class RoundSummary(MethodView):
    @blp.auth()
    @blp.response(200, RoundSummarySchema)
    @blp.problem(404)
    def get(self, round_id: str) -> dict[str, Any]:
        """What the round did: stops planned and visited, visits by result, outcomes and
        amount recovered, per team and per day (China Standard Time), and road kilometres
        along the planned stops against those along the visits actually made."""
        return round_summary.round_summary(db(), current_principal(), round_id)
