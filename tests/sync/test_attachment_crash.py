"""The server process is killed (SIGKILL) in the middle of an attachment upload; after a
restart the phone asks for the offset with HEAD, sends the rest, and the file is stored
whole, exactly once."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Role
from tests import factories
from tests.sync.test_crash import server

SIZE = 6 * 1024 * 1024
CHUNK = 32 * 1024
SENDER = """
import json, sys, requests
url, headers, path, chunk = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
data = open(path, "rb").read()
offset = 0
while offset < len(data):
    answer = requests.patch(url, data=data[offset:offset + chunk], timeout=30, headers={
        **headers, "Upload-Offset": str(offset), "Content-Type": "application/octet-stream"})
    offset = answer.json()["offset"]
"""


def _scalar(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


@pytest.mark.timeout(240)
def test_sigkill_mid_upload_then_head_and_resume_complete_it_once(make_database, tmp_path,
                                                                 monkeypatch):
    url = make_database()
    store = tmp_path / "attachments"
    monkeypatch.setenv("ATTACHMENTS_DIR", str(store))  # the server processes read it
    engine = sa.create_engine(url)
    with Session(engine) as session:
        court = factories.create_court(session)
        user = factories.create_user(session, court, Role.GRID_ASSISTANT)
        session.commit()
        username, court_id = user.username, court.id
    content = os.urandom(SIZE)
    sha = hashlib.sha256(content).hexdigest()
    source = tmp_path / "photo.jpg"
    source.write_bytes(content)
    part = store / court_id / sha[:2] / f"{sha}.part"

    with server(url) as (base, proc):
        tokens = requests.post(f"{base}/api/v1/auth/login", json={
            "username": username, "password": factories.PASSWORD, "device_id": "phone-a"},
            timeout=30).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        declared = requests.post(f"{base}/api/v1/attachments", headers=headers, json={
            "sha256": sha, "size": SIZE, "content_type": "image/jpeg"}, timeout=30)
        assert declared.status_code == 201, declared.text
        sender = subprocess.Popen(
            [sys.executable, "-c", SENDER, f"{base}/api/v1/attachments/{sha}",
             json.dumps(headers), str(source), str(CHUNK)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not part.exists() or part.stat().st_size < SIZE // 3:
            assert time.monotonic() < deadline, "the upload never got going"
            assert sender.poll() is None, "the sender stopped before the kill"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        sender.wait(60)

    committed = _scalar(engine, "SELECT received_bytes FROM attachment")
    assert 0 < committed < SIZE
    assert _scalar(engine, "SELECT count(*) FROM attachment WHERE complete") == 0

    with server(url) as (base, _proc):
        head = requests.head(f"{base}/api/v1/attachments/{sha}", headers=headers, timeout=30)
        assert head.status_code == 200
        offset = int(head.headers["Upload-Offset"])
        assert offset == committed <= part.stat().st_size
        while True:
            sent = requests.patch(f"{base}/api/v1/attachments/{sha}", headers={
                **headers, "Upload-Offset": str(offset),
                "Content-Type": "application/octet-stream"},
                data=content[offset:offset + 1024 * 1024], timeout=60)
            assert sent.status_code == 200, sent.text
            offset = sent.json()["offset"]
            if sent.json()["complete"]:
                break
        again = requests.post(f"{base}/api/v1/attachments", headers=headers, json={
            "sha256": sha, "size": SIZE, "content_type": "image/jpeg"}, timeout=30)
        downloaded = requests.get(f"{base}/api/v1/attachments/{sha}", headers=headers,
                                  timeout=60)

    assert again.status_code == 200 and again.json()["complete"] is True
    assert downloaded.content == content
    assert sorted(p.name for p in store.rglob("*") if p.is_file()) == [sha]
    assert _scalar(engine, "SELECT count(*) FROM attachment") == 1
    assert _scalar(engine,
                   "SELECT count(*) FROM audit_log WHERE action = 'attachment.upload'") == 1
    engine.dispose()
