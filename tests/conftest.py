"""Test harness: a real PostgreSQL + PostGIS database per test worker, no mocks.

How it works, and why:

* The server is ``DATABASE_URL`` (``make test`` exports it; the default is the
  private cluster of ``scripts/pgcluster.py``, which is started when it is
  not running). Tests never touch the ``gridwork`` database itself.
* Migrating from scratch takes seconds, so it is done once per schema: the
  database ``gridwork_tmpl_<hash>`` is built with ``alembic upgrade head``,
  where ``<hash>`` covers ``alembic/versions``, ``alembic/env.py`` and
  ``enforcement/models``. An unchanged schema reuses it across runs; a changed
  one builds a new template and drops the old.
* Each pytest-xdist worker copies the template into its own
  ``gridwork_test_<worker>_<pid>`` (a file copy, well under a second) and drops
  it at the end.
* After every test that may use the database, one round trip empties every
  table (see ``_clean_sql``). Tests under ``tests/unit`` or marked ``no_db``
  never connect.

Fixtures: ``database_url``, ``engine``, ``admin_engine``, ``make_database``,
``app``, ``live_server``, ``http``. The ``app`` family imports ``api`` lazily so
that unit tests run without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.engine import Connection, Engine

ROOT = Path(__file__).resolve().parent.parent
UNIT_DIR = ROOT / "tests" / "unit"
TEMPLATE_PREFIX = "gridwork_tmpl_"
TEST_DB_PREFIX = "gridwork_test_"
SCRATCH_DB_PREFIX = "gridwork_scratch_"
# The whole suite signs in from 127.0.0.1 hundreds of times; tests of the limit set their own.
TEST_SETTINGS = {"LOGIN_RATE_LIMIT": "off", "PUBLIC_RATE_LIMIT": "off",
                 "PUBLIC_CODE_RATE_LIMIT": "off"}
KEEP_TABLES = ("alembic_version", "spatial_ref_sys")
# pg_advisory_lock key that serialises template builds and copies across workers and
# concurrent test runs on one server (a server-side lock also frees itself if a worker dies).
TEMPLATE_LOCK_KEY = 0x67726964_776F726B


# tests/cluster kills database nodes of the high-availability set of `make cluster`; it runs
# under `make cluster-test` only, never in `make test`.
collect_ignore = [] if os.environ.get("GRIDWORK_CLUSTER_TEST") else ["cluster"]


def pytest_configure(config: pytest.Config) -> None:
    # Keys of this run only, inherited by xdist workers and every server a test starts, so
    # that no test writes the checkout's own keys and nothing relies on a fixed key.
    import base64
    import secrets

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("PERSONAL_DATA_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    config.addinivalue_line(
        "markers", "no_db: the test needs no database (tests/unit are so implicitly)"
    )


# --------------------------------------------------------------------------- helpers


def _needs_db(node: pytest.Item) -> bool:
    if node.get_closest_marker("no_db"):
        return False
    return UNIT_DIR not in Path(node.path).parents


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def schema_hash() -> str:
    """Short digest of everything that decides what ``alembic upgrade head`` builds."""
    files = sorted(
        {
            *ROOT.glob("alembic/versions/*.py"),
            *ROOT.glob("enforcement/models/**/*.py"),
            ROOT / "alembic" / "env.py",
        }
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _server_url() -> Any:
    from sqlalchemy.engine import make_url

    from enforcement.infrastructure.db_migrations import database_url

    return make_url(database_url())


def _url_of(database: str) -> str:
    return _server_url().set(database=database).render_as_string(hide_password=False)


def _is_local(url: Any) -> bool:
    return url.host in (None, "", "127.0.0.1", "localhost", "::1")


def _start_private_cluster() -> None:
    """``pytest`` run by hand, without ``make test``: start the private cluster first."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pgcluster.py"), "start"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"could not start the private cluster:\n{result.stderr}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return True
    return state != "Z"


def _drop_database(conn: Connection, name: str) -> None:
    is_template = conn.exec_driver_sql(
        "SELECT datistemplate FROM pg_database WHERE datname = %(n)s", {"n": name}
    ).scalar()
    if is_template is None:
        return
    if is_template:  # PostgreSQL refuses to drop a template
        conn.exec_driver_sql(f"ALTER DATABASE {_quote(name)} IS_TEMPLATE false")
    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


@contextlib.contextmanager
def _template_lock(admin: Engine) -> Iterator[Connection]:
    with admin.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})")
        try:
            yield conn
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})")


def _database_names(conn: Connection, prefix: str) -> list[str]:
    rows = conn.exec_driver_sql(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %(p)s)", {"p": prefix}
    )
    return [row[0] for row in rows]


KEEP_OTHER_TEMPLATES = 8
"""Templates of other schema versions kept (newest first): a run of another branch or
checkout on the same server may be copying from one right now."""


def _drop_leftovers(conn: Connection, keep_template: str) -> None:
    """Drop old templates of other schema versions and databases of crashed test runs."""
    others = [row[0] for row in conn.exec_driver_sql(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %(p)s) "
        "AND datname <> %(keep)s ORDER BY oid DESC",
        {"p": TEMPLATE_PREFIX, "keep": keep_template},
    )]
    for name in others[KEEP_OTHER_TEMPLATES:]:
        _drop_database(conn, name)
    if not _is_local(_server_url()):
        return  # pids name processes on another machine: we cannot tell who is gone
    busy = {
        row[0]
        for row in conn.exec_driver_sql(
            "SELECT DISTINCT datname FROM pg_stat_activity WHERE datname IS NOT NULL"
        )
    }
    for name in _database_names(conn, TEST_DB_PREFIX) + _database_names(conn, SCRATCH_DB_PREFIX):
        pid = name.rsplit("_", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)) and name not in busy:
            _drop_database(conn, name)


def _build_template(conn: Connection, template: str) -> None:
    """Migrate a fresh database to head, then publish it under its final name.

    It is built under a temporary name so that a run killed half-way never
    leaves a half-migrated template that later runs would trust.
    """
    from alembic import command

    from enforcement.infrastructure.db_migrations import alembic_config

    building = f"{template}_build"
    _drop_database(conn, building)
    conn.exec_driver_sql(f"CREATE DATABASE {_quote(building)} TEMPLATE template0")
    command.upgrade(alembic_config(url=_url_of(building)), "head")
    conn.exec_driver_sql(f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(template)}")
    conn.exec_driver_sql(
        f"ALTER DATABASE {_quote(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
    )


# --------------------------------------------------------------------------- database fixtures


@pytest.fixture(scope="session")
def admin_engine() -> Iterator[Engine]:
    """AUTOCOMMIT engine on the server's ``postgres`` database, for CREATE/DROP DATABASE."""
    from sqlalchemy import create_engine, pool
    from sqlalchemy.exc import OperationalError

    url = _url_of("postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    try:
        with engine.connect():
            pass
    except OperationalError:
        if os.environ.get("DATABASE_URL"):
            raise RuntimeError(
                f"cannot connect to the server of DATABASE_URL ({_server_url()!r})"
            ) from None
        _start_private_cluster()
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def template_database(admin_engine: Engine) -> str:
    """Name of the migrated template database for the current schema (built if missing)."""
    template = f"{TEMPLATE_PREFIX}{schema_hash()}"
    with _template_lock(admin_engine) as conn:
        _drop_leftovers(conn, template)
        if template not in _database_names(conn, template):  # not its half-built _build
            _build_template(conn, template)
    return template


@pytest.fixture(scope="session")
def make_database(admin_engine: Engine, template_database: str) -> Iterator[Callable[..., str]]:
    """Factory: ``make_database()`` copies the migrated template into a new database and
    returns its URL; ``make_database(template="template0")`` gives an empty one (no PostGIS).
    Every database it makes is dropped at the end of the session."""
    made: list[str] = []

    def make(template: str | None = None) -> str:
        name = f"{SCRATCH_DB_PREFIX}{_worker_id()}_{len(made)}_{os.getpid()}"
        with _template_lock(admin_engine) as conn:
            _drop_database(conn, name)
            conn.exec_driver_sql(
                f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template or template_database)}"
            )
        made.append(name)
        return _url_of(name)

    yield make
    with admin_engine.connect() as conn:
        for name in made:
            _drop_database(conn, name)


@pytest.fixture(scope="session")
def database_url(admin_engine: Engine, template_database: str) -> Iterator[str]:
    """URL of this worker's own database, a copy of the migrated template."""
    name = f"{TEST_DB_PREFIX}{_worker_id()}_{os.getpid()}"
    with _template_lock(admin_engine) as conn:
        _drop_database(conn, name)
        conn.exec_driver_sql(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template_database)}")
    yield _url_of(name)
    with admin_engine.connect() as conn:
        _drop_database(conn, name)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """SQLAlchemy engine (psycopg 3) on this worker's database."""
    from sqlalchemy import create_engine

    eng = create_engine(database_url)
    yield eng
    eng.dispose()


RESET_SEQUENCES = (
    "SELECT count(setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), "
    "start_value, false)) FROM pg_sequences "
    "WHERE schemaname = 'public' AND last_value IS NOT NULL"
)


@pytest.fixture(scope="session")
def _clean_sql(engine: Engine) -> str | None:
    """The statement that empties every table, computed once per session.

    ``TRUNCATE ... CASCADE`` of all ~35 tables costs 40-140 ms (new files for
    every table and index), too much after every test. ``DELETE`` with triggers
    and foreign keys switched off (``session_replication_role = replica``) is
    about 2 ms when the tables are small, as they are in tests; it needs a
    superuser, so on a server where we are not one, TRUNCATE it is. Used
    sequences are reset either way, as ``RESTART IDENTITY`` would.
    """
    with engine.connect() as conn:
        names = list(
            conn.exec_driver_sql(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> ALL(%(keep)s) ORDER BY tablename",
                {"keep": list(KEEP_TABLES)},
            ).scalars()
        )
        superuser = conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar()
    if not names:
        return None
    if not superuser:
        return f"TRUNCATE TABLE {', '.join(names)} RESTART IDENTITY CASCADE"
    deletes = "; ".join(f"DELETE FROM {name}" for name in names)
    return f"SET LOCAL session_replication_role = replica; {deletes}; {RESET_SEQUENCES}"


@pytest.fixture(autouse=True)
def clean_db(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table after each test that may have used the database."""
    if not _needs_db(request.node):
        yield
        return
    eng: Engine = request.getfixturevalue("engine")
    sql: str | None = request.getfixturevalue("_clean_sql")
    yield
    if sql is None:
        return
    from psycopg.errors import DeadlockDetected
    from sqlalchemy.exc import OperationalError

    for attempt in range(3):
        try:
            with eng.begin() as conn:
                # A test that leaves a transaction open would otherwise make the clean-up
                # wait forever.
                conn.exec_driver_sql("SET LOCAL lock_timeout = '15s'")
                conn.exec_driver_sql(sql)
            return
        except OperationalError as exc:
            # A phone page closed at the end of a browser test may leave a sync request
            # still running on the live server: deleting the same rows in another order,
            # one of the two is chosen as the deadlock's victim. That request is over by now.
            if attempt == 2 or not isinstance(exc.orig, DeadlockDetected):
                raise


# --------------------------------------------------------------------------- HTTP fixtures


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The Flask app on this worker's database (its pool closed at the end)."""
    from api import create_app

    built = create_app({"DATABASE_URL": database_url, "TESTING": True, **TEST_SETTINGS})
    yield built
    built.extensions["gridwork"].db.dispose()


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build extra apps with other settings (on this worker's database unless given);
    their pools are closed after the test."""
    from api import create_app

    built: list[Flask] = []

    def _make(**overrides: Any) -> Flask:
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, **TEST_SETTINGS,
                          **overrides})
        built.append(app)
        return app

    yield _make
    for app in built:
        app.extensions["gridwork"].db.dispose()


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` served over real HTTP on a free local port, in a thread; yields its base
    URL and stops the server on the way out."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free local port; yields its base URL."""
    with serving(app) as url:
        yield url


class LiveSession(requests.Session):
    """A ``requests.Session`` that resolves paths like ``/healthz`` against one base URL."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(url, str) and url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def http(live_server: str) -> Iterator[LiveSession]:
    """HTTP client for the live server: ``http.get("/healthz")``."""
    with LiveSession(live_server) as session:
        yield session
