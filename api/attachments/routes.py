"""Attachments: declare a file, send it in chunks, resume after any failure, download it.

The protocol follows tus (tus.io) without its extensions: ``Upload-Offset`` and
``Upload-Length`` headers, ``PATCH`` with the bytes at the offset the server has, and
``HEAD`` for that offset. docs/attachments.md shows it with curl.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, request, send_file
from flask.views import MethodView

from api.attachments.schemas import AttachmentDeclareSchema, AttachmentSchema
from api.smorest import Blueprint, current_principal, db
from enforcement.attachments import usecases as attachments
from enforcement.attachments.usecases import AttachmentSettings, UploadState
from enforcement.errors import DomainError, UnsupportedMediaType

blp = Blueprint("attachments", __name__, description="Photos, recordings and signed forms: "
                                                     "resumable uploads by SHA-256")

CHUNK_TYPES = ("application/octet-stream", "application/offset+octet-stream")
BINARY = {"schema": {"type": "string", "format": "binary"}}
OFFSET_HEADERS = {
    "Upload-Offset": {"description": "bytes received so far", "schema": {"type": "integer"}},
    "Upload-Length": {"description": "declared size", "schema": {"type": "integer"}},
}



def _settings() -> AttachmentSettings:
    config = current_app.config
    types = frozenset(t.strip().lower() for t in config["ATTACHMENT_CONTENT_TYPES"].split(",")
                      if t.strip())
    return AttachmentSettings(Path(config["ATTACHMENTS_DIR"]), config["ATTACHMENT_MAX_BYTES"],
                              types)


def _url(sha256: str) -> str:
    return f"/api/v1/attachments/{sha256}"


def _headers(state: UploadState) -> dict[str, str]:
    return {"Upload-Offset": str(state.offset), "Upload-Length": str(state.size),
            "Cache-Control": "no-store"}


def _body(state: UploadState) -> dict[str, Any]:
    return {"sha256": state.sha256, "size": state.size, "content_type": state.content_type,
            "offset": state.offset, "complete": state.complete,
            "upload_url": _url(state.sha256), "download_url": _url(state.sha256)}


def _upload_offset() -> int:
    raw = request.headers.get("Upload-Offset", "").strip()
    if not raw.isdigit() or len(raw) > 18:
        raise DomainError("send Upload-Offset: the offset (bytes) this chunk starts at",
                          code="upload_offset_required")
    return int(raw)


@blp.route("")
class Attachments(MethodView):
    @blp.auth()
    @blp.arguments(AttachmentDeclareSchema)
    @blp.response(201, AttachmentSchema, headers=OFFSET_HEADERS)
    @blp.alt_response(200, schema=AttachmentSchema,
                      description="Known already: complete (nothing to send) or begun "
                                  "(resume from `offset`)")
    @blp.problem(409)
    @blp.problem(413)
    @blp.problem(507)
    def post(self, body: dict[str, Any]) -> Any:
        """Declare a file before sending it.

        Send its SHA-256, size and media type. The answer says where to send it
        (`upload_url`) and from which `offset`. If the court already holds the same
        content the answer is 200 with `complete: true` and there is nothing to send:
        each file is stored once. Too large: 413; a type not accepted: 422; no room on
        the server: 507.
        """
        state, created = attachments.declare(db(), _settings(), current_principal(),
                                             body["sha256"], body["size"], body["content_type"])
        headers = {**_headers(state), "Location": _url(state.sha256)}
        return _body(state), 201 if created else 200, headers


@blp.route("/<string:sha256>")
class AttachmentBySha(MethodView):
    @blp.auth()
    @blp.response(200, description="The file, with its media type; ETag is the sha256",
                  content_type="application/octet-stream")
    @blp.problem(404)
    def get(self, sha256: str) -> Response:
        """Download a file.

        For whoever uploaded it, the court's officers and judges, and anyone who may read
        a record (a lead…) that refers to it; everyone else gets 404. The content never
        changes: its `ETag` is its SHA-256, so `If-None-Match` answers 304.
        """
        found = attachments.download(db(), _settings(), current_principal(), sha256.lower())
        response = send_file(found.path.resolve(), mimetype=found.content_type,
                             etag=found.sha256, conditional=True, max_age=None)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response

    @blp.auth()
    @blp.response(200, description="Upload-Offset: bytes kept so far; Upload-Length: the "
                                   "declared size", headers=OFFSET_HEADERS)
    @blp.problem(404)
    def head(self, sha256: str) -> Response:
        """How far an upload got: resume from `Upload-Offset` (equal to `Upload-Length`
        once complete)."""
        state = attachments.upload_state(db(), _settings(), current_principal(),
                                         sha256.lower())
        return Response(status=200, headers=_headers(state))

    @blp.auth()
    @blp.doc(requestBody={"required": True, "content": {CHUNK_TYPES[0]: BINARY}},
             parameters=[{"in": "header", "name": "Upload-Offset", "required": True,
                          "schema": {"type": "integer", "minimum": 0},
                          "description": "where this chunk starts; must equal the server's"}])
    @blp.response(200, AttachmentSchema, headers=OFFSET_HEADERS)
    @blp.problem(400)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(413)
    @blp.problem(415)
    @blp.problem(422)
    @blp.problem(507)
    def patch(self, sha256: str) -> Any:
        """Send the next chunk (at most 2 MiB, `MAX_CONTENT_LENGTH`).

        Body: the raw bytes, `Content-Type: application/octet-stream` (tus clients'
        `application/offset+octet-stream` works too), with
        `Upload-Offset` equal to the offset the server has (from the declaration, the last
        chunk's answer, or `HEAD`). Another offset is 409 `upload_offset_mismatch` with the
        right `offset`. The chunk that reaches the declared size makes the server check the
        SHA-256: `complete: true`, or 422 `attachment_hash_mismatch` with everything
        received thrown away (start again at 0). A full disk is 507 and keeps the offset.
        """
        offset = _upload_offset()
        media_type = (request.mimetype or "").lower()
        if media_type not in CHUNK_TYPES:
            raise UnsupportedMediaType("send the chunk as application/octet-stream")
        state = attachments.append_chunk(db(), _settings(), current_principal(),
                                         sha256.lower(), offset, request.get_data())
        return _body(state), 200, _headers(state)
