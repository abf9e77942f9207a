from __future__ import annotations

import marshmallow as ma
from marshmallow import validate


class DeviceSchema(ma.Schema):
    id = ma.fields.String()
    user_id = ma.fields.String()
    name = ma.fields.String()
    platform = ma.fields.String(allow_none=True)
    registered_at = ma.fields.DateTime()
    last_seen_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    wipe_requested = ma.fields.Boolean()


class RevokeDeviceSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=200))
