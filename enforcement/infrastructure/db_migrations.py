"""How Gridwork runs and compares Alembic migrations, in one importable place.

``alembic/env.py`` is not importable as a module, yet the test suite must
compare models and migrations with exactly the filter that
``alembic revision --autogenerate`` uses; both take it from here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic.config import Config
from geoalchemy2 import alembic_helpers
from sqlalchemy.engine import Connection

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/gridwork"
"""The private dev cluster that ``scripts/pgcluster.py`` runs."""

POSTGIS_SCHEMAS = frozenset({"tiger", "tiger_data", "topology"})
"""Schemas of the PostGIS tiger geocoder and topology extensions: never ours."""

POSTGIS_TABLES = frozenset({"spatial_ref_sys", "topology", "layer"})
"""Tables the PostGIS extensions own. ``topology`` and ``layer`` are common
words, so they are skipped only when the models have no table of that name."""


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL: ``url``, else ``DATABASE_URL``, else the private cluster.

    A plain ``postgresql://`` or ``postgres://`` URL (what most tools print)
    gets the psycopg 3 driver; SQLAlchemy would otherwise look for psycopg2.
    """
    raw = url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Skip PostGIS schemas before Alembic even reflects them."""
    if type_ == "schema":
        return name not in POSTGIS_SCHEMAS
    if type_ == "table":
        return parent_names.get("schema_name") not in POSTGIS_SCHEMAS
    return True


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Compare only Gridwork's own objects.

    GeoAlchemy2's filter drops the spatial extensions' bookkeeping tables
    (``spatial_ref_sys``, ``geometry_columns``…); ours adds the tiger/topology
    schemas and the tables that exist in the database but not in the models.
    """
    if not alembic_helpers.include_object(obj, name, type_, reflected, compare_to):
        return False
    if type_ == "table":
        if getattr(obj, "schema", None) in POSTGIS_SCHEMAS:
            return False
        if name in POSTGIS_TABLES and reflected and compare_to is None:
            return False
    return True


def alembic_config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic ``Config`` for ``alembic.command`` calls from Python (tests, CLI commands).

    It works from any working directory and leaves logging alone (the CLI's
    ``fileConfig`` would silence every logger that already exists). Pass an
    open ``connection`` to migrate inside the caller's transaction, or a ``url``.
    """
    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["configure_logger"] = False
    if connection is not None:
        cfg.attributes["connection"] = connection
    if url is not None:
        cfg.attributes["url"] = url
    return cfg
