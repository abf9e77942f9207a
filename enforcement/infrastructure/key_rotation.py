"""Re-seal personal data under the current key, so that an old key can be retired.

After a rotation (``PERSONAL_DATA_KEY`` = the new key, ``PERSONAL_DATA_OLD_KEYS`` = the old
ones), values are re-sealed as they are written; ``flask keys reseal`` re-seals the rest at
once. Values stay the same in clear, so the sync change feed is left alone (user triggers
are off while a table is rewritten, as in the migration that first encrypted them): no phone
pulls every party again. Run it as the role that owns the tables, like migrations.
"""

from __future__ import annotations

import sqlalchemy as sa

from enforcement.infrastructure.crypto import EncryptedText, keyring
from enforcement.infrastructure.db import Database
from enforcement.models import metadata

BATCH = 1000


def sealed_columns() -> dict[sa.Table, list[sa.Column]]:
    """Every table's columns stored with ``EncryptedText``."""
    found: dict[sa.Table, list[sa.Column]] = {}
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText)]
        if columns:
            found[table] = columns
    return found


def reseal(db: Database) -> dict[str, int]:
    """Re-seal every value not sealed with the current key; values rewritten per table."""
    counts: dict[str, int] = {}
    for table, columns in sealed_columns().items():
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER')
            counts[table.name] = _reseal_table(conn, table, columns)
            conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER')
    return counts


def _reseal_table(conn: sa.Connection, table: sa.Table, columns: list[sa.Column]) -> int:
    ring = keyring()
    current = f"gw1:{ring.key_id}:"
    key = list(table.primary_key.columns)
    raw = [sa.cast(c, sa.Text).label(c.name) for c in columns]  # the stored text, unopened
    done, after = 0, None
    while True:
        query = sa.select(*key, *raw).order_by(*key).limit(BATCH)
        if after is not None:
            query = query.where(sa.tuple_(*key) > sa.tuple_(*after))
        rows = conn.execute(query).all()
        if not rows:
            return done
        for row in rows:
            stale = {c.name: ring.encrypt(ring.decrypt(row._mapping[c.name])) for c in columns
                     if row._mapping[c.name] is not None
                     and not row._mapping[c.name].startswith(current)}
            if stale:
                conn.execute(sa.text(
                    f'UPDATE "{table.name}" SET '
                    + ", ".join(f'"{name}" = :{name}' for name in stale)
                    + " WHERE " + " AND ".join(f'"{k.name}" = :_k_{k.name}' for k in key)),
                    stale | {f"_k_{k.name}": row._mapping[k.name] for k in key})
                done += 1
        after = tuple(rows[-1]._mapping[k.name] for k in key)
