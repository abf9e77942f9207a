"""Photos with visits: a field team lists the files it uploaded with the visit, over REST or
sync, or adds them later from the phone; the court then sees and downloads them. A list
naming a file that is not a complete upload of the court refuses the whole visit."""

from __future__ import annotations

import hashlib
import os
import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from enforcement.models import AuditEntry, EnforcementCase, RoundTarget, TargetStatus
from tests.api.helpers import assert_problem, bearer, upload_file
from tests.api.test_visit_sync import _edit, _mutation, _post
from tests.sync.helpers import settle


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))


def _push(http: Any, tokens: dict[str, Any], *mutations: dict[str, Any],
          schema_version: int = 2) -> list[dict]:
    response = http.post("/api/v1/sync/push", headers=bearer(tokens), json={
        "device_id": tokens["device_id"], "schema_version": schema_version,
        "mutations": list(mutations)})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _pulled(http: Any, tokens: dict[str, Any], visit_id: str, schema_version: int) -> dict:
    body = http.get("/api/v1/sync/pull", headers=bearer(tokens),
                    params={"schema_version": schema_version}).json()
    return next(r for r in body["changes"]["visit"]["upserts"] if r["id"] == visit_id)


def test_a_posted_visit_shows_its_photos_and_the_court_downloads_them(http, world, round_work):
    leader = world.headers(round_work.leader)
    photo = os.urandom(5_000)
    sha = upload_file(http, leader, photo)["sha256"]
    posted = _post(http, world, round_work.leader, round_work.rnd.id, round_work.stops[0].id,
                   result="paid", amount_collected="300",
                   attachments=[{"sha256": sha, "caption": "收据"}])
    assert posted.status_code == 201, posted.text
    assert [(a["sha256"], a["caption"], a["size"]) for a in posted.json()["attachments"]] == \
        [(sha, "收据", len(photo))]

    judge = world.headers(world.judge_user)
    listed = http.get(f"/api/v1/rounds/{round_work.rnd.id}/visits", headers=judge).json()["items"]
    assert [a["sha256"] for a in listed[0]["attachments"]] == [sha]
    download = http.get(listed[0]["attachments"][0]["url"], headers=judge)
    assert download.status_code == 200 and download.content == photo
    assert http.get(f"/api/v1/attachments/{sha}",
                    headers=world.headers(world.assistant)).status_code == 404


def test_a_visit_naming_an_unfinished_or_foreign_file_is_refused_whole(
        http, world, round_work, session):
    leader = world.headers(round_work.leader)
    unfinished = os.urandom(3_000)
    declared = http.post("/api/v1/attachments", headers=leader, json={
        "sha256": hashlib.sha256(unfinished).hexdigest(), "size": len(unfinished),
        "content_type": "image/jpeg"})
    assert declared.status_code == 201, declared.text
    foreign = upload_file(http, world.headers(round_work.outsider), os.urandom(2_000))["sha256"]
    stop = round_work.stops[1]
    for sha in (hashlib.sha256(unfinished).hexdigest(), foreign):
        refused = _post(http, world, round_work.leader, round_work.rnd.id, stop.id, result="paid",
                        amount_collected="500", attachments=[{"sha256": sha}])
        assert_problem(refused, 422, "attachment_not_uploaded")

    session.expire_all()
    assert session.get(EnforcementCase, (round_work.rnd.court_id, stop.case_id)).amount_recovered \
        == Decimal("0.00"), "no payment from a refused visit"
    assert session.get(RoundTarget, (round_work.rnd.court_id, stop.id)).status != \
        TargetStatus.VISITED
    assert http.get(f"/api/v1/rounds/{round_work.rnd.id}/visits",
                    headers=leader).json()["items"] == []


def test_photos_come_with_a_pushed_visit_and_can_be_added_later(
        http, world, login, round_work, engine, session):
    phone = login(round_work.leader)
    first = upload_file(http, bearer(phone), os.urandom(4_000))["sha256"]
    later = upload_file(http, bearer(phone), os.urandom(6_000), "image/png")["sha256"]
    visit_id = str(uuid.uuid4())
    (created,) = _push(http, phone, _mutation(
        round_work.rnd.id, round_work.stops[2].id, visit_id, result="property_found",
        outcome_kind="property_sealed", attachments=[{"sha256": first.upper(), "caption": "封条"}]))
    assert created["status"] == "applied", created
    settle(engine)
    assert _pulled(http, phone, visit_id, 2)["attachments"] == [
        {"sha256": first, "caption": "封条"}]
    assert "attachments" not in _pulled(http, phone, visit_id, 1), "old phones never see it"

    (added,) = _push(http, phone, _edit(visit_id, 1, attachments=[
        {"sha256": first, "caption": "封条"}, {"sha256": later, "caption": "车辆"}]))
    assert added["status"] == "applied", added
    (bystander,) = _push(http, login(round_work.bystander), _edit(visit_id, 2, attachments=[]))
    assert (bystander["status"], bystander["code"]) == ("rejected", "forbidden")

    listed = http.get(f"/api/v1/rounds/{round_work.rnd.id}/visits",
                      headers=world.headers(world.judge_user)).json()["items"]
    assert [(a["sha256"], a["caption"]) for a in listed[0]["attachments"]] == [
        (first, "封条"), (later, "车辆")]
    settle(engine)
    assert [a["sha256"] for a in _pulled(http, phone, visit_id, 2)["attachments"]] == [
        first, later]
    edits = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.subject_id == visit_id, AuditEntry.action == "visit.edit")).all()
    assert [e.detail["attachments"] for e in edits] == [True]
