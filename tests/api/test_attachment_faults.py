"""Attachments when the disk fills up: a clear 507, nothing half-kept, no record pointing at
a missing file, and the upload resumes once there is room again.

The fault is injected where the bytes meet the disk: the store's one write function
writes part of the chunk and then fails with ENOSPC, as ``write(2)`` does on a full disk.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil

import pytest
import sqlalchemy as sa

from enforcement.attachments import files as attachment_files
from tests.api.helpers import assert_problem, upload_file


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path, monkeypatch):
    root = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(root))
    return root


def _full_disk_after(limit: int):
    """A ``_write_all`` that writes up to ``limit`` bytes of a chunk, then finds the disk full."""

    def write(fd: int, data: bytes) -> None:
        os.write(fd, data[:limit])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return write


def test_a_full_disk_is_507_keeps_the_offset_and_the_upload_resumes(
        http, world, attachments_dir, monkeypatch, engine):
    me = world.headers(world.assistant)
    content = os.urandom(120_000)
    sha = hashlib.sha256(content).hexdigest()
    declared = http.post("/api/v1/attachments", headers=me, json={
        "sha256": sha, "size": len(content), "content_type": "image/png"})
    assert declared.status_code == 201
    chunk = {**me, "Content-Type": "application/octet-stream"}
    assert http.patch(f"/api/v1/attachments/{sha}", data=content[:40_000],
                      headers={**chunk, "Upload-Offset": "0"}).status_code == 200

    with monkeypatch.context() as fault:
        fault.setattr(attachment_files, "_write_all", _full_disk_after(10_000))
        full = http.patch(f"/api/v1/attachments/{sha}", data=content[40_000:],
                          headers={**chunk, "Upload-Offset": "40000", "Accept-Language": "en"})
        body = assert_problem(full, 507, "insufficient_storage")
        assert body["title"] == "The server is out of storage space; try again later"
        zh = http.patch(f"/api/v1/attachments/{sha}", data=content[40_000:],
                        headers={**chunk, "Upload-Offset": "40000", "Accept-Language": "zh-CN"})
        assert zh.json()["title"] == "服务器存储空间不足，请稍后重试"

    head = http.head(f"/api/v1/attachments/{sha}", headers=me)
    assert head.headers["Upload-Offset"] == "40000"
    part = attachments_dir / world.court.id / sha[:2] / f"{sha}.part"
    assert part.stat().st_size == 40_000  # the partial write was cut back
    assert not (attachments_dir / world.court.id / sha[:2] / sha).exists()
    refused = http.post("/api/v1/leads", headers=me, json={
        "kind": "vehicle", "attachments": [{"sha256": sha}]})
    assert_problem(refused, 422, "attachment_not_uploaded")
    assert http.get(f"/api/v1/attachments/{sha}", headers=me).status_code == 404

    done = http.patch(f"/api/v1/attachments/{sha}", data=content[40_000:],
                      headers={**chunk, "Upload-Offset": "40000"})
    assert done.status_code == 200 and done.json()["complete"] is True
    lead = http.post("/api/v1/leads", headers=me, json={
        "kind": "vehicle", "attachments": [{"sha256": sha}]})
    assert lead.status_code == 201
    assert http.get(f"/api/v1/attachments/{sha}", headers=me).content == content
    with engine.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT count(*) FROM audit_log WHERE action = 'attachment.upload'")).scalar() == 1


def test_a_declaration_that_cannot_fit_on_the_disk_is_507_and_stores_nothing(
        http, world, monkeypatch, engine):
    real = shutil.disk_usage

    def no_room(path):
        return real(path)._replace(free=1_000)

    monkeypatch.setattr(shutil, "disk_usage", no_room)
    declared = http.post("/api/v1/attachments", headers=world.headers(world.assistant), json={
        "sha256": "a" * 64, "size": 5_000, "content_type": "application/pdf"})
    assert_problem(declared, 507, "insufficient_storage")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM attachment")).scalar() == 0


def test_a_file_lost_from_disk_is_uploaded_again_rather_than_served_missing(
        http, world, attachments_dir):
    me = world.headers(world.assistant)
    content = os.urandom(5_000)
    sha = upload_file(http, me, content)["sha256"]
    (attachments_dir / world.court.id / sha[:2] / sha).unlink()
    assert_problem(http.get(f"/api/v1/attachments/{sha}", headers=me), 404,
                   "attachment_not_found")
    again = http.post("/api/v1/attachments", headers=me, json={
        "sha256": sha, "size": len(content), "content_type": "image/jpeg"})
    assert again.status_code == 200 and again.json()["offset"] == 0
    assert upload_file(http, me, content)["complete"] is True
    assert http.get(f"/api/v1/attachments/{sha}", headers=me).content == content
