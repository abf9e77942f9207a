"""Attachments: send a file in chunks, resume after any failure, download it.

Uploads speak tus 1.0.0 (``api.attachments.tus``: core, creation, creation-with-upload,
checksum, termination, expiration), so tus-js-client, Uppy and tuspy upload as they
stand; the older declare-and-PATCH form (a JSON declaration, then ``PATCH`` without
``Tus-Resumable``) keeps working. docs/attachments.md shows both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Response, current_app, request, send_file
from flask.views import MethodView

from api.attachments import tus
from api.attachments.schemas import AttachmentDeclareSchema, AttachmentSchema
from api.problems import PROBLEM_MEDIA_TYPE, ProblemSchema
from api.smorest import Blueprint, current_principal, db
from enforcement.attachments import usecases as attachments
from enforcement.attachments.usecases import AttachmentSettings, UploadState
from enforcement.errors import DomainError, UnsupportedMediaType

blp = Blueprint("attachments", __name__, description="Photos, recordings and signed forms: "
                                                     "resumable uploads by SHA-256 (tus 1.0.0)")
blp.before_request(tus.check_version)
blp.after_request(tus.add_protocol_headers)

CHUNK_TYPES = ("application/octet-stream", tus.CHUNK_TYPE)
BINARY = {"schema": {"type": "string", "format": "binary"}}
OFFSET_HEADERS = {
    "Upload-Offset": {"description": "bytes received so far", "schema": {"type": "integer"}},
    "Upload-Length": {"description": "declared size", "schema": {"type": "integer"}},
    "Upload-Expires": {"description": "an unfinished upload untouched until then expires",
                       "schema": {"type": "string"}},
}
CHECKSUM_MISMATCH = {"schema": ProblemSchema, "content_type": PROBLEM_MEDIA_TYPE,
                     "description": "Checksum Mismatch: the chunk does not match its "
                                    "Upload-Checksum; nothing of it was kept"}


def _settings() -> AttachmentSettings:
    config = current_app.config
    types = frozenset(t.strip().lower() for t in config["ATTACHMENT_CONTENT_TYPES"].split(",")
                      if t.strip())
    return AttachmentSettings(Path(config["ATTACHMENTS_DIR"]), config["ATTACHMENT_MAX_BYTES"],
                              types, timedelta(hours=config["ATTACHMENT_UPLOAD_EXPIRY_HOURS"]))


def _url(sha256: str) -> str:
    return f"/api/v1/attachments/{sha256}"


def _headers(state: UploadState) -> dict[str, str]:
    return tus.state_headers(state)


def _tus_or(tus_view: Callable[..., Response]) -> Callable[[Callable[..., Any]], Any]:
    """Send a request that carries ``Tus-Resumable`` to ``tus_view``; the decorated view
    (and its OpenAPI description) serves the declare-and-PATCH form."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def dispatch(*args: Any, **kwargs: Any) -> Any:
            return tus_view(*args, **kwargs) if tus.speaks_tus() else view(*args, **kwargs)

        return dispatch

    return decorator


def _tus_create(*_: Any) -> Response:
    """tus creation, with the first chunk in the body if the client sent one."""
    declared = tus.creation()
    principal, settings = current_principal(), _settings()
    data = request.get_data() if request.content_length or request.mimetype else b""
    if data or request.mimetype == tus.CHUNK_TYPE:
        if request.mimetype != tus.CHUNK_TYPE:
            raise UnsupportedMediaType(f"send the first chunk as {tus.CHUNK_TYPE}")
        tus.verify_checksum(data)
        state, _new = attachments.create(db(), settings, principal, declared.sha256, declared.size,
                                         declared.content_type, declared.file_name, data)
    else:
        state, _new = attachments.declare(db(), settings, principal, declared.sha256,
                                          declared.size, declared.content_type,
                                          declared.file_name)
    return Response(status=201, headers={**_headers(state), "Location": _url(state.sha256)})


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
    @blp.response(204, description="Tus-Version, Tus-Extension, Tus-Max-Size and "
                                   "Tus-Checksum-Algorithm say what this server speaks")
    def options(self) -> Response:
        """tus discovery: the protocol version, extensions, largest file and checksums.

        No sign-in needed; a tus client may ask before it uploads."""
        return Response(status=204, headers=tus.discovery_headers(
            current_app.config["ATTACHMENT_MAX_BYTES"]))

    @_tus_or(_tus_create)
    @blp.auth()
    @blp.arguments(AttachmentDeclareSchema)
    @blp.response(201, AttachmentSchema, headers=OFFSET_HEADERS)
    @blp.alt_response(200, schema=AttachmentSchema,
                      description="Known already: complete (nothing to send) or begun "
                                  "(resume from `offset`)")
    @blp.problem(400)
    @blp.problem(409)
    @blp.problem(412)
    @blp.problem(413)
    @blp.problem(415)
    @blp.alt_response(460, **CHECKSUM_MISMATCH)
    @blp.problem(507)
    def post(self, body: dict[str, Any]) -> Any:
        """Create an upload (tus), or declare a file before sending it.

        **tus 1.0.0** (tus-js-client, Uppy, tuspy): send `Tus-Resumable: 1.0.0`,
        `Upload-Length` and `Upload-Metadata` with `sha256` (hex), `filetype` and
        optionally `filename`, each base64 as tus encodes them; with a body
        (`application/offset+octet-stream`, at most 2 MiB) it is the first chunk. The answer
        is 201 with `Location` (where to `PATCH` and `HEAD`) and `Upload-Offset`: equal to
        `Upload-Length` when the court already holds this content (nothing to send).

        **Declare-and-PATCH** (without `Tus-Resumable`): send this JSON. The answer says
        where to send it (`upload_url`) and from which `offset`; if the court already
        holds the same content, 200 with `complete: true`. Each file is stored once.

        Too large: 413; a type not accepted: 422; no room on the server: 507.
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
    @blp.problem(410)
    def head(self, sha256: str) -> Response:
        """How far an upload got: resume from `Upload-Offset` (equal to `Upload-Length`
        once complete)."""
        state = attachments.upload_state(db(), _settings(), current_principal(),
                                         sha256.lower())
        return Response(status=200, headers=_headers(state))

    @blp.auth()
    @blp.response(204, description="Given up: its bytes are deleted")
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(410)
    def delete(self, sha256: str) -> Response:
        """Give up an unfinished upload (tus termination).

        For whoever began it, and the court's officers and judges. A complete file is
        never deleted this way (409 `attachment_complete`): records may list it."""
        attachments.terminate(db(), _settings(), current_principal(), sha256.lower())
        return Response(status=204)

    @blp.auth()
    @blp.doc(requestBody={"required": True, "content": {CHUNK_TYPES[0]: BINARY}},
             parameters=[{"in": "header", "name": "Upload-Offset", "required": True,
                          "schema": {"type": "integer", "minimum": 0},
                          "description": "where this chunk starts; must equal the server's"}])
    @blp.response(200, AttachmentSchema, headers=OFFSET_HEADERS)
    @blp.problem(400)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(410)
    @blp.problem(412)
    @blp.problem(413)
    @blp.problem(415)
    @blp.problem(422)
    @blp.alt_response(460, **CHECKSUM_MISMATCH)
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

        With `Tus-Resumable: 1.0.0` this is tus's PATCH: the answer is 204 with the new
        `Upload-Offset` (and `Upload-Expires` while unfinished); a file the court already
        holds answers its full length to any chunk. `Upload-Checksum: sha256 <base64>`
        (or sha1, md5) has the chunk checked first: 460 if it does not match.
        """
        offset = _upload_offset()
        media_type = (request.mimetype or "").lower()
        if media_type not in CHUNK_TYPES:
            raise UnsupportedMediaType("send the chunk as application/octet-stream")
        data = request.get_data()
        tus.verify_checksum(data)
        speaks_tus = tus.speaks_tus()
        state = attachments.append_chunk(db(), _settings(), current_principal(),
                                         sha256.lower(), offset, data,
                                         complete_answers_any=speaks_tus)
        if speaks_tus:
            return Response(status=204, headers=_headers(state))
        return _body(state), 200, _headers(state)
