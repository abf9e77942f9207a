"""Enforcement rounds (驻村连片集中执行) for officers and judges: thin views over
``enforcement.rounds``, ``enforcement.round_planning`` and ``enforcement.round_outputs``."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from api.rounds.schemas import (
    RoundCreateSchema,
    RoundDetailSchema,
    RoundListSchema,
    RoundPlanArgsSchema,
)
from api.rounds.sheet import render_sheet
from api.smorest import Blueprint, current_principal
from enforcement import round_outputs, round_planning, rounds
from enforcement.models import Role

blp = Blueprint("rounds", __name__,
                description="Enforcement rounds: teams, targets, routes (officers and judges)")
PLANNERS = (Role.OFFICER, Role.JUDGE)


def _db() -> Any:
    return current_app.extensions["gridwork"].db


def _round_input(body: dict[str, Any]) -> rounds.RoundInput:
    area = body["area"]
    teams = [rounds.TeamInput(name=t["name"], lon=t["start"]["lon"], lat=t["start"]["lat"],
                              work_start=t["work_start"], work_end=t["work_end"],
                              max_stops=t["max_stops"], capacity=t["capacity"],
                              vehicle=t["vehicle"]) for t in body["teams"]]
    return rounds.RoundInput(name=body["name"], starts_on=body["starts_on"],
                             ends_on=body["ends_on"], teams=teams,
                             township_ids=area["township_ids"], village_ids=area["village_ids"],
                             polygon=area["polygon"])


@blp.route("")
class Rounds(MethodView):
    @blp.auth(*PLANNERS)
    @blp.response(200, RoundListSchema)
    def get(self) -> dict[str, Any]:
        """The court's rounds, newest first."""
        return {"items": rounds.list_rounds(_db(), current_principal())}

    @blp.auth(*PLANNERS)
    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundDetailSchema)
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a draft round over an area, with its teams.

        The area is exactly one of `township_ids`, `village_ids` (their union) or a GeoJSON
        `polygon`. Each team has a base it leaves from and returns to every day, local
        working hours (`HH:MM`), the visits it can make a day and optionally a vehicle
        capacity. Unknown grid ids give 422 `unknown_grid`.
        """
        return rounds.create_round(_db(), current_principal(), _round_input(body))


@blp.route("/<string:round_id>")
class RoundById(MethodView):
    @blp.auth(*PLANNERS)
    @blp.response(200, RoundDetailSchema)
    @blp.alt_response(404, response="Problem")
    def get(self, round_id: str) -> dict[str, Any]:
        """One round with its teams and its last plan (routes and unassigned targets)."""
        return rounds.get_round(_db(), current_principal(), round_id)


@blp.route("/<string:round_id>/plan")
class RoundPlan(MethodView):
    @blp.auth(*PLANNERS)
    @blp.arguments(RoundPlanArgsSchema)
    @blp.response(200, RoundDetailSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any], round_id: str) -> dict[str, Any]:
        """Choose targets in the area and solve the routes (VROOM).

        Targets: open, in-progress and resumed cases, and terminated cases with a lead
        newer than their termination, whose address lies in the area; weighted by amount
        owed, lead freshness and sightings of the last 30 days. Debtors mostly seen in the
        evening get an 18:00-21:30 window; `time_windows` sets windows case by case.
        Driving times: straight line × 1.4 at 35 km/h. Replaces the previous plan;
        a locked round answers 409 `round_locked`.
        """
        windows: dict[str, list[tuple[str, str]]] = {}
        for window in body["time_windows"]:
            windows.setdefault(window["case_id"], []).append((window["start"], window["end"]))
        options = round_planning.PlanOptions(exploration_level=body["exploration_level"],
                                             time_windows=windows)
        return round_planning.plan_round(_db(), current_principal(), round_id, options)


@blp.route("/<string:round_id>/lock")
class RoundLock(MethodView):
    @blp.auth(*PLANNERS)
    @blp.response(200, RoundDetailSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    def post(self, round_id: str) -> dict[str, Any]:
        """Lock the plan so the teams' sheets stay valid; 409 `round_not_planned` before a
        plan, `round_locked` when already locked."""
        return rounds.lock_round(_db(), current_principal(), round_id)


@blp.route("/<string:round_id>/plan.geojson")
class RoundPlanGeoJSON(MethodView):
    @blp.auth(*PLANNERS)
    @blp.doc(responses={"200": {"description": "GeoJSON FeatureCollection",
                                "content": {"application/geo+json": {}}}})
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    def get(self, round_id: str) -> Response:
        """The plan as GeoJSON: a LineString per team and day (base → stops → base) with
        `kind: route`, a Point per stop (`kind: target`, with `seq` and `eta`) and per
        target left out (`kind: unassigned`, with `reason`)."""
        body = round_outputs.plan_geojson(_db(), current_principal(), round_id)
        return Response(json.dumps(body, ensure_ascii=False, default=str),
                        mimetype="application/geo+json")


@blp.route("/<string:round_id>/sheet")
class RoundSheet(MethodView):
    @blp.auth(*PLANNERS)
    @blp.doc(responses={"200": {"description": "Printable HTML",
                                "content": {"text/html": {}}}})
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    def get(self, round_id: str) -> Response:
        """A printable visit sheet per team and day, in Chinese: order, arrival time, case
        number, debtor, address and what to do. Names are shown in full to officers and
        judges, and each debtor shown is recorded in the audit log."""
        sheet = round_outputs.visit_sheet(_db(), current_principal(), round_id)
        return Response(render_sheet(sheet), mimetype="text/html")


@blp.route("/<string:round_id>/map.png")
class RoundMap(MethodView):
    @blp.auth(*PLANNERS)
    @blp.doc(responses={"200": {"description": "PNG map", "content": {"image/png": {}}}})
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    def get(self, round_id: str) -> Response:
        """A map of the plan: village grid outlines, the area, each team's daily routes in
        its own colour and the targets left out. Drawn on the server, no map tiles."""
        png = round_outputs.plan_map_png(_db(), current_principal(), round_id)
        return Response(png, mimetype="image/png")
