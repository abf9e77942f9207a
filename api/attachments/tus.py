"""tus 1.0.0 (https://tus.io/protocols/resumable-upload) on ``/api/v1/attachments``: the
headers stock clients (tus-js-client, Uppy, tuspy) send and read, so that a phone uploads
with them instead of a hand-written client.

A request that carries ``Tus-Resumable`` speaks tus; one without it speaks the older
declare-and-PATCH form, which stays (docs/attachments.md). Both end in the same use cases
(``enforcement.attachments.usecases``): the content address, the court's deduplication, the access
policy, crash recovery and 507 on a full disk are the same whichever protocol a phone uses.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from werkzeug.http import http_date

from enforcement.attachments.usecases import UploadState
from enforcement.errors import DomainError, PreconditionFailed

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,checksum,termination,expiration"
CHUNK_TYPE = "application/offset+octet-stream"
CHECKSUMS: dict[str, Callable[..., Any]] = {
    "sha256": hashlib.sha256, "sha1": hashlib.sha1, "md5": hashlib.md5}
"""``Upload-Checksum`` algorithms, sha256 first (tus-py-client sends sha1 unless told)."""
CONTENT_TYPE_KEYS = ("filetype", "content_type", "type")
"""Metadata keys naming the media type: tus-js-client's and Uppy's ``filetype`` first."""
FILE_NAME_KEYS = ("filename", "name")
METADATA_KEY = re.compile(r"^[^\s,]+$")
SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


class ChecksumMismatch(DomainError):
    """The chunk does not have its ``Upload-Checksum``: nothing of it was kept (tus: 460)."""

    status = 460
    code = "checksum_mismatch"


@dataclass(frozen=True, slots=True)
class Creation:
    """What a tus ``POST`` declares: the length, and the metadata Gridwork needs."""

    sha256: str
    size: int
    content_type: str
    file_name: str | None


def speaks_tus() -> bool:
    return "Tus-Resumable" in request.headers


def check_version() -> None:
    """Refuse a tus version this server does not speak (412, with ``Tus-Version``)."""
    sent = request.headers.get("Tus-Resumable")
    if sent is not None and sent.strip() != TUS_VERSION and request.method != "OPTIONS":
        raise PreconditionFailed(f"this server speaks tus {TUS_VERSION} only",
                                 code="tus_version_unsupported")


def add_protocol_headers(response: Response) -> Response:
    """``Tus-Resumable`` on every answer; ``Tus-Version`` where a client learns versions."""
    response.headers["Tus-Resumable"] = TUS_VERSION
    if request.method == "OPTIONS" or response.status_code == 412:
        response.headers["Tus-Version"] = TUS_VERSION
    return response


def discovery_headers(max_bytes: int) -> dict[str, str]:
    """What ``OPTIONS`` tells a client about this server."""
    return {"Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(max_bytes), "Tus-Checksum-Algorithm": ",".join(CHECKSUMS)}


def state_headers(state: UploadState) -> dict[str, str]:
    """Where an upload stands, as ``HEAD``, ``PATCH`` and ``POST`` answer it."""
    headers = {"Upload-Offset": str(state.offset), "Upload-Length": str(state.size),
               "Upload-Metadata": encode_metadata(state), "Cache-Control": "no-store"}
    if state.expires_at is not None and not state.complete:
        headers["Upload-Expires"] = http_date(state.expires_at)
    return headers


def encode_metadata(state: UploadState) -> str:
    pairs = {"sha256": state.sha256, "filetype": state.content_type}
    if state.file_name:
        pairs["filename"] = state.file_name
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}"
                    for key, value in pairs.items())


def creation() -> Creation:
    """Read a tus ``POST``: ``Upload-Length`` and ``Upload-Metadata`` with ``sha256``,
    ``filetype`` and, optionally, ``filename``."""
    raw_length = request.headers.get("Upload-Length", "").strip()
    if not raw_length.isdigit() or len(raw_length) > 18:
        raise DomainError("send Upload-Length: the file's size in bytes (this server needs "
                          "it up front: no Upload-Defer-Length)", code="upload_length_required")
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    sha256 = metadata.get("sha256") or ""
    content_type = next((metadata[k] for k in CONTENT_TYPE_KEYS if metadata.get(k)), "")
    missing = {}
    if not SHA256_HEX.match(sha256):
        missing["sha256"] = ["the file's SHA-256, 64 hexadecimal digits"]
    if not content_type.strip():
        missing["filetype"] = ["the file's media type, e.g. image/jpeg"]
    if missing:
        raise DomainError("Upload-Metadata must name the file's sha256 and filetype",
                          code="upload_metadata_invalid", errors={"Upload-Metadata": missing})
    file_name = next((metadata[k] for k in FILE_NAME_KEYS if metadata.get(k)), None)
    return Creation(sha256.lower(), int(raw_length), content_type[:100], file_name)


def parse_metadata(raw: str) -> dict[str, str]:
    """``key base64,key2 base64`` → values (UTF-8); a key may come without a value."""
    values: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            value = None
        if not METADATA_KEY.match(key) or key in values or value is None:
            raise DomainError(f"Upload-Metadata: {key[:40]!r} is not 'key base64-value' "
                              "or comes twice", code="upload_metadata_invalid")
        values[key] = value
    return values


def verify_checksum(data: bytes) -> None:
    """Check a chunk against its ``Upload-Checksum`` (if sent) before anything is kept."""
    header = request.headers.get("Upload-Checksum")
    if header is None:
        return
    algorithm, _, encoded = header.strip().partition(" ")
    digest = CHECKSUMS.get(algorithm.lower())
    if digest is None:
        raise DomainError(f"Upload-Checksum: use one of {', '.join(CHECKSUMS)}",
                          code="checksum_algorithm_unsupported")
    try:
        expected = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        expected = b""
    if digest(data).digest() != expected:
        raise ChecksumMismatch("the chunk does not match its Upload-Checksum; nothing of it "
                               "was kept: send it again")
