"""Schemas of the court's side of query codes."""

from __future__ import annotations

import marshmallow as ma

from api.fields import RECORD_ID


class QueryCodeCreateSchema(ma.Schema):
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    party_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "The applicant or a debtor of the case"})


class QueryCodeListArgsSchema(ma.Schema):
    case_id = ma.fields.String(required=True, validate=RECORD_ID)


class QueryCodeSchema(ma.Schema):
    id = ma.fields.String()
    case_id = ma.fields.String()
    party_id = ma.fields.String()
    role = ma.fields.String(metadata={"description": "applicant or debtor"})
    issued_by = ma.fields.String()
    issued_at = ma.fields.DateTime()
    revoked_at = ma.fields.DateTime(allow_none=True)
    locked = ma.fields.Method("is_locked", metadata={
        "type": "boolean", "description": "Locked after too many wrong digits: re-issue"})
    last_viewed_at = ma.fields.DateTime(allow_none=True)

    def is_locked(self, record: object) -> bool:
        return getattr(record, "locked_at", None) is not None


class IssuedQueryCodeSchema(QueryCodeSchema):
    code = ma.fields.String(metadata={
        "description": "The code, shown this once (only its hash is kept): print it on "
                       "the notice"})
    case_number = ma.fields.String()
    url = ma.fields.String(metadata={"description": "The page the QR code opens"})
    qr_png = ma.fields.String(metadata={
        "description": "The QR code as a PNG image, base64 (a `data:` URL's body)"})
