"""Sign-in and token refresh."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView

from api.auth.schemas import LoginSchema, RefreshSchema, TokenSchema
from api.smorest import Blueprint
from enforcement.accounts import auth
from enforcement.accounts.auth import TokenPair

blp = Blueprint("auth", __name__, description="Sign in and keep a session alive")


def _token_body(pair: TokenPair) -> dict[str, Any]:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
        "user_id": pair.user.id,
        "court_id": pair.user.court_id,
        "role": pair.user.role.value,
        "device_id": pair.device.id,
    }


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.problem(401)
    @blp.problem(403)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Sign in from a device.

        Registers the device on first sign-in. Returns an access token (15 minutes) and
        a refresh token bound to this device. A revoked device gets 403 `device_revoked`
        and must wipe its local data.
        """
        ext = current_app.extensions["gridwork"]
        pair = auth.login(
            ext.db, ext.tokens, body["username"], body["password"],
            auth.DeviceInfo(body["device_id"], body["device_name"], body["platform"],
                            body["app_version"]),
            ip=request.remote_addr,
        )
        return _token_body(pair)


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenSchema)
    @blp.problem(401)
    @blp.problem(403)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Exchange a refresh token for a new pair.

        Each refresh token works once. Presenting one that was already used signs the
        device out everywhere (401 `refresh_token_reused`): keep only the newest.
        """
        ext = current_app.extensions["gridwork"]
        return _token_body(auth.refresh(ext.db, ext.tokens, body["refresh_token"]))
