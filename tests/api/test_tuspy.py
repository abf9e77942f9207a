"""tuspy (tus-py-client), the tus project's Python client, uploads to Gridwork as it stands:
creation with metadata, chunks with per-chunk checksums, and a resume from the server's
offset by a fresh uploader that knows only the upload's URL."""

from __future__ import annotations

import hashlib
import io
import os
import uuid

import pytest
import sqlalchemy as sa
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError
from tusclient.uploader import Uploader

from enforcement.models import Role

CHUNK = 256 * 1024


class Sha256Uploader(Uploader):
    """tuspy checks chunks with sha1 unless told; Gridwork asks phones for sha256."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path, monkeypatch):
    root = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(root))
    return root


def _photo(size: int = 1_300_000) -> bytes:
    return b"\xff\xd8\xff\xe0" + uuid.uuid4().bytes + os.urandom(size - 20)


def _client(live_server: str, headers: dict[str, str]) -> tus_client.TusClient:
    return tus_client.TusClient(f"{live_server}/api/v1/attachments", headers=headers)


def test_tuspy_uploads_a_photo_in_checked_chunks(live_server, http, world, engine):
    me = world.headers(world.assistant)
    photo = _photo()
    sha = hashlib.sha256(photo).hexdigest()
    uploader = Sha256Uploader(
        file_stream=io.BytesIO(photo), client=_client(live_server, me), chunk_size=CHUNK,
        upload_checksum=True,
        metadata={"sha256": sha, "filetype": "image/jpeg", "filename": "封条.jpg"})
    uploader.upload()

    assert uploader.url == f"{live_server}/api/v1/attachments/{sha}"
    assert uploader.offset == len(photo)
    download = http.get(f"/api/v1/attachments/{sha}", headers=me)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == sha
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT complete, file_name, content_type FROM attachment "
                                   "WHERE sha256 = :sha"), {"sha": sha}).one()
    assert tuple(row) == (True, "封条.jpg", "image/jpeg")


def test_tuspy_resumes_from_the_servers_offset_with_only_the_url(live_server, http, world):
    me = world.headers(world.users[Role.OFFICER])
    recording = os.urandom(700_000)
    sha = hashlib.sha256(recording).hexdigest()
    metadata = {"sha256": sha, "filetype": "audio/amr"}
    first = Uploader(file_stream=io.BytesIO(recording), client=_client(live_server, me),
                     chunk_size=CHUNK, upload_checksum=True, metadata=metadata)
    first.upload(stop_at=CHUNK)  # the phone stops here (battery, signal)
    assert first.offset == CHUNK

    # Later, another uploader object (after an app restart) knows only where it was going.
    again = Uploader(file_stream=io.BytesIO(recording), url=first.url,
                     client=_client(live_server, me), chunk_size=CHUNK, metadata=metadata)
    assert again.offset == CHUNK  # asked the server with HEAD
    again.upload()
    assert again.offset == len(recording)
    assert http.get(f"/api/v1/attachments/{sha}", headers=me).content == recording


def test_tuspy_sees_a_refusal_of_a_type_the_court_does_not_accept(live_server, world):
    content = os.urandom(1000)
    uploader = Uploader(file_stream=io.BytesIO(content),
                        client=_client(live_server, world.headers(world.assistant)),
                        metadata={"sha256": hashlib.sha256(content).hexdigest(),
                                  "filetype": "application/x-msdownload"})
    with pytest.raises(TusCommunicationError) as refused:
        uploader.upload()
    assert refused.value.status_code == 422
