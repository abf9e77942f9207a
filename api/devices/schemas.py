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
    end_all_sessions = ma.fields.Boolean(load_default=False, metadata={
        "description": "Also sign the device's owner out everywhere and let no new device "
                       "sign in to the account until an admin unlocks it (a phone lost while "
                       "signed in, its password perhaps seen). The owner's other registered "
                       "devices sign in again with the password."})
