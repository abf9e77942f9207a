"""Leads carry their attachments through sync too (a client field from schema version 2):
the phone's list replaces the lead's, unfinished uploads are rejected, older phones
neither see nor send the field."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from tests.api.helpers import bearer, upload_file
from tests.sync.helpers import settle


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))


def _push(http, tokens, mutations, schema_version=2):
    response = http.post("/api/v1/sync/push", headers=bearer(tokens), json={
        "device_id": tokens["device_id"], "schema_version": schema_version,
        "mutations": mutations})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _mutation(op, lead_id, base_version=None, **fields):
    return {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": op, "id": lead_id,
            "base_version": base_version, "fields": fields}


def _pulled(http, tokens, lead_id, schema_version):
    body = http.get("/api/v1/sync/pull", headers=bearer(tokens),
                    params={"schema_version": schema_version}).json()
    return next(r for r in body["changes"]["lead"]["upserts"] if r["id"] == lead_id)


def test_a_pushed_lead_carries_its_attachments_to_rest_and_pulls(http, world, login, engine):
    phone = login(world.assistant)
    headers = bearer(phone)
    photo, voice = os.urandom(3_000), os.urandom(4_000)
    sha_photo = upload_file(http, headers, photo)["sha256"]
    sha_voice = upload_file(http, headers, voice, "audio/amr")["sha256"]
    lead_id = str(uuid.uuid4())
    created = _push(http, phone, [_mutation(
        "create", lead_id, kind="vehicle",
        attachments=[{"sha256": sha_photo.upper(), "caption": "车"}])])
    assert created[0]["status"] == "applied", created

    rest = http.get(f"/api/v1/leads/{lead_id}", headers=headers).json()
    assert [(a["sha256"], a["caption"]) for a in rest["attachments"]] == [(sha_photo, "车")]
    settle(engine)
    assert _pulled(http, phone, lead_id, 2)["attachments"] == [
        {"sha256": sha_photo, "caption": "车"}]
    assert "attachments" not in _pulled(http, phone, lead_id, 1)

    updated = _push(http, phone, [_mutation(
        "update", lead_id, base_version=1,
        attachments=[{"sha256": sha_photo, "caption": "车"}, {"sha256": sha_voice}])])
    assert updated[0]["status"] == "applied", updated
    settle(engine)
    assert [a["sha256"] for a in _pulled(http, phone, lead_id, 2)["attachments"]] == [
        sha_photo, sha_voice]


def test_an_unfinished_or_malformed_attachment_rejects_the_mutation(http, world, login):
    phone = login(world.assistant)
    unfinished = os.urandom(2_000)
    http.post("/api/v1/attachments", headers=bearer(phone), json={
        "sha256": hashlib.sha256(unfinished).hexdigest(), "size": len(unfinished),
        "content_type": "image/jpeg"})
    lead_id = str(uuid.uuid4())
    results = _push(http, phone, [
        _mutation("create", lead_id, kind="vehicle",
                  attachments=[{"sha256": hashlib.sha256(unfinished).hexdigest()}]),
        _mutation("create", str(uuid.uuid4()), kind="vehicle",
                  attachments=[{"sha256": "not a hash"}]),
    ])
    assert [(r["status"], r["code"]) for r in results] == [
        ("rejected", "attachment_not_uploaded"), ("rejected", "validation_failed")]
    assert http.get(f"/api/v1/leads/{lead_id}", headers=bearer(phone)).status_code == 404
