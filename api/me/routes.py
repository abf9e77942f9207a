"""The signed-in user's own account."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.me.schemas import MeSchema
from api.smorest import Blueprint, current_principal, db
from enforcement.accounts.profile import profile

blp = Blueprint("me", __name__, description="Who am I: account, court and grids")


@blp.route("")
class Me(MethodView):
    @blp.auth()
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """The caller's account, role, court and the village grids they serve."""
        me = profile(db(), current_principal())
        return {
            "user_id": me.user.id,
            "username": me.user.username,
            "display_name": me.user.display_name,
            "role": me.user.role.value,
            "locale": me.user.locale,
            "court": me.court,
            "device_id": me.device.id,
            "grids": me.grids,
        }
