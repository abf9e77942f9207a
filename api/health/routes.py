"""Liveness and database health, for load balancers and ``make run``'s users."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from api.smorest import db
from enforcement.errors import ServiceUnavailable

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> dict[str, str]:
    try:
        db().ping()
    except SQLAlchemyError as exc:
        raise ServiceUnavailable("the database does not answer",
                                 code="database_unavailable") from exc
    return {"status": "ok", "database": "ok"}
