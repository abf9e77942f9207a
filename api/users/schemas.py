from __future__ import annotations

import marshmallow as ma

from enforcement.models import Role


class UserStatusSchema(ma.Schema):
    id = ma.fields.String()
    username = ma.fields.String()
    role = ma.fields.Enum(Role, by_value=True)
    is_active = ma.fields.Boolean()
    failed_logins = ma.fields.Integer()
    locked_until = ma.fields.DateTime(allow_none=True, metadata={
        "description": "end of the latest lock-out of one address or device"})
    new_devices_held = ma.fields.Boolean(metadata={
        "description": "a revocation ended all sessions: a new device needs an unlock"})
