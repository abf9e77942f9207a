"""``GET /api/v1/field-app/settings``: what the court sets for its field app's phones.

The app reads it at each start and sync while online and keeps it (sealed), so the phone
downscales photos and checks their size offline exactly as the server will take them, locks
itself after the court's idle time and asks for the court's position accuracy.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from api.smorest import Blueprint

blp = Blueprint("field_app_settings", __name__,
                description="The court's settings for the field app on the phones")


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
            "manual_position": config["FIELD_APP_MANUAL_POSITION"],
        }
