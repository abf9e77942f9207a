"""Database engine and the unit of work that every use case opens.

Nothing here connects at import time: ``Database`` is built by the app factory
(or a CLI command, or a test) from a URL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

import psycopg._queries
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from sync import direct
from sync.binary import binary_arrays

# psycopg rewrites a query's placeholders for PostgreSQL on every execution unless the query
# is at most 4,096 characters with at most 50 parameters; under those it keeps the result
# (an LRU of 128). A pull's statements hold the caller's scope clauses and pass both
# limits (a poll's first statement: 11,283 characters, 106 parameters): rewriting it took
# 0.6-0.9 ms of the poll's ~3.5 ms of CPU (bench/profile-findings.md, finding 21). Raised
# here, still bounded (128 queries of 32 KiB at most); if a psycopg release drops these
# settings, queries are rewritten each time as before, with the same answers.
for _limit, _at_least in (("MAX_CACHED_STATEMENT_LENGTH", 32 * 1024),
                          ("MAX_CACHED_STATEMENT_PARAMS", 256)):
    if isinstance(getattr(psycopg._queries, _limit, None), int):
        setattr(psycopg._queries, _limit, max(getattr(psycopg._queries, _limit), _at_least))


@dataclass
class _SharedConnection:
    """One request's connection, taken from the pool on its first unit of work."""

    db: Database
    connection: sa.Connection | None = None
    in_use: bool = False

    def connect(self) -> sa.Connection:
        if self.connection is None or self.connection.invalidated:
            if self.connection is not None:
                self.connection.close()
            self.connection = self.db.engine.connect()
        return self.connection


class _SharedSession(Session):
    """A unit of work inside ``one_connection``: takes the request's connection when its
    first statement needs one, so a request that reads nothing through it (an up-to-date
    phone's poll: ``Database.read_once``) checks out and pings nothing."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        # Once taken, the same connection to the end, even if the server dropped it: a
        # unit of work never goes on in another transaction half way.
        if "gridwork_connection" not in self.info:
            self.info["gridwork_connection"] = self.info["gridwork_shared"].connect()
        return self.info["gridwork_connection"]


_shared: ContextVar[_SharedConnection | None] = ContextVar("gridwork_shared_connection",
                                                           default=None)


_PING = sa.text("SELECT 1")


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs (as libpq tools print them) and use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Database:
    """One engine per process, and sessions for units of work."""

    def __init__(self, url: str, *, pool_size: int = 5, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine = sa.create_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=10,
            pool_pre_ping=True,
            echo=echo,
            # JIT compiles a plan once its estimated cost passes jit_above_cost: at ten
            # times the demo county a pull's scope read gets there and pays tens of ms of
            # compilation for a query that runs in a few (bench/profile-findings.md).
            connect_args={"connect_timeout": 5, "application_name": "gridwork",
                          "options": "-c jit=off"},
        )
        # id and key arrays in psycopg's binary format (sync.binary: finding 22)
        sa.event.listen(self.engine, "connect", binary_arrays)
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self._shared_sessions = sessionmaker(self.engine, class_=_SharedSession,
                                             expire_on_commit=False)
        # Single reads (``read_once``): each statement its own transaction, planned once
        # (a prepared statement's generic plan; see sync.feed.PLAN_ONCE for why), and no
        # ping before each use: a read is simply sent again on a fresh connection.
        self.reads = sa.create_engine(
            self.url, pool_size=pool_size, max_overflow=10, echo=echo,
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 5, "application_name": "gridwork reads",
                          "options": "-c jit=off -c plan_cache_mode=force_generic_plan",
                          "prepare_threshold": 0})  # prepared, so planned, at first use
        sa.event.listen(self.reads, "connect", binary_arrays)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction: the caller commits explicitly; anything else rolls back.

        Inside ``one_connection`` consecutive units of work take turns on the same
        connection (each still its own transaction); one opened while another is still
        open gets a connection of its own, as outside."""
        shared = _shared.get()
        mine = shared is not None and shared.db is self and not shared.in_use
        if mine:
            assert shared is not None
            shared.in_use = True
            session: Session = self._shared_sessions(info={"gridwork_shared": shared})
        else:
            session = self._sessions()
        try:
            yield session
        finally:
            # close() rolls back whatever was not committed; unlike rollback() it leaves
            # loaded objects readable (detached, not expired) for the caller to serialise.
            session.close()
            if mine:
                assert shared is not None
                shared.in_use = False

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        """Let the units of work inside (a request's authentication, then its use case)
        share one pooled connection: one checkout and pre-ping instead of one each,
        which was measurable on every sync pull (bench/profile-findings.md, finding 3)."""
        shared = _SharedConnection(self)
        token = _shared.set(shared)
        try:
            yield
        finally:
            try:
                _shared.reset(token)
            except ValueError:  # ended in another context (a streamed response): just clear
                _shared.set(None)
            if shared.connection is not None:
                shared.connection.close()

    def ping(self) -> None:
        """Raises when the database does not answer. A single read: no transaction, so
        nothing rolls back (a ROLLBACK makes psycopg forget what it prepared on the
        connection: finding 40)."""
        self.read_once(_PING, {})

    def read_once(self, statement: sa.Executable, parameters: Mapping[str, Any]) -> Any:
        """The one row ``statement`` (read-only, often sent) selects, read in a
        transaction of its own: one round trip, where a unit of work's first statement
        takes five (the pool's ping, ``BEGIN``, ``SET LOCAL``, the statement, ``COMMIT``).
        An up-to-date phone's poll is one such read (bench/profile-findings.md, finding
        37). A connection the server dropped since its last use (a restart, a failover)
        is noticed by the read itself, which is then sent once more on a new one.

        The statement is compiled once and handed to the driver as text with its values:
        SQLAlchemy's execution (its cache key, the values' processing, the result) cost
        a fifth of a poll's CPU (finding 45). The row answers to the same names."""
        ready = direct.ready(statement, parameters, self.reads.dialect)
        for attempt in (1, 2):
            try:
                if ready is None:
                    with self.reads.connect() as connection:
                        return connection.execute(statement, parameters).one()
                return self._read_ready(ready, parameters)
            except sa.exc.DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def _read_ready(self, ready: direct.Ready, parameters: Mapping[str, Any]) -> Any:
        dialect = self.reads.dialect
        try:
            pooled = self.reads.raw_connection()
        except psycopg.Error as exc:  # no connection to be had: as Engine.connect says it
            raise sa.exc.DBAPIError.instance(
                None, None, exc, dialect.loaded_dbapi.Error,
                connection_invalidated=dialect.is_disconnect(cast(Any, exc), None, None),
                dialect=dialect) from exc
        try:
            driver = pooled.driver_connection
            assert driver is not None

            def gone(exc: BaseException) -> None:
                # As SQLAlchemy does on a disconnect: the pool's other connections most
                # likely went with this one (a restart, a failover), and reads are not
                # pinged before use, so the retry must not take one of them.
                pooled.invalidate(exc)
                self.reads.dispose()

            return direct.one(direct.fetch(driver, ready, parameters, dialect, gone))
        finally:
            pooled.close()

    def dispose(self) -> None:
        self.engine.dispose()
        self.reads.dispose()
