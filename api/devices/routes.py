"""Devices: see where you are signed in, and cut off a lost phone."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.devices.schemas import DeviceSchema, RevokeDeviceSchema
from api.smorest import Blueprint, current_principal, db
from enforcement.accounts import auth
from enforcement.models import Device

blp = Blueprint("devices", __name__, description="Registered devices and revocation")


@blp.route("")
class Devices(MethodView):
    @blp.auth()
    @blp.response(200, DeviceSchema(many=True))
    def get(self) -> list[Device]:
        """Your devices; an admin sees every device of the court."""
        return auth.list_devices(db(), current_principal())


@blp.route("/<string:device_id>/revoke")
class RevokeDevice(MethodView):
    @blp.auth()
    @blp.arguments(RevokeDeviceSchema)
    @blp.response(200, DeviceSchema)
    @blp.problem(404)
    def post(self, body: dict[str, Any], device_id: str) -> Device:
        """Revoke a device (an admin, or the device's own user).

        Its tokens stop working at once, sync refuses it, and on its next contact it is
        told to wipe local data. Revoking twice is harmless. Device ids are compared
        without case. With `end_all_sessions`, every session of the owner ends as well and a
        new device needs an admin's `POST /api/v1/users/{user_id}/unlock` before it may sign
        in (403 `device_approval_required`).
        """
        return auth.revoke_device(db(), current_principal(), device_id, body.get("reason"),
                                  end_all_sessions=body["end_all_sessions"])
