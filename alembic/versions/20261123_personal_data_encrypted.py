"""privacy: identity and phone numbers encrypted at rest (AES-256-GCM)

Parties' identity and phone numbers, liaison contact phones and users' phones become
``enforcement.crypto.EncryptedText`` columns (text holding ``gw1:<key id>:<ciphertext>``).
Existing rows are encrypted in place, in batches, with the key from ``PERSONAL_DATA_KEY``
(the development key outside production); the downgrade decrypts them again. The index on
``party.id_number`` goes: ciphertext under a random nonce cannot be looked up by value.

The rewrite leaves the sync change feed alone (user triggers are off while it runs): the
values a phone sees do not change, so no device should pull every party again.

Revision ID: e1f2a3b4c5d6
Revises: c9d1e2f3a410
Create Date: 2026-11-23 17:20:00

"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from enforcement.infrastructure.crypto import FORMAT, keyring

revision: str = "e1f2a3b4c5d6"
down_revision: str | Sequence[str] | None = "c9d1e2f3a410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "party": ("id_number", "phone"),
    "linkage_unit": ("contact_phone",),
    "user_account": ("phone",),
}
BATCH = 1000


def _rewrite(table: str, columns: tuple[str, ...], convert: Callable[[str], str],
             needs: Callable[[str], bool]) -> None:
    """Convert every non-null value of ``columns``, ``BATCH`` rows at a time by key."""
    conn = op.get_bind()
    listed = ", ".join(columns)
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    update = sa.text(f"UPDATE {table} SET {assignments} WHERE court_id = :_court AND id = :_id")
    after = ("", "")
    op.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    while True:
        rows = conn.execute(sa.text(
            f"SELECT court_id, id, {listed} FROM {table} WHERE (court_id, id) > (:c, :i) "
            f"ORDER BY court_id, id LIMIT {BATCH}"), {"c": after[0], "i": after[1]}).all()
        if not rows:
            break
        changed = []
        for row in rows:
            values = dict(zip(columns, row[2:], strict=True))
            if any(v is not None and needs(v) for v in values.values()):
                changed.append({"_court": row[0], "_id": row[1], **{
                    c: convert(v) if v is not None and needs(v) else v
                    for c, v in values.items()}})
        if changed:
            conn.execute(update, changed)
        after = (rows[-1][0], rows[-1][1])
    op.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _encrypted(value: str) -> bool:
    return value.startswith(f"{FORMAT}:")


def upgrade() -> None:
    ring = keyring()
    op.drop_index("ix_party_id_number", table_name="party")
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, existing_type=sa.String(length=32),
                            type_=sa.Text(), existing_nullable=True)
        _rewrite(table, columns, ring.encrypt, lambda v: not _encrypted(v))


def downgrade() -> None:
    ring = keyring()
    for table, columns in COLUMNS.items():
        _rewrite(table, columns, ring.decrypt, _encrypted)
        for column in columns:
            op.alter_column(table, column, existing_type=sa.Text(),
                            type_=sa.String(length=32), existing_nullable=True)
    op.create_index("ix_party_id_number", "party", ["court_id", "id_number"], unique=False)
