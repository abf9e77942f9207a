"""tus 1.0.0 on /api/v1/attachments, header by header as the protocol's stock clients send
them: discovery, creation (with the first chunk or without), checksums, termination,
expiration; and what Gridwork keeps whichever protocol a phone speaks: one file per court
and content, the access policy, 507 on a full disk."""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from enforcement.attachments import files as attachment_files
from tests.api.helpers import assert_problem, upload_file

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = {**TUS, "Content-Type": "application/offset+octet-stream"}


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(root))
    return root


def _content(size: int = 200_000) -> bytes:
    return uuid.uuid4().bytes + os.urandom(size - 16)


def _b64(value: str | bytes) -> str:
    return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()


def _metadata(content: bytes, filetype: str = "image/jpeg", filename: str | None = None,
              ) -> str:
    pairs = {"sha256": hashlib.sha256(content).hexdigest(), "filetype": filetype}
    if filename:
        pairs["filename"] = filename
    return ",".join(f"{key} {_b64(value)}" for key, value in pairs.items())


def _create(http, headers, content: bytes, body: bytes | None = None, **metadata):
    extra = {"Upload-Length": str(len(content)), "Upload-Metadata": _metadata(content, **metadata)}
    if body is None:
        return http.post("/api/v1/attachments", headers={**headers, **TUS, **extra})
    return http.post("/api/v1/attachments", data=body, headers={**headers, **CHUNK, **extra})


def _patch(http, headers, url: str, offset: int, chunk: bytes, **extra: str):
    return http.patch(url, data=chunk, headers={**headers, **CHUNK,
                                                "Upload-Offset": str(offset), **extra})


def _head(http, headers, url: str):
    return http.head(url, headers={**headers, **TUS})


def _sha256_checksum(chunk: bytes) -> str:
    return "sha256 " + _b64(hashlib.sha256(chunk).digest())


def _decoded_metadata(header: str) -> dict[str, str]:
    pairs = (pair.split(" ") for pair in header.split(","))
    return {key: base64.b64decode(value).decode() for key, value in pairs}


def test_options_tells_a_client_what_the_server_speaks_without_signing_in(http, app):
    answer = http.options("/api/v1/attachments")
    assert answer.status_code == 204
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert set(answer.headers["Tus-Extension"].split(",")) == {
        "creation", "creation-with-upload", "checksum", "termination", "expiration"}
    assert int(answer.headers["Tus-Max-Size"]) == app.config["ATTACHMENT_MAX_BYTES"]
    assert "sha256" in answer.headers["Tus-Checksum-Algorithm"].split(",")


def test_create_then_patch_checked_chunks_resuming_from_head(http, world, attachments_dir):
    me = world.headers(world.assistant)
    content = _content()
    sha = hashlib.sha256(content).hexdigest()
    created = _create(http, me, content, filename="院子里的车.jpg")
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    assert url == f"/api/v1/attachments/{sha}"
    assert created.headers["Upload-Offset"] == "0"
    assert created.headers["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in created.headers

    first = _patch(http, me, url, 0, content[:80_000],
                   **{"Upload-Checksum": _sha256_checksum(content[:80_000])})
    assert first.status_code == 204, first.text
    assert first.headers["Upload-Offset"] == "80000"
    assert "Upload-Expires" in first.headers

    head = _head(http, me, url)  # a phone that lost its connection asks where to go on
    assert head.status_code == 200
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == (
        "80000", str(len(content)))
    assert head.headers["Cache-Control"] == "no-store"
    assert _decoded_metadata(head.headers["Upload-Metadata"]) == {
        "sha256": sha, "filetype": "image/jpeg", "filename": "院子里的车.jpg"}

    rest = content[80_000:]
    last = _patch(http, me, url, 80_000, rest, **{"Upload-Checksum": _sha256_checksum(rest)})
    assert last.status_code == 204, last.text
    assert last.headers["Upload-Offset"] == str(len(content))
    assert "Upload-Expires" not in last.headers  # complete: it never expires

    download = http.get(url, headers=me)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == sha
    assert [p.name for p in attachments_dir.rglob("*") if p.is_file()] == [sha]


def test_creation_with_upload_sends_a_small_file_in_one_request(http, world):
    me = world.headers(world.judge_user)
    content = _content(60_000)
    created = _create(http, me, content, body=content, filetype="application/pdf")
    assert created.status_code == 201, created.text
    assert created.headers["Upload-Offset"] == str(len(content))
    download = http.get(created.headers["Location"], headers=me)
    assert download.content == content
    assert download.headers["Content-Type"] == "application/pdf"


def test_known_content_answers_complete_at_creation_and_to_any_chunk(
        http, world, attachments_dir):
    content = _content()
    upload_file(http, world.headers(world.assistant), content)  # the older declare-and-PATCH
    neighbour = world.headers(world.neighbour)
    created = _create(http, neighbour, content)
    assert created.status_code == 201
    assert created.headers["Upload-Offset"] == str(len(content))  # nothing to send
    url = created.headers["Location"]
    # tus-js-client sends its first chunk after creating; it hears the file is whole.
    chunk = _patch(http, neighbour, url, 0, content[:50_000])
    assert chunk.status_code == 204
    assert chunk.headers["Upload-Offset"] == str(len(content))
    assert _head(http, neighbour, url).headers["Upload-Offset"] == str(len(content))
    assert len([p for p in attachments_dir.rglob("*") if p.is_file()]) == 1

    # Another court holds nothing of it: it starts at 0 there, and cannot see this one's.
    stranger = world.headers(world.stranger)
    assert _head(http, stranger, url).status_code == 404
    assert _create(http, stranger, content).headers["Upload-Offset"] == "0"


def test_a_chunk_that_fails_its_checksum_is_460_and_nothing_of_it_is_kept(
        http, world, attachments_dir):
    me = world.headers(world.assistant)
    content = _content()
    url = _create(http, me, content).headers["Location"]
    assert _patch(http, me, url, 0, content[:50_000]).status_code == 204
    damaged = content[50_000:100_000][:-1] + b"\0"
    refused = _patch(http, me, url, 50_000, damaged, **{
        "Upload-Checksum": _sha256_checksum(content[50_000:100_000]), "Accept-Language": "en"})
    body = assert_problem(refused, 460, "checksum_mismatch")
    assert body["title"] == "The chunk does not match its checksum; it was not kept, send it again"
    assert _head(http, me, url).headers["Upload-Offset"] == "50000"
    part = next(attachments_dir.rglob("*.part"))
    assert part.stat().st_size == 50_000

    sha1 = "sha1 " + _b64(hashlib.sha1(content[50_000:]).digest())
    done = _patch(http, me, url, 50_000, content[50_000:], **{"Upload-Checksum": sha1})
    assert done.status_code == 204
    assert done.headers["Upload-Offset"] == str(len(content))
    crc = _patch(http, me, url, 0, b"x", **{"Upload-Checksum": "crc32 AAAA"})
    assert_problem(crc, 400, "checksum_algorithm_unsupported")


def test_bad_creations_are_refused_before_anything_is_kept(http, world, engine):
    me = world.headers(world.assistant)
    content = _content(1000)
    no_sha = http.post("/api/v1/attachments", headers={
        **me, **TUS, "Upload-Length": "1000", "Upload-Metadata": f"filetype {_b64('image/png')}"})
    body = assert_problem(no_sha, 400, "upload_metadata_invalid")
    assert "sha256" in body["errors"]["Upload-Metadata"]
    deferred = http.post("/api/v1/attachments", headers={
        **me, **TUS, "Upload-Defer-Length": "1", "Upload-Metadata": _metadata(content)})
    assert_problem(deferred, 400, "upload_length_required")
    garbled = http.post("/api/v1/attachments", headers={
        **me, **TUS, "Upload-Length": "1000", "Upload-Metadata": "sha256 ###"})
    assert_problem(garbled, 400, "upload_metadata_invalid")
    exe = _create(http, me, content, filetype="application/x-msdownload")
    assert_problem(exe, 422, "attachment_type_not_allowed")
    old = http.post("/api/v1/attachments", headers={
        **me, "Tus-Resumable": "0.2.2", "Upload-Length": "1000",
        "Upload-Metadata": _metadata(content)})
    assert_problem(old, 412, "tus_version_unsupported")
    assert old.headers["Tus-Version"] == "1.0.0"
    unsigned = http.post("/api/v1/attachments", headers={
        **TUS, "Upload-Length": "1000", "Upload-Metadata": _metadata(content)})
    assert_problem(unsigned, 401, "token_missing")
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM attachment")) == 0


def test_termination_frees_an_unfinished_upload_but_never_a_complete_file(
        http, world, attachments_dir):
    me = world.headers(world.assistant)
    content = _content()
    url = _create(http, me, content).headers["Location"]
    assert _patch(http, me, url, 0, content[:70_000]).status_code == 204
    not_mine = http.delete(url, headers={**world.headers(world.neighbour), **TUS})
    assert_problem(not_mine, 403, "attachment_not_yours")

    gone = http.delete(url, headers={**me, **TUS})
    assert gone.status_code == 204
    assert gone.headers["Tus-Resumable"] == "1.0.0"
    assert _head(http, me, url).status_code == 404
    assert not [p for p in attachments_dir.rglob("*") if p.is_file()]

    whole = _create(http, me, content, body=content[:1]).headers["Location"]
    assert _patch(http, me, whole, 1, content[1:]).status_code == 204
    kept = http.delete(whole, headers={**me, **TUS})
    assert_problem(kept, 409, "attachment_complete")
    assert http.get(whole, headers=me).content == content


def _expire(engine, sha: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE attachment SET expires_at = now() - interval '1 minute' "
                             "WHERE sha256 = :sha"), {"sha": sha})


def test_an_abandoned_upload_expires_410_and_can_be_sent_again(http, world, engine,
                                                               attachments_dir):
    me = world.headers(world.assistant)
    content = _content()
    sha = hashlib.sha256(content).hexdigest()
    url = _create(http, me, content).headers["Location"]
    assert _patch(http, me, url, 0, content[:90_000]).status_code == 204
    _expire(engine, sha)

    expired = _patch(http, me, url, 90_000, content[90_000:], **{"Accept-Language": "zh-CN"})
    body = assert_problem(expired, 410, "upload_expired")
    assert body["title"] == "该上传搁置过久已失效，请重新上传"
    assert not list(attachments_dir.rglob("*.part"))
    assert _head(http, me, url).status_code == 404

    again = _create(http, me, content, body=content)  # tus-js-client creates it anew
    assert again.status_code == 201
    assert again.headers["Upload-Offset"] == str(len(content))


def test_flask_attachments_expire_deletes_abandoned_uploads_only(
        http, world, engine, app, attachments_dir):
    me = world.headers(world.assistant)
    abandoned, fresh, whole = _content(), _content(), _content()
    for content in (abandoned, fresh):
        url = _create(http, me, content).headers["Location"]
        assert _patch(http, me, url, 0, content[:1000]).status_code == 204
    upload_file(http, me, whole)
    _expire(engine, hashlib.sha256(abandoned).hexdigest())
    _expire(engine, hashlib.sha256(whole).hexdigest())  # complete: never expires

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["attachments", "expire", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would delete 将删除: 1 abandoned uploads" in dry.output
    done = runner.invoke(args=["attachments", "expire"])
    assert "deleted 已删除: 1 abandoned uploads" in done.output
    with engine.connect() as conn:
        left = set(conn.scalars(sa.text("SELECT sha256 FROM attachment")))
    assert left == {hashlib.sha256(fresh).hexdigest(), hashlib.sha256(whole).hexdigest()}
    assert [p.name for p in attachments_dir.rglob("*.part")] == [
        hashlib.sha256(fresh).hexdigest() + ".part"]


def test_a_full_disk_during_creation_with_upload_is_507_and_keeps_nothing(
        http, world, monkeypatch):
    me = world.headers(world.assistant)
    content = _content()

    def full(fd: int, data: bytes) -> None:
        os.write(fd, data[:5_000])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as fault:
        fault.setattr(attachment_files, "_write_all", full)
        refused = _create(http, me, content, body=content[:100_000])
        assert_problem(refused, 507, "insufficient_storage")
    url = f"/api/v1/attachments/{hashlib.sha256(content).hexdigest()}"
    assert _head(http, me, url).status_code == 404  # nothing of the request was kept
    again = _create(http, me, content, body=content[:100_000])  # tus-js-client's retry
    assert again.headers["Upload-Offset"] == "100000"
    assert _patch(http, me, url, 100_000, content[100_000:]).status_code == 204
    assert http.get(url, headers=me).content == content
