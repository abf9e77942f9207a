"""Database engine and the unit of work that every use case opens.

Nothing here connects at import time: ``Database`` is built by the app factory
(or a CLI command, or a test) from a URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session


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
            connect_args={"connect_timeout": 5, "application_name": "gridwork"},
        )
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction: the caller commits explicitly; anything else rolls back."""
        session = self._sessions()
        try:
            yield session
        finally:
            # close() rolls back whatever was not committed; unlike rollback() it leaves
            # loaded objects readable (detached, not expired) for the caller to serialise.
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
