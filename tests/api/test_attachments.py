"""Attachments over HTTP: resumable uploads, hash checks, limits, dedupe, who may download,
and leads that refer to them."""

from __future__ import annotations

import hashlib
import itertools
import os
import socket
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement.models import Role
from tests.api.helpers import assert_problem, upload_file

JPEG = "image/jpeg"


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path, monkeypatch) -> Path:
    """Each test stores files in a folder of its own."""
    root = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(root))
    return root


def _content(size: int = 300_000) -> bytes:
    return uuid.uuid4().bytes + os.urandom(size - 16)


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _declare(http, headers, content: bytes, content_type: str = JPEG, size: int | None = None):
    return http.post("/api/v1/attachments", headers=headers, json={
        "sha256": _sha(content), "size": len(content) if size is None else size,
        "content_type": content_type})


def _send(http, headers, sha: str, offset: int, chunk: bytes):
    return http.patch(f"/api/v1/attachments/{sha}", data=chunk, headers={
        **headers, "Upload-Offset": str(offset), "Content-Type": "application/octet-stream"})


def _offset(http, headers, sha: str) -> int:
    response = http.head(f"/api/v1/attachments/{sha}", headers=headers)
    assert response.status_code == 200
    return int(response.headers["Upload-Offset"])


def _stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_three_chunks_with_a_head_in_between_then_download(http, world, attachments_dir):
    me = world.headers(world.assistant)
    content = _content()
    sha = _sha(content)
    declared = _declare(http, me, content)
    assert declared.status_code == 201, declared.text
    assert declared.json() == {
        "sha256": sha, "size": len(content), "content_type": JPEG, "offset": 0,
        "complete": False, "upload_url": f"/api/v1/attachments/{sha}",
        "download_url": f"/api/v1/attachments/{sha}"}
    assert declared.headers["Upload-Offset"] == "0"
    assert declared.headers["Location"] == f"/api/v1/attachments/{sha}"

    cuts = [0, 100_000, 200_000, len(content)]
    for start, end in itertools.pairwise(cuts):
        assert _offset(http, me, sha) == start
        sent = _send(http, me, sha, start, content[start:end])
        assert sent.status_code == 200, sent.text
        assert sent.json()["offset"] == end
        assert sent.headers["Upload-Offset"] == str(end)
    assert sent.json()["complete"] is True
    head = http.head(f"/api/v1/attachments/{sha}", headers=me)
    assert head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(len(content))

    got = http.get(f"/api/v1/attachments/{sha}", headers=me)
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["Content-Type"] == JPEG
    assert got.headers["ETag"] == f'"{sha}"'
    again = http.get(f"/api/v1/attachments/{sha}", headers={**me, "If-None-Match": f'"{sha}"'})
    assert again.status_code == 304
    final = attachments_dir / world.court.id / sha[:2] / sha
    assert _stored_files(attachments_dir) == [final]
    assert final.read_bytes() == content


def test_an_interrupted_chunk_is_resumed_from_the_offset_head_reports(http, world, live_server):
    me = world.headers(world.assistant)
    content = _content(200_000)
    sha = _sha(content)
    _declare(http, me, content)
    assert _send(http, me, sha, 0, content[:50_000]).status_code == 200
    # The network drops half-way through the second chunk.
    url = urlparse(live_server)
    with socket.create_connection((url.hostname, url.port)) as raw:
        raw.sendall((f"PATCH /api/v1/attachments/{sha} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                     f"Authorization: {me['Authorization']}\r\nUpload-Offset: 50000\r\n"
                     f"Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n"
                     f"Connection: close\r\n\r\n").encode() + content[50_000:90_000])
    offset = _offset(http, me, sha)
    assert offset == 50_000
    assert _send(http, me, sha, offset, content[offset:150_000]).status_code == 200
    done = _send(http, me, sha, 150_000, content[150_000:])
    assert done.json()["complete"] is True
    assert http.get(f"/api/v1/attachments/{sha}", headers=me).content == content


def test_the_same_content_is_stored_once_and_a_second_upload_is_instant(
        http, world, attachments_dir, engine):
    content = _content()
    first = upload_file(http, world.headers(world.assistant), content)
    assert first["complete"] is True
    again = _declare(http, world.headers(world.neighbour), content)
    assert again.status_code == 200
    assert again.json()["complete"] is True and again.json()["offset"] == len(content)
    assert len(_stored_files(attachments_dir)) == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM attachment")).scalar() == 1
    # A retried last chunk after a lost answer is not an error.
    retried = _send(http, world.headers(world.assistant), _sha(content), len(content) - 10,
                    content[-10:])
    assert retried.status_code == 200 and retried.json()["complete"] is True


def test_a_hash_mismatch_discards_the_upload_and_starts_over(http, world, attachments_dir):
    me = world.headers(world.assistant)
    content = _content(50_000)
    sha = _sha(content)
    _declare(http, me, content)
    assert _send(http, me, sha, 0, content[:20_000]).status_code == 200
    tampered = content[20_000:-1] + bytes([content[-1] ^ 0xFF])  # surely not the same byte
    body = assert_problem(_send(http, me, sha, 20_000, tampered), 422,
                          "attachment_hash_mismatch")
    assert body["offset"] == 0
    assert _offset(http, me, sha) == 0
    assert _stored_files(attachments_dir) == []
    assert http.get(f"/api/v1/attachments/{sha}", headers=me).status_code == 404
    assert upload_file(http, me, content)["complete"] is True


def test_oversized_files_and_chunks_are_refused_with_413(http, world, app, monkeypatch):
    me = world.headers(world.assistant)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 100_000)
    big = _content(100_001)
    body = assert_problem(_declare(http, me, big), 413, "attachment_too_large")
    assert body["max_bytes"] == 100_000
    small = _content(1_000)
    _declare(http, me, small)
    assert_problem(_send(http, me, _sha(small), 0, small + b"more"), 413, "attachment_too_large")
    assert _offset(http, me, _sha(small)) == 0
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 10_000_000)
    huge = _content(3 * 1024 * 1024)
    _declare(http, me, huge)
    assert_problem(_send(http, me, _sha(huge), 0, huge), 413, "payload_too_large")
    assert _offset(http, me, _sha(huge)) == 0


def test_unknown_types_bad_offsets_and_bad_headers_are_refused(http, world):
    me = world.headers(world.assistant)
    content = _content(10_000)
    sha = _sha(content)
    assert_problem(_declare(http, me, content, "text/html"), 422, "attachment_type_not_allowed")
    assert _declare(http, me, content, "Image/JPEG; q=1").status_code == 201
    assert _send(http, me, sha, 0, content[:4_000]).status_code == 200
    body = assert_problem(_send(http, me, sha, 0, content[:4_000]), 409, "upload_offset_mismatch")
    assert body["offset"] == 4_000
    assert_problem(_send(http, me, sha, 9_000, content[9_000:]), 409, "upload_offset_mismatch")
    no_offset = http.patch(f"/api/v1/attachments/{sha}", data=b"x", headers={
        **me, "Content-Type": "application/octet-stream"})
    assert_problem(no_offset, 400, "upload_offset_required")
    as_json = http.patch(f"/api/v1/attachments/{sha}", json={"x": 1},
                         headers={**me, "Upload-Offset": "4000"})
    assert_problem(as_json, 415, "unsupported_media_type")
    assert_problem(_declare(http, me, content, "image/png"), 409,
                   "attachment_declaration_mismatch")
    assert _offset(http, me, sha) == 4_000
    assert_problem(_send(http, me, "0" * 64, 0, b"x"), 404, "attachment_not_found")
    assert http.head("/api/v1/attachments/not-a-hash", headers=me).status_code == 404


def test_another_court_can_neither_see_nor_download_nor_append(http, world):
    content = _content(20_000)
    sha = _sha(content)
    upload_file(http, world.headers(world.assistant), content)
    stranger = world.headers(world.stranger)
    assert_problem(http.get(f"/api/v1/attachments/{sha}", headers=stranger), 404,
                   "attachment_not_found")
    assert http.head(f"/api/v1/attachments/{sha}", headers=stranger).status_code == 404
    assert_problem(_send(http, stranger, sha, 0, content), 404, "attachment_not_found")
    # Declaring the same content in the other court is a separate upload of that court.
    assert _declare(http, stranger, content).json()["offset"] == 0


def test_who_may_download(http, world, session):
    author, neighbour = world.assistant, world.neighbour
    content = _content(20_000)
    sha = _sha(content)
    upload_file(http, world.headers(author), content)
    lead = http.post("/api/v1/leads", headers=world.headers(author), json={
        "kind": "vehicle", "description": "车", "attachments": [{"sha256": sha}]})
    assert lead.status_code == 201, lead.text

    def status(user):
        return http.get(f"/api/v1/attachments/{sha}", headers=world.headers(user)).status_code

    assert status(author) == 200
    assert status(neighbour) == 404  # only referenced by another assistant's lead
    assert status(world.assistant_b) == 404
    assert status(world.users[Role.OFFICER]) == 200
    assert status(world.judge_user) == 200
    assert status(world.users[Role.MEDIATOR]) == 404
    assert status(world.users[Role.DEPUTY]) == 404
    assert status(world.users[Role.LIAISON_UNIT]) == 403
    assert status(world.users[Role.ADMIN]) == 403
    for role in (Role.ADMIN, Role.LIAISON_UNIT, Role.DEPUTY):  # no uploads at all
        other = world.headers(world.users[role])
        assert_problem(_declare(http, other, content), 403, "forbidden")
        assert_problem(_send(http, other, sha, 0, b"x"), 403, "forbidden")
        assert http.head(f"/api/v1/attachments/{sha}", headers=other).status_code == 403

    # The neighbour took the same photo: stored once, and their own lead lets them read it.
    assert _declare(http, world.headers(neighbour), content).json()["complete"] is True
    assert status(neighbour) == 404
    own = http.post("/api/v1/leads", headers=world.headers(neighbour), json={
        "kind": "vehicle", "attachments": [{"sha256": sha, "caption": "我拍的"}]})
    assert own.status_code == 201, own.text
    assert status(neighbour) == 200


def test_a_lead_lists_its_attachments_and_refuses_unfinished_ones(http, world, engine):
    me = world.headers(world.assistant)
    photo, voice = _content(5_000), _content(7_000)
    upload_file(http, me, photo)
    upload_file(http, me, voice, "audio/mp4")
    unfinished = _content(3_000)
    _declare(http, me, unfinished)
    refused = http.post("/api/v1/leads", headers=me, json={
        "kind": "vehicle", "attachments": [{"sha256": _sha(photo)},
                                           {"sha256": _sha(unfinished)}]})
    body = assert_problem(refused, 422, "attachment_not_uploaded")
    assert list(body["errors"]["attachments"]) == ["1"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM lead")).scalar() == 0

    created = http.post("/api/v1/leads", headers=me, json={
        "kind": "vehicle", "attachments": [{"sha256": _sha(photo), "caption": "院子里的车"},
                                           {"sha256": _sha(voice)}]})
    assert created.status_code == 201, created.text
    lead = created.json()
    assert lead["attachments"] == [
        {"sha256": _sha(photo), "content_type": JPEG, "size": 5_000, "caption": "院子里的车",
         "url": f"/api/v1/attachments/{_sha(photo)}"},
        {"sha256": _sha(voice), "content_type": "audio/mp4", "size": 7_000, "caption": None,
         "url": f"/api/v1/attachments/{_sha(voice)}"}]
    read = http.get(f"/api/v1/leads/{lead['id']}", headers=me).json()
    assert read["attachments"] == lead["attachments"]
    listed = http.get("/api/v1/leads", headers=me).json()["items"]
    assert listed[0]["attachments"] == lead["attachments"]

    patched = http.patch(f"/api/v1/leads/{lead['id']}", headers={**me, "If-Match": '"1"'},
                         json={"attachments": [{"sha256": _sha(voice), "caption": "录音"}]})
    assert patched.status_code == 200, patched.text
    assert [(a["sha256"], a["caption"]) for a in patched.json()["attachments"]] == [
        (_sha(voice), "录音")]
    judge_view = http.get(f"/api/v1/leads/{lead['id']}",
                          headers=world.headers(world.judge_user)).json()
    assert len(judge_view["attachments"]) == 1
    twice = http.patch(f"/api/v1/leads/{lead['id']}", headers={**me, "If-Match": '"2"'},
                       json={"attachments": [{"sha256": _sha(voice)}, {"sha256": _sha(voice)}]})
    assert_problem(twice, 422, "attachment_not_uploaded")


def test_a_lead_cannot_refer_to_another_courts_file(http, world):
    content = _content(4_000)
    upload_file(http, world.headers(world.stranger), content)
    refused = http.post("/api/v1/leads", headers=world.headers(world.assistant), json={
        "kind": "vehicle", "attachments": [{"sha256": _sha(content)}]})
    assert_problem(refused, 422, "attachment_not_uploaded")


def test_error_titles_in_both_languages(http, world):
    me = world.headers(world.assistant)
    content = _content(1_000)
    zh = _declare(http, {**me, "Accept-Language": "zh-CN"}, content, "text/plain").json()
    en = _declare(http, {**me, "Accept-Language": "en"}, content, "text/plain").json()
    assert zh["title"] == "不接受该类型的附件"
    assert en["title"] == "Attachments of this type are not accepted"


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_chunking_ends_in_the_same_stored_bytes(http, world, attachments_dir, data):
    me = world.headers(world.assistant)
    body = data.draw(st.binary(min_size=1, max_size=4_000), label="content")
    content = uuid.uuid4().bytes + body
    cuts = sorted(data.draw(st.sets(st.integers(1, len(content) - 1), max_size=6),
                            label="cuts"))
    sha = _sha(content)
    assert _declare(http, me, content).status_code == 201
    for start, end in zip([0, *cuts], [*cuts, len(content)], strict=True):
        assert _send(http, me, sha, start, content[start:end]).status_code == 200
    assert _offset(http, me, sha) == len(content)
    assert (attachments_dir / world.court.id / sha[:2] / sha).read_bytes() == content
    assert http.get(f"/api/v1/attachments/{sha}", headers=me).content == content


def test_a_backup_restores_the_files_where_uploads_find_them(
        http, world, attachments_dir, make_app, make_database, tmp_path):
    from enforcement.accounts.principal import Principal
    from enforcement.attachments import usecases as attachments

    me = world.headers(world.assistant)
    photo, unfinished = _content(30_000), _content(30_000)
    upload_file(http, me, photo)
    _declare(http, me, unfinished)
    assert _send(http, me, _sha(unfinished), 0, unfinished[:10_000]).status_code == 200
    archive = tmp_path / "court.tar"
    made = make_app(ATTACHMENTS_DIR=str(attachments_dir)).test_cli_runner().invoke(
        args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "1 attachments" in made.output  # the verified file, not the .part

    restored = tmp_path / "restored"
    target = make_app(DATABASE_URL=make_database(template="template0"),
                      ATTACHMENTS_DIR=str(restored))
    assert target.test_cli_runner().invoke(args=["restore", str(archive)]).exit_code == 0
    db = target.extensions["gridwork"].db
    settings = attachments.AttachmentSettings(restored, 10**8, frozenset({JPEG}))
    author = Principal(world.assistant.id, world.court.id, Role.GRID_ASSISTANT, "phone")
    found = attachments.download(db, settings, author, _sha(photo))
    assert found.path.read_bytes() == photo
    assert attachments.upload_state(db, settings, author, _sha(unfinished)).offset == 0
