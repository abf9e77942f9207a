"""Attachment payloads: a declaration in, an upload's state out, and how records list them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.fields import text

SHA256_HEX = validate.Regexp(r"^[0-9a-fA-F]{64}$", error="64 hexadecimal digits")


class AttachmentDeclareSchema(ma.Schema):
    """The file a phone is about to send."""

    sha256 = ma.fields.String(required=True, validate=SHA256_HEX, metadata={
        "description": "SHA-256 of the whole file, hex"})
    size = ma.fields.Integer(required=True, strict=True,
                             validate=validate.Range(min=1, max=2**53), metadata={
                                 "description": "bytes; at most ATTACHMENT_MAX_BYTES (413)"})
    content_type = text(100, required=True, validate=validate.Length(min=1), metadata={
        "description": "media type: image/jpeg, image/png, image/webp, image/heic, audio/mp4 "
                       "(m4a), audio/aac, audio/mpeg (mp3), audio/amr, application/pdf"})


class AttachmentSchema(ma.Schema):
    """An upload and how far it got."""

    sha256 = ma.fields.String()
    size = ma.fields.Integer()
    content_type = ma.fields.String()
    offset = ma.fields.Integer(metadata={"description": "bytes received and kept so far"})
    complete = ma.fields.Boolean(metadata={"description": "received whole and hash checked"})
    upload_url = ma.fields.String(metadata={"description": "PATCH chunks here; HEAD for offset"})
    download_url = ma.fields.String()


class AttachmentRefInputSchema(ma.Schema):
    """A record's reference to a file uploaded before."""

    sha256 = ma.fields.String(required=True, validate=SHA256_HEX)
    caption = text(200, load_default=None, allow_none=True)


class AttachedFileSchema(ma.Schema):
    """A file a record refers to."""

    sha256 = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    caption = ma.fields.String(allow_none=True)
    url = ma.fields.String(metadata={"description": "download with the same bearer token"})


def attachments_input() -> ma.fields.List:
    """The ``attachments`` field of a record's create / update payload."""
    return ma.fields.List(ma.fields.Nested(AttachmentRefInputSchema),
                          validate=validate.Length(max=50), metadata={
                              "description": "Files uploaded before through "
                                             "/api/v1/attachments (complete, this court); "
                                             "replaces the record's list"})


def attachments_output() -> ma.fields.List:
    return ma.fields.List(ma.fields.Nested(AttachedFileSchema), dump_default=list)
