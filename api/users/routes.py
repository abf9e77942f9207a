"""User administration."""

from __future__ import annotations

from flask.views import MethodView

from api.smorest import Blueprint, current_principal, db
from api.users.schemas import UserStatusSchema
from enforcement.accounts import auth
from enforcement.models import Role, User

blp = Blueprint("users", __name__, description="User administration (admins)")


@blp.route("/<string:user_id>/unlock")
class UnlockUser(MethodView):
    @blp.auth(Role.ADMIN)
    @blp.response(200, UserStatusSchema)
    @blp.problem(404)
    def post(self, user_id: str) -> User:
        """Lift the user's lock-outs after too many wrong passwords (from every address and
        device) before they run out by themselves, and let a new device sign in again after
        a revocation that ended all sessions."""
        return auth.unlock_user(db(), current_principal(),
                                user_id)
