"""Administration: the health report of the server and the admin's court."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.admin.schemas import HealthSchema
from api.smorest import Blueprint, current_principal, db
from enforcement.infrastructure.health import HealthLimits, health_report

blp = Blueprint("admin", __name__, description="Administration: server and court health")


def limits() -> HealthLimits:
    config = current_app.config
    return HealthLimits(attachments_dir=config["ATTACHMENTS_DIR"],
                        disk_free_warn_bytes=config["HEALTH_DISK_FREE_WARN_MB"] * 1024 * 1024,
                        device_stale_days=config["HEALTH_DEVICE_STALE_DAYS"])


@blp.route("/health")
class Health(MethodView):
    @blp.auth()
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """For admins: is the database there and migrated, is there disk for attachments,
        how far devices trail the court's changes, which devices have gone quiet
        (`HEALTH_DEVICE_STALE_DAYS`), and how many sync conflicts wait for a person.
        `status` is `warning` when `warnings` names anything. Browsers: `/admin/health`."""
        return health_report(db(), current_principal(),
                             limits())
