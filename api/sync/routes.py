"""Offline sync, native protocol: push a batch of mutations, pull changes, settle conflicts."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.observability import count_sync_pull, count_sync_push
from api.smorest import Blueprint, current_principal
from api.sync.schemas import (
    ConflictQueryArgsSchema,
    ConflictSchema,
    PullArgsSchema,
    PullSchema,
    PushResultSchema,
    PushSchema,
    ResolveSchema,
)
from enforcement import syncing

blp = Blueprint("sync", __name__, description="Offline sync for phones: push, pull, conflicts")


def _db() -> Any:
    return current_app.extensions["gridwork"].db


@blp.route("/push")
class Push(MethodView):
    @blp.auth()
    @blp.arguments(PushSchema)
    @blp.response(200, PushResultSchema)
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send the mutations made offline, oldest first; one result per mutation.

        The batch is applied in one transaction: if the answer is lost, send the same batch
        again (same `mutation_id`s) and you get the same results, applied once. Results:
        `applied`; `merged` (the server had changed the record too; both kept); `conflict`
        (a value clashed: the server's stays, yours is kept as a conflict whose id is given);
        `rejected` (nothing written, see `code`). Fields the server owns are refused and
        listed in `rejected_fields`. A revoked device gets 403 `device_revoked` with
        `wipe: true`: delete local data.
        """
        results = syncing.push(_db(), current_principal(), body["device_id"],
                               body["schema_version"], body["mutations"])
        count_sync_push(results)
        return {"results": results}


@blp.route("/pull")
class Pull(MethodView):
    @blp.auth()
    @blp.arguments(PullArgsSchema, location="query")
    @blp.response(200, PullSchema)
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(422, response="Problem")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Changes in your scope since `cursor`, per table: `upserts` (whole current
        records) and `deletes` (ids of tombstones); `evictions` lists, per table, records
        that left your scope (delete them locally) while records that entered it arrive as
        upserts, without a full re-download.

        Without a cursor you get everything (a bootstrap), page by page. Store
        `next_cursor` only after storing the page; repeat while `has_more`. A change that
        commits late is never skipped: it waits until it can be delivered in order. A
        device away longer than the server keeps deletes gets 409 `resync_required`: wipe
        the synced records (keep unsent changes) and pull again without a cursor.
        """
        page = syncing.pull(_db(), current_principal(), args["cursor"], args["limit"],
                            args["schema_version"])
        count_sync_pull(bootstrap=not args["cursor"])
        return page.to_json()


@blp.route("/conflicts")
class Conflicts(MethodView):
    @blp.auth()
    @blp.arguments(ConflictQueryArgsSchema, location="query")
    @blp.response(200, ConflictSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Conflicts waiting for a person: yours, or every one of the court for officers,
        judges and admins."""
        status = None if args["status"] == "all" else args["status"]
        return syncing.list_conflicts(_db(), current_principal(), status)


@blp.route("/conflicts/<string:conflict_id>/resolve")
class ResolveConflict(MethodView):
    @blp.auth()
    @blp.arguments(ResolveSchema)
    @blp.response(200, ConflictSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    def post(self, body: dict[str, Any], conflict_id: str) -> dict[str, Any]:
        """Settle a conflict: `take_server` (keep the record as it is), `take_client` (write
        the device's value) or `merged` (write `value`). The record changes as a normal
        edit, so every device receives it on its next pull."""
        return syncing.resolve_conflict(_db(), current_principal(), conflict_id,
                                        body["resolution"], body["value"])
