"""Offline sync, native protocol: push a batch of mutations, pull changes, settle conflicts."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.field_app.settings import lead_settings
from api.messages import request_locale, title_for
from api.observability import count_sync_pull, count_sync_push
from api.page_json import page_response
from api.smorest import Blueprint, current_caller, current_principal, db
from api.sync.schemas import (
    ConflictQueryArgsSchema,
    ConflictSchema,
    PullArgsSchema,
    PullSchema,
    PushResultSchema,
    PushSchema,
    RejectionQueryArgsSchema,
    RejectionSchema,
    ResolveSchema,
    WatermelonAppSchema,
    WatermelonArgsSchema,
    WatermelonPullSchema,
    WatermelonPushResultSchema,
    WatermelonPushSchema,
    WatermelonSchemaArgsSchema,
)
from enforcement.syncing import usecases as syncing
from enforcement.syncing import watermelon as syncing_watermelon

blp = Blueprint("sync", __name__, description="Offline sync for phones: push, pull, conflicts")



@blp.route("/push")
class Push(MethodView):
    @blp.auth()
    @blp.arguments(PushSchema)
    @blp.response(200, PushResultSchema)
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
        results = syncing.push(db(), lead_settings(), current_principal(), body["device_id"],
                               body["schema_version"], body["mutations"])
        count_sync_push(results)
        return {"results": results}


@blp.route("/pull")
class Pull(MethodView):
    @blp.auth(in_use_case=True)
    @blp.arguments(PullArgsSchema, location="query")
    @blp.response(200, PullSchema)
    @blp.problem(409)
    def get(self, args: dict[str, Any]) -> Response:
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
        page = syncing.pull(db(), current_caller(), args["cursor"], args["limit"],
                            args["schema_version"])
        count_sync_pull(bootstrap=not args["cursor"])
        # PullSchema's dump of this body is the body itself (plain values, fields in its
        # order: tests/api/test_page_json.py), so it is skipped for the page's records
        return page_response(page.to_json())


@blp.route("/conflicts")
class Conflicts(MethodView):
    @blp.auth()
    @blp.arguments(ConflictQueryArgsSchema, location="query")
    @blp.response(200, ConflictSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Conflicts waiting for a person: yours, or every one of the court for officers,
        judges and admins."""
        status = None if args["status"] == "all" else args["status"]
        return syncing.list_conflicts(db(), current_principal(), status)


@blp.route("/conflicts/<string:conflict_id>/resolve")
class ResolveConflict(MethodView):
    @blp.auth()
    @blp.arguments(ResolveSchema)
    @blp.response(200, ConflictSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], conflict_id: str) -> dict[str, Any]:
        """Settle a conflict: `take_server` (keep the record as it is), `take_client` (write
        the device's value) or `merged` (write `value`). The record changes as a normal
        edit, so every device receives it on its next pull."""
        return syncing.resolve_conflict(db(), lead_settings(), current_principal(), conflict_id,
                                        body["resolution"], body["value"])


@blp.route("/rejections")
class Rejections(MethodView):
    @blp.auth()
    @blp.arguments(RejectionQueryArgsSchema, location="query")
    @blp.response(200, RejectionSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Records a phone sent that the server refused whole, newest first: yours, or
        every one of the court for officers and judges.

        Each stays `open` (and unsynced on the phone) until a later push of the record is
        taken (`fixed`) or someone discards it (`discarded`). `code` says why, `message`
        in the request's language, `mutation` is the change as sent.
        """
        status = None if args["status"] == "all" else args["status"]
        return [_with_message(row) for row in
                syncing.list_rejections(db(), current_principal(), status)]


@blp.route("/rejections/<string:rejection_id>/discard")
class DiscardRejection(MethodView):
    @blp.auth()
    @blp.response(200, RejectionSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, rejection_id: str) -> dict[str, Any]:
        """Let a refused record go (its author, or the court's officers and judges): it is
        no longer listed as open, and the phone holding it drops it on its next pull."""
        return _with_message(syncing.discard_rejection(db(), current_principal(),
                                                       rejection_id))


def _with_message(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "message": title_for(row["code"], 422, request_locale())}


@blp.route("/watermelon/schema")
class WatermelonAppSchemaView(MethodView):
    @blp.arguments(WatermelonSchemaArgsSchema, location="query")
    @blp.response(200, WatermelonAppSchema)
    @blp.problem(404)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The WatermelonDB app schema for `schema_version` (default: the newest): every
        synced table with its columns (`type`, `isOptional`, `isIndexed`) for
        `tableSchema()`, and the steps for `schemaMigrations()`. No sign-in needed: it is
        the same for everyone. docs/sync.md shows the app code that uses it.
        """
        return syncing_watermelon.app_schema(args["schema_version"])


@blp.route("/watermelon")
class Watermelon(MethodView):
    @blp.auth(in_use_case=True)
    @blp.arguments(WatermelonArgsSchema, location="query")
    @blp.response(200, WatermelonPullSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """WatermelonDB `pullChanges`: `{changes: {table: {created, updated, deleted}},
        timestamp}` for your scope since `last_pulled_at`.

        Raw records carry `id`, `version` and the table's columns, as
        `/sync/watermelon/schema` declares them (from schema 3 times are milliseconds).
        A record new to your device comes under `created`, one it holds under `updated`;
        records that left your scope come as `deleted`. `timestamp` never lets you miss a
        change that commits late. docs/sync.md has the app code.
        """
        return syncing_watermelon.pull(db(), current_caller(), args["last_pulled_at"],
                                       args["schema_version"], args["migration"])

    @blp.auth()
    @blp.arguments(WatermelonArgsSchema, location="query")
    @blp.arguments(WatermelonPushSchema)
    @blp.response(200, WatermelonPushResultSchema)
    @blp.problem(409)
    def post(self, args: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """WatermelonDB `pushChanges`: apply `{changes}` made since `last_pulled_at`.

        409 `sync_pull_first` (nothing applied) when a record you send changed on the
        server after your last pull: `synchronize()` again. Otherwise 200, in one
        transaction: a created record's `null` columns are "not set" (defaults apply); an
        updated record changes the columns in its `_changed`; fields are merged by owner
        as in `/push`; a clash on a shared field keeps the server's value and becomes a
        conflict (`/conflicts`). Records refused whole come back in
        `experimentalRejectedIds`: return it from `pushChanges` so they stay unsynced on
        the phone; they are listed at `/sync/rejections`. Your next pull brings every
        pushed record back as the server holds it.
        """
        results = syncing_watermelon.push(db(), lead_settings(), current_principal(),
                                          args["last_pulled_at"], args["schema_version"],
                                          body["changes"])
        return syncing_watermelon.summary(results)
