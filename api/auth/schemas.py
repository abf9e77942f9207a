from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

DEVICE_ID = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
    error="1–64 letters, digits or . _ : - (start with a letter or digit)",
)


class LoginSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=validate.Length(1, 64))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(1, 256))
    device_id = ma.fields.String(
        required=True, validate=DEVICE_ID,
        metadata={"description": "Stable id the app generates once per installation"},
    )
    device_name = ma.fields.String(load_default="", validate=validate.Length(max=200))
    platform = ma.fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=64))
    app_version = ma.fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=32))


class RefreshSchema(ma.Schema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(1, 200))


class TokenSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(
        required=True, metadata={"description": "Single use; rotate with /auth/refresh"}
    )
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "seconds"})
    user_id = ma.fields.String(required=True)
    court_id = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    device_id = ma.fields.String(required=True)
