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
    WatermelonArgsSchema,
    WatermelonPullSchema,
    WatermelonPushResultSchema,
    WatermelonPushSchema,
)
from enforcement import syncing, syncing_watermelon

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


@blp.route("/watermelon")
class Watermelon(MethodView):
    @blp.auth()
    @blp.arguments(WatermelonArgsSchema, location="query")
    @blp.response(200, WatermelonPullSchema)
    @blp.alt_response(422, response="Problem")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """WatermelonDB `pullChanges`: `{changes: {table: {created, updated, deleted}},
        timestamp}` for your scope since `last_pulled_at`.

        Raw records carry `id`, `version` and the table's columns (snake_case); a point is
        the columns `lon`, `lat`, `datum`, `accuracy_m`; lists and objects are JSON text.
        Records that left your scope come as `deleted`. `timestamp` never lets you miss a
        change that commits late. Tables and columns: docs/sync.md.
        """
        return syncing_watermelon.pull(_db(), current_principal(), args["last_pulled_at"],
                                       args["schema_version"])

    @blp.auth()
    @blp.arguments(WatermelonArgsSchema, location="query")
    @blp.arguments(WatermelonPushSchema)
    @blp.response(200, WatermelonPushResultSchema)
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(422, response="Problem")
    def post(self, args: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """WatermelonDB `pushChanges`: apply `{changes}` made since `last_pulled_at`.

        409 `sync_pull_first` (nothing applied) when a record you send changed on the
        server after your last pull: `synchronize()` again. Otherwise 200, in one
        transaction: fields are merged by owner as in `/push`; a clash on a shared field
        keeps the server's value and becomes a conflict (`/conflicts`); server-owned
        fields and read-only tables are refused per record. Your next pull brings every
        pushed record back as the server holds it.
        """
        results = syncing_watermelon.push(_db(), current_principal(), args["last_pulled_at"],
                                          args["schema_version"], body["changes"])
        return syncing_watermelon.summary(results)
