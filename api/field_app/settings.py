"""``GET /api/v1/field-app/settings``: what the court sets for its field app's phones.

The app reads it at each start and sync while online and keeps it (sealed), so the phone
downscales photos and checks their size offline exactly as the server will take them, locks
itself after the court's idle time and asks for the court's position accuracy. What the
server also enforces goes to the use cases as ``lead_settings()``, from the same settings.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from api.smorest import Blueprint
from enforcement.leads.settings import LeadSettings

blp = Blueprint("field_app_settings", __name__,
                description="The court's settings for the field app on the phones")


def lead_settings() -> LeadSettings:
    """The court's settings that lead writes enforce, for a route to hand to its use case
    (every door that writes a lead: REST, both sync protocols, conflicts)."""
    return LeadSettings(manual_position=bool(current_app.config["FIELD_APP_MANUAL_POSITION"]))


class FieldAppSettingsSchema(ma.Schema):
    photo_max_side_px = ma.fields.Integer(metadata={
        "description": "a photo's longest side after downscaling on the phone (JPEG)"})
    attachment_max_bytes = ma.fields.Integer(metadata={
        "description": "the largest file the attachments API takes (ATTACHMENT_MAX_BYTES)"})
    request_max_bytes = ma.fields.Integer(metadata={
        "description": "the largest request body, so the largest upload chunk "
                       "(MAX_CONTENT_LENGTH)"})
    attachment_content_types = ma.fields.List(ma.fields.String(), metadata={
        "description": "media types the attachments API takes"})
    lock_after_minutes = ma.fields.Integer(metadata={
        "description": "idle minutes after which the app locks (FIELD_APP_LOCK_MINUTES)"})
    position_accuracy_m = ma.fields.Integer(metadata={
        "description": "the accuracy in metres the app waits for (FIELD_APP_POSITION_ACCURACY_M)"})
    position_wait_s = ma.fields.Integer(metadata={
        "description": "how long the app waits for it (FIELD_APP_POSITION_WAIT_S)"})
    position_max_age_s = ma.fields.Integer(metadata={
        "description": "a fix older than this is never reused (FIELD_APP_POSITION_MAX_AGE_S)"})
    manual_position = ma.fields.Boolean(metadata={
        "description": "whether a position may be typed by hand (FIELD_APP_MANUAL_POSITION)"})


@blp.route("")
class FieldAppSettings(MethodView):
    @blp.auth()
    @blp.response(200, FieldAppSettingsSchema)
    def get(self) -> dict[str, Any]:
        """The photo size and upload limits the phone applies before it stores a photo, its
        idle lock and what it asks of a position."""
        config = current_app.config
        return {
            "photo_max_side_px": config["FIELD_APP_PHOTO_MAX_SIDE"],
            "attachment_max_bytes": config["ATTACHMENT_MAX_BYTES"],
            "request_max_bytes": config["MAX_CONTENT_LENGTH"],
            "attachment_content_types": [
                t.strip() for t in config["ATTACHMENT_CONTENT_TYPES"].split(",") if t.strip()],
            "lock_after_minutes": config["FIELD_APP_LOCK_MINUTES"],
            "position_accuracy_m": config["FIELD_APP_POSITION_ACCURACY_M"],
            "position_wait_s": config["FIELD_APP_POSITION_WAIT_S"],
            "position_max_age_s": config["FIELD_APP_POSITION_MAX_AGE_S"],
            "manual_position": lead_settings().manual_position,
        }
