"""Mediation notes: sessions held by local sages (乡贤) and assistants on a case."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.etag import if_match_version, required_if_match_version, with_etag
from api.mediation_notes.schemas import (
    MediationNoteCreateSchema,
    MediationNotePageSchema,
    MediationNoteQueryArgsSchema,
    MediationNoteSchema,
    MediationNoteUpdateSchema,
)
from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal, db
from enforcement.mediation import notes as mediation

blp = Blueprint("mediation_notes", __name__,
                description="Mediation sessions on a case, and the settlements they reach")



@blp.route("")
class MediationNotes(MethodView):
    @blp.auth()
    @blp.arguments(MediationNoteQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, MediationNotePageSchema)
    def get(self, filters: Any, sort: Any, cursor: str | None, limit: int) -> Any:
        """Mediation notes you may see, newest first unless `sort` says otherwise.

        Assistants: their own. Mediators: those on the cases they mediate. Deputies: those
        on the cases they follow. Officers and judges: the court's.
        """
        page = mediation.list_notes(db(), current_principal(), filters,
                                    decode_cursor(cursor, sort), limit, sort)
        return paged(page)

    @blp.auth()
    @blp.arguments(MediationNoteCreateSchema)
    @blp.response(201, MediationNoteSchema)
    @blp.alt_response(200, schema=MediationNoteSchema, description="A retry: already stored")
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Record a mediation session on a case you may mediate on.

        With `outcome: agreed` a `proposal` is required; the settlement and its
        instalments are created with the note (see `settlement_id`). Instalments must
        add up to the total: else 422 `instalments_do_not_add_up`.
        """
        view, created = mediation.record_note(db(), current_principal(), body)
        location = url_for("mediation_notes.MediationNoteById", note_id=view.note.id)
        return with_etag(view, view.note.version, 201 if created else 200,
                         {"Location": location})


@blp.route("/<string:note_id>")
class MediationNoteById(MethodView):
    @blp.auth()
    @blp.response(200, MediationNoteSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, note_id: str) -> Any:
        """One mediation note. Its `ETag` is what `If-Match` must carry to edit it."""
        view = mediation.get_note(db(), current_principal(), note_id)
        return with_etag(view, view.note.version)

    @blp.auth()
    @blp.arguments(MediationNoteUpdateSchema)
    @blp.response(200, MediationNoteSchema)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, body: dict[str, Any], note_id: str) -> Any:
        """Correct your own note until it is agreed (then 409 `mediation_note_settled`).

        Requires `If-Match`. Changing the outcome to `agreed` creates the settlement.
        """
        version = required_if_match_version()
        view = mediation.edit_note(db(), current_principal(), note_id, version, body)
        return with_etag(view, view.note.version)

    @blp.auth()
    @blp.response(204)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    def delete(self, note_id: str) -> None:
        """Withdraw your own note while it is not agreed.

        An agreed note created a settlement: 409 `mediation_note_settled`. The note is
        kept, leaves every list, and the withdrawal is audited. `If-Match` is optional;
        when sent, a stale version is 412.
        """
        mediation.withdraw_note(db(), current_principal(), note_id, if_match_version())
