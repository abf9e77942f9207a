"""A write that reaches a read-only PostgreSQL — a primary Patroni demoted when it lost
etcd, or a standby a failover has not yet taken out of the load balancer — is refused
with 503 problem+json and Retry-After, like a database that does not answer (never a
500), and leaves nothing behind; once the database takes writes again the same push
applies once. Here the database is made read-only with ``default_transaction_read_only``,
which fails writes with the same SQLSTATE (25006) as a standby does."""

from __future__ import annotations

import uuid

import requests
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Role
from tests import factories
from tests.conftest import serving
from tests.sync.helpers import count_rows


def _read_only(engine: sa.Engine, database: str, on: bool) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        setting = "SET default_transaction_read_only = on" if on else (
            "RESET default_transaction_read_only")
        conn.execute(sa.text(f'ALTER DATABASE "{database}" {setting}'))


def test_a_push_to_a_read_only_database_is_a_clean_503_and_its_retry_applies_once(
        make_database, make_app):
    url = make_database()
    engine = sa.create_engine(url)
    database = sa.engine.make_url(url).database
    assert database
    with Session(engine) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        user = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, user, village)
        session.commit()
        username = user.username
    app = make_app(DATABASE_URL=url)
    batch = [{"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
              "id": str(uuid.uuid4()), "fields": {"kind": "other", "description": f"#{i}"}}
             for i in range(20)]
    body = {"device_id": "phone-ro", "schema_version": 1, "mutations": batch}
    with serving(app) as base:
        tokens = requests.post(f"{base}/api/v1/auth/login", json={
            "username": username, "password": factories.PASSWORD, "device_id": "phone-ro"},
            timeout=30).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}",
                   "Accept-Language": "en"}
        _read_only(engine, database, True)
        app.extensions["gridwork"].db.dispose()  # new connections see the setting
        try:
            refused = requests.post(f"{base}/api/v1/sync/push", json=body, headers=headers,
                                    timeout=60)
            assert refused.status_code == 503, refused.text
            assert refused.headers["Content-Type"].startswith("application/problem+json")
            assert refused.json()["code"] == "database_unavailable"
            assert int(refused.headers["Retry-After"]) > 0
        finally:
            _read_only(engine, database, False)
            app.extensions["gridwork"].db.dispose()
        assert count_rows(engine, "lead") == 0 and count_rows(engine, "sync_receipt") == 0

        applied = requests.post(f"{base}/api/v1/sync/push", json=body, headers=headers,
                                timeout=60)
        assert applied.status_code == 200, applied.text
        assert {r["status"] for r in applied.json()["results"]} == {"applied"}
    assert count_rows(engine, "lead") == len(batch)
    engine.dispose()
