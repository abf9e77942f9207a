"""Round payloads. Times of day are local (China Standard Time) ``HH:MM`` strings; days are
dates; every other time is UTC ISO 8601."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, text
from enforcement.models import RoundStatus

HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="a local time like 08:30")


class LonLatSchema(ma.Schema):
    lon = ma.fields.Float(required=True, validate=validate.Range(-180, 180))
    lat = ma.fields.Float(required=True, validate=validate.Range(-90, 90))


class RoundTeamInputSchema(ma.Schema):
    name = text(100, required=True, validate=validate.Length(min=1, max=100),
                metadata={"example": "第一组"})
    start = ma.fields.Nested(LonLatSchema, required=True, metadata={
        "description": "Where the team leaves from and returns to each day (WGS-84)"})
    work_start = ma.fields.String(load_default="08:00", validate=HHMM)
    work_end = ma.fields.String(load_default="18:00", validate=HHMM, metadata={
        "description": "Back at base by then; set 22:00 for night enforcement"})
    max_stops = ma.fields.Integer(load_default=12, validate=validate.Range(1, 60),
                                  metadata={"description": "Visits a team can make a day"})
    capacity = ma.fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(1, 60), metadata={
                                     "description": "Vehicle capacity in visits' load units "
                                                    "(each visit uses 1); null: unlimited"})
    vehicle = text(32, load_default=None, allow_none=True, metadata={"example": "甘M·A1234"})
    leader_id = ma.fields.String(load_default=None, allow_none=True, validate=RECORD_ID,
                                 metadata={"description": "An officer or judge of the court"})
    member_ids = ma.fields.List(ma.fields.String(validate=RECORD_ID), load_default=list,
                                validate=validate.Length(max=20), metadata={
                                    "description": "Officers and judges in the team; they "
                                                   "(and the leader) record its visits"})


class RoundTeamEditSchema(RoundTeamInputSchema):
    id = ma.fields.String(load_default=None, allow_none=True, validate=RECORD_ID, metadata={
        "description": "An existing team's id; omit for a new team"})


class RoundAreaSchema(ma.Schema):
    township_ids = ma.fields.List(ma.fields.String(), load_default=list)
    village_ids = ma.fields.List(ma.fields.String(), load_default=list)
    polygon = ma.fields.Dict(load_default=None, allow_none=True, metadata={
        "description": "A GeoJSON Polygon or MultiPolygon geometry (WGS-84)"})


class RoundCreateSchema(ma.Schema):
    name = text(200, required=True, validate=validate.Length(min=1, max=200),
                metadata={"example": "2026年第四次驻村连片集中执行"})
    area = ma.fields.Nested(RoundAreaSchema, required=True, metadata={
        "description": "Exactly one of township ids, village grid ids or a polygon"})
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    teams = ma.fields.List(ma.fields.Nested(RoundTeamInputSchema), required=True,
                           validate=validate.Length(min=1, max=20))


class RoundAreaEditSchema(ma.Schema):
    township_ids = ma.fields.List(ma.fields.String())
    village_ids = ma.fields.List(ma.fields.String())
    polygon = ma.fields.Dict(allow_none=True, metadata={
        "description": "A GeoJSON Polygon or MultiPolygon geometry (WGS-84)"})


class RoundUpdateSchema(ma.Schema):
    name = text(200, validate=validate.Length(min=1, max=200))
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    area = ma.fields.Nested(RoundAreaEditSchema, metadata={
        "description": "Exactly one of township ids, village grid ids or a polygon"})
    teams = ma.fields.List(ma.fields.Nested(RoundTeamEditSchema),
                           validate=validate.Length(min=1, max=20), metadata={
                               "description": "The whole list of teams: with `id` to change "
                                              "a team, without to add one; teams left out "
                                              "are removed"})
    status = ma.fields.Enum(RoundStatus, by_value=True, metadata={
        "description": "planned → locked → running → done; locked → planned unlocks while "
                       "no visit is recorded; draft, planned or locked → cancelled"})


class RoundTeamSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    vehicle = ma.fields.String(allow_none=True)
    leader_id = ma.fields.String(allow_none=True)
    member_ids = ma.fields.List(ma.fields.String())
    start = ma.fields.Nested(LonLatSchema, allow_none=True)
    work_start = ma.fields.String()
    work_end = ma.fields.String()
    max_stops = ma.fields.Integer()
    capacity = ma.fields.Integer(allow_none=True)


class RoundSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.String(metadata={"description": "draft, planned, locked…"})
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    township_id = ma.fields.String(allow_none=True)
    area = ma.fields.Dict(metadata={"description": "GeoJSON MultiPolygon"})
    teams = ma.fields.List(ma.fields.Nested(RoundTeamSchema))
    plan_summary = ma.fields.Dict(allow_none=True, metadata={
        "description": "targets, assigned, unassigned, routes, travel_s, solve_ms"})
    locked_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime(allow_none=True)
    version = ma.fields.Integer()


class RoundDetailSchema(RoundSchema):
    plan = ma.fields.Dict(allow_none=True, metadata={
        "description": "The planner's answer: routes (team_id, day, leaves_s, returns_s, "
                       "travel_s, stops with case_id, case_number, seq, eta, arrival_s, "
                       "start_s, departure_s; times in seconds since local midnight) and "
                       "unassigned targets with their reason"})


class RoundListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RoundSchema))


class TimeWindowSchema(ma.Schema):
    case_id = ma.fields.String(required=True)
    start = ma.fields.String(required=True, validate=HHMM)
    end = ma.fields.String(required=True, validate=HHMM)

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["end"] <= data["start"]:
            raise ma.ValidationError("end must be after start", "end")


class PinSchema(ma.Schema):
    team_id = ma.fields.String(required=True, validate=RECORD_ID)
    day = ma.fields.Date(load_default=None, allow_none=True,
                         metadata={"description": "Also keep it on this day of the round"})
    target_id = ma.fields.String(validate=RECORD_ID, metadata={
        "description": "A stop of the current plan (`plan.routes[].stops[].target_id`)"})
    case_id = ma.fields.String(validate=RECORD_ID)
    lead_id = ma.fields.String(validate=RECORD_ID)

    @ma.validates_schema
    def _one_target(self, data: dict[str, Any], **_: Any) -> None:
        if sum(k in data for k in ("target_id", "case_id", "lead_id")) != 1:
            raise ma.ValidationError("give exactly one of target_id, case_id or lead_id",
                                     "target_id")


class RoundPlanArgsSchema(ma.Schema):
    exploration_level = ma.fields.Integer(load_default=4, validate=validate.Range(1, 5),
                                          metadata={"description": "VROOM's search effort"})
    time_windows = ma.fields.List(ma.fields.Nested(TimeWindowSchema), load_default=list,
                                  metadata={"description": "When given debtors are home"})
    pinned = ma.fields.List(ma.fields.Nested(PinSchema), load_default=list,
                            validate=validate.Length(max=500), metadata={
                                "description": "Stops moved by hand: keep each with its team "
                                               "(and day)"})
