"""Sync payloads: a push batch and its results, a pull page, conflicts.

Record values travel as plain JSON objects (``fields``): which fields a table has and who
owns each is the sync spec's business, not the schema's, so that one endpoint serves every
synced table and every client schema version.
"""

from __future__ import annotations

import re
from typing import Any, cast

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID
from sync import json_depth
from sync.conflicts import Resolution
from sync.protocol import Mutation, MutationResult, Op, Status

MAX_BATCH = 1000


class MutationSchema(ma.Schema):
    mutation_id = ma.fields.String(required=True, validate=validate.Length(1, 64),
                                   metadata={"description": "Unique per device; a retry "
                                             "sends the same id and gets the stored result"})
    table = ma.fields.String(required=True, validate=validate.Length(1, 64))
    op = ma.fields.Enum(Op, by_value=True, required=True)
    id = ma.fields.String(required=True, validate=RECORD_ID)
    base_version = ma.fields.Integer(load_default=None, allow_none=True,
                                     validate=validate.Range(min=1, max=2**31 - 1))
    base = ma.fields.Dict(keys=ma.fields.String(), load_default=None, allow_none=True,
                          metadata={"description": "Values the change was based on, when "
                                    "the device has them (better shared-field merges)"})
    values = ma.fields.Dict(keys=ma.fields.String(), load_default=dict, data_key="fields",
                            metadata={"description": "The record's new values, by field"})

    @ma.post_load
    def to_mutation(self, data: dict[str, Any], **_: Any) -> Mutation:
        return Mutation(fields=data.pop("values"), **data)


_MUTATION_KEYS = frozenset(("mutation_id", "table", "op", "id", "base_version", "base",
                            "fields"))
_OPS = {op.value: op for op in Op}
_MAX_VERSION = 2**31 - 1
_ABSENT = object()
_RECORD_ID = cast("re.Pattern[str]", RECORD_ID.regex)


def _plain_mutation(item: Any) -> Mutation | None:
    """``MutationSchema().load(item)`` for a mutation as phones send it (every value of
    the type the schema reads, within its bounds); None for anything else, which the
    schema then loads (or refuses) itself."""
    if type(item) is not dict or not item.keys() <= _MUTATION_KEYS:
        return None
    mutation_id, table, op, record_id = (item.get("mutation_id"), item.get("table"),
                                         item.get("op"), item.get("id"))
    base_version, base = item.get("base_version"), item.get("base")
    values = item.get("fields", _ABSENT)
    if not (type(mutation_id) is str and 1 <= len(mutation_id) <= 64
            and type(table) is str and 1 <= len(table) <= 64
            and type(op) is str and op in _OPS
            and type(record_id) is str and _RECORD_ID.match(record_id) is not None
            and (base_version is None
                 or (type(base_version) is int and 1 <= base_version <= _MAX_VERSION))
            and (base is None or type(base) is dict)
            and (values is _ABSENT or type(values) is dict)):
        return None
    return Mutation(mutation_id, table, _OPS[op], record_id,
                    {} if values is _ABSENT else dict(cast(dict[str, Any], values)),
                    base_version,
                    None if base is None else dict(base))


class MutationList(ma.fields.List):
    """``List(Nested(MutationSchema))``, documented as such, that loads a batch of
    well-formed mutations without marshmallow's field-by-field machinery: ~40 µs a
    mutation, a fifth of the Python a push of 100 new leads cost
    (bench/profile-findings.md, finding 30). Anything else goes through the schema, so
    every answer (and every 422) is the schema's."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if type(value) is list:
            loaded = [_plain_mutation(item) for item in value]
            if not any(mutation is None for mutation in loaded):
                return loaded
        return super()._deserialize(value, attr, data, **kwargs)


class PushSchema(ma.Schema):
    device_id = ma.fields.String(required=True, validate=validate.Length(1, 64))
    schema_version = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    mutations = MutationList(ma.fields.Nested(MutationSchema), required=True,
                             validate=validate.Length(max=MAX_BATCH))


class ConflictNoteSchema(ma.Schema):
    conflict_id = ma.fields.String()
    field = ma.fields.String(allow_none=True)
    server_value = ma.fields.Raw(allow_none=True)
    client_value = ma.fields.Raw(allow_none=True)


class MutationResultSchema(ma.Schema):
    mutation_id = ma.fields.String()
    table = ma.fields.String()
    id = ma.fields.String()
    status = ma.fields.Enum(Status, by_value=True)
    version = ma.fields.Integer(allow_none=True)
    code = ma.fields.String(allow_none=True)
    detail = ma.fields.String(allow_none=True)
    conflicts = ma.fields.List(ma.fields.Nested(ConflictNoteSchema))
    rejected_fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    server_values = ma.fields.Dict(allow_none=True)


def _text(value: Any) -> str | None:
    return None if value is None else ma.utils.ensure_text_type(value)


def _result(result: MutationResult) -> dict[str, Any]:
    """``MutationResultSchema().dump(result)``, key for key and in its order."""
    return {
        "mutation_id": _text(result.mutation_id), "table": _text(result.table),
        "id": _text(result.id), "status": None if result.status is None else result.status.value,
        "version": None if result.version is None else int(result.version),
        "code": _text(result.code), "detail": _text(result.detail),
        "conflicts": [{"conflict_id": _text(note.conflict_id), "field": _text(note.field),
                       "server_value": note.server_value, "client_value": note.client_value}
                      for note in result.conflicts],
        "rejected_fields": {_text(name): _text(why)
                            for name, why in result.rejected_fields.items()},
        "server_values": (None if result.server_values is None
                          else dict(result.server_values)),
    }


class ResultList(ma.fields.List):
    """``List(Nested(MutationResultSchema))``, documented as such, that writes push
    results directly (the schema's output, without its per-field calls; finding 30)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if type(value) is list and all(type(r) is MutationResult for r in value):
            return [_result(r) for r in value]
        return super()._serialize(value, attr, obj, **kwargs)


class PushResultSchema(ma.Schema):
    results = ResultList(ma.fields.Nested(MutationResultSchema))


class PullArgsSchema(ma.Schema):
    cursor = ma.fields.String(load_default=None)
    limit = ma.fields.Integer(load_default=500, validate=validate.Range(1, 5000))
    schema_version = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))


class TableChangesSchema(ma.Schema):
    upserts = ma.fields.List(ma.fields.Dict())
    deletes = ma.fields.List(ma.fields.String())


class PullSchema(ma.Schema):
    changes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(TableChangesSchema))
    evictions = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Per table, ids of records that left your scope (another "
                  "grid, a reassigned case): delete them locally; they were not deleted"})
    next_cursor = ma.fields.String()
    has_more = ma.fields.Boolean()


class ConflictQueryArgsSchema(ma.Schema):
    status = ma.fields.String(load_default="open",
                              validate=validate.OneOf(["open", "resolved", "all"]))


class ConflictSchema(ma.Schema):
    id = ma.fields.String()
    table = ma.fields.String(attribute="table_name")
    record_id = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "field, edit_deleted or delete_edited"})
    field = ma.fields.String(allow_none=True)
    device_id = ma.fields.String()
    author_id = ma.fields.String()
    mutation_id = ma.fields.String()
    base_known = ma.fields.Boolean()
    base_value = ma.fields.Raw(allow_none=True)
    server_value = ma.fields.Raw(allow_none=True)
    client_value = ma.fields.Raw(allow_none=True)
    status = ma.fields.String()
    resolution = ma.fields.String(allow_none=True)
    resolved_value = ma.fields.Raw(allow_none=True)
    resolved_by = ma.fields.String(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class ResolveSchema(ma.Schema):
    resolution = ma.fields.Enum(Resolution, by_value=True, required=True)
    value = ma.fields.Raw(load_default=None, allow_none=True,
                          metadata={"description": "The value to keep, for `merged`"})


class WatermelonArgsSchema(ma.Schema):
    """Query of both WatermelonDB calls. ``last_pulled_at`` is the ``timestamp`` of the
    previous pull (``null`` or absent on the first sync)."""

    last_pulled_at = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^(null|\d{1,16})?$"),
        metadata={"description": "The `timestamp` your last pull returned (a number), or "
                  "`null` for the first sync"})
    schema_version = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    migration = ma.fields.String(
        # Percent-encoded, 4,000 characters stay under the 64 KiB request line servers take.
        load_default=None, allow_none=True, validate=validate.Length(max=4_000),
        metadata={"description": "`synchronize()`'s `migration` as JSON (`null` when there "
                  "is none): the tables that appeared or gained columns since the app's "
                  "last pull come whole"})

    @ma.post_load
    def to_number(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        raw = data.get("last_pulled_at")
        number = int(raw) if raw and raw != "null" else None
        if number is not None and number > 2**53 - 1:
            raise ma.ValidationError("too large", "last_pulled_at")
        data["last_pulled_at"] = number or None
        data["migration"] = _migration(data.get("migration"))
        return data


def _migration(raw: str | None) -> dict[str, Any] | None:
    if raw in (None, "", "null", "undefined"):
        return None
    try:
        value = json_depth.loads(raw)
    except json_depth.TooDeep as exc:
        raise ma.ValidationError(str(exc), "migration") from exc
    except ValueError as exc:
        raise ma.ValidationError("not JSON", "migration") from exc
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
            isinstance(value.get(key, []), list) for key in ("tables", "columns")):
        raise ma.ValidationError("{from, tables: [...], columns: [...]} expected", "migration")
    return value


class WatermelonTableChangesSchema(ma.Schema):
    created = ma.fields.List(ma.fields.Dict(keys=ma.fields.String()), load_default=list,
                             validate=validate.Length(max=MAX_BATCH))
    updated = ma.fields.List(ma.fields.Dict(keys=ma.fields.String()), load_default=list,
                             validate=validate.Length(max=MAX_BATCH))
    deleted = ma.fields.List(ma.fields.String(validate=validate.Length(1, 64)),
                             load_default=list, validate=validate.Length(max=MAX_BATCH))


class WatermelonPushSchema(ma.Schema):
    changes = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Length(1, 64)),
        values=ma.fields.Nested(WatermelonTableChangesSchema), required=True,
        validate=validate.Length(max=32),
        metadata={"description": "`{table: {created: [raw record], updated: [raw record], "
                  "deleted: [id]}}` as `synchronize()` passes it to `pushChanges`"})


class WatermelonPullSchema(ma.Schema):
    changes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict())
    timestamp = ma.fields.Integer(metadata={"description": "Send it back as "
                                            "`last_pulled_at` next time"})


class WatermelonPushResultSchema(ma.Schema):
    experimentalRejectedIds = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Per table, records refused whole: return this from "
                  "`pushChanges` and `synchronize()` keeps them unsynced on the phone. "
                  "Each is listed at `GET /sync/rejections` until fixed or discarded"})
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    results = ma.fields.List(ma.fields.Nested(MutationResultSchema),
                             metadata={"description": "Every record not applied as sent"})


class WatermelonSchemaArgsSchema(ma.Schema):
    schema_version = ma.fields.Integer(
        load_default=None, validate=validate.Range(min=1, max=1000),
        metadata={"description": "The version your app declares (default: the newest)"})


class WatermelonColumnSchema(ma.Schema):
    name = ma.fields.String()
    type = ma.fields.String(metadata={"description": "string, number or boolean"})
    isOptional = ma.fields.Boolean()
    isIndexed = ma.fields.Boolean()


class WatermelonTableSchema(ma.Schema):
    name = ma.fields.String()
    columns = ma.fields.List(ma.fields.Nested(WatermelonColumnSchema))


class WatermelonMigrationStepSchema(ma.Schema):
    type = ma.fields.String(metadata={"description": "add_columns or create_table"})
    table = ma.fields.String(metadata={"description": "add_columns: the table"})
    name = ma.fields.String(metadata={"description": "create_table: the table"})
    columns = ma.fields.List(ma.fields.Nested(WatermelonColumnSchema))


class WatermelonMigrationSchema(ma.Schema):
    toVersion = ma.fields.Integer()
    steps = ma.fields.List(ma.fields.Nested(WatermelonMigrationStepSchema))


class WatermelonAppSchema(ma.Schema):
    version = ma.fields.Integer()
    tables = ma.fields.List(ma.fields.Nested(WatermelonTableSchema),
                            metadata={"description": "`tableSchema()` of each"})
    migrations = ma.fields.List(ma.fields.Nested(WatermelonMigrationSchema),
                                metadata={"description": "`schemaMigrations()`' list"})


class RejectionQueryArgsSchema(ma.Schema):
    status = ma.fields.String(load_default="open",
                              validate=validate.OneOf(["open", "fixed", "discarded", "all"]))


class RejectionSchema(ma.Schema):
    id = ma.fields.String()
    table = ma.fields.String(attribute="table_name")
    record_id = ma.fields.String()
    op = ma.fields.String(metadata={"description": "create, update or delete"})
    device_id = ma.fields.String()
    author_id = ma.fields.String()
    author_name = ma.fields.String(allow_none=True)
    code = ma.fields.String(metadata={"description": "Why it was refused (stable)"})
    message = ma.fields.String(metadata={"description": "Why, in the request's language"})
    detail = ma.fields.String(allow_none=True)
    mutation = ma.fields.Dict(metadata={"description": "The change as the device sent it "
                                        "(its fields as the engine read them)"})
    attempts = ma.fields.Integer(metadata={"description": "How often it was sent and "
                                           "refused while open"})
    status = ma.fields.String(metadata={"description": "open, fixed or discarded"})
    first_refused_at = ma.fields.DateTime()
    last_refused_at = ma.fields.DateTime()
    resolved_by = ma.fields.String(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
