"""credit: measures on parties (失信, 限制消费, 限制出境), their event history, credit repair

``party_measure_event`` is append-only: a trigger refuses UPDATE and DELETE (a
superuser can still switch triggers off with ``session_replication_role``, as for the
audit log). Parties gain the exit-restriction flag and the since-date of each flag, which
mirror the measures in force so that a measure change is a party change the sync feed
sends to phones.

Revision ID: a7c1e0d2f301
Revises: b3d5f7a9c102
Create Date: 2026-11-23 18:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a7c1e0d2f301"
down_revision: str | Sequence[str] | None = "b3d5f7a9c102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEASURE_KINDS = ("dishonest", "consumption_restriction", "exit_restriction")
ID = sqlmodel.sql.sqltypes.AutoString(length=36)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table: str, column: str, target: str, ondelete: str | None = None
        ) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["court_id", column], [f"{target}.court_id", f"{target}.id"],
        name=op.f(f"fk_{table}_court_id_{column}_{target}"), ondelete=ondelete)


def _stamps() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                      nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                      nullable=False)]


def _court(table: str) -> list[object]:
    return [sa.Column("court_id", ID, nullable=False), sa.Column("id", ID, nullable=False),
            sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                                    name=op.f(f"fk_{table}_court_id_court")),
            sa.PrimaryKeyConstraint("court_id", "id", name=op.f(f"pk_{table}"))]


APPEND_ONLY = """
CREATE FUNCTION party_measure_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'party_measure_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.add_column("party", sa.Column("exit_restricted", sa.Boolean(),
                                     server_default=sa.false(), nullable=False))
    op.add_column("party", sa.Column("dishonest_since", sa.Date(), nullable=True))
    op.add_column("party", sa.Column("consumption_restricted_since", sa.Date(), nullable=True))
    op.add_column("party", sa.Column("exit_restricted_since", sa.Date(), nullable=True))
    op.create_table(
        "party_measure",
        *_stamps(),
        *_court("party_measure"),
        sa.Column("party_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", _enum("measure_kind", *MEASURE_KINDS), nullable=False),
        sa.Column("imposed_on", sa.Date(), nullable=False),
        sa.Column("decision_number", sqlmodel.sql.sqltypes.AutoString(length=64),
                  nullable=False),
        sa.Column("decision_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("imposed_by", ID, nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lift_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("lifted_by", ID, nullable=True),
        sa.Column("repair_id", ID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("lifted_on IS NULL OR lifted_on >= imposed_on",
                           name=op.f("ck_party_measure_lifted_not_before_imposed")),
        _fk("party_measure", "party_id", "party", "CASCADE"),
        _fk("party_measure", "case_id", "enforcement_case", "CASCADE"),
        _fk("party_measure", "imposed_by", "user_account"),
        _fk("party_measure", "lifted_by", "user_account"),
    )
    op.create_index("uq_party_measure_in_force", "party_measure",
                    ["court_id", "party_id", "kind"], unique=True,
                    postgresql_where=sa.text("lifted_on IS NULL"))
    op.create_table(
        "party_measure_event",
        *_court("party_measure_event"),
        sa.Column("measure_id", ID, nullable=False),
        sa.Column("party_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", _enum("measure_kind", *MEASURE_KINDS), nullable=False),
        sa.Column("action", _enum("measure_action", "impose", "amend", "lift"), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("repair_id", ID, nullable=True),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        _fk("party_measure_event", "measure_id", "party_measure"),
        _fk("party_measure_event", "party_id", "party"),
        _fk("party_measure_event", "actor_id", "user_account"),
    )
    op.create_index("ix_party_measure_event_party", "party_measure_event",
                    ["court_id", "party_id", "at"])
    op.create_index("ix_party_measure_event_month", "party_measure_event",
                    ["court_id", "effective_on"])
    op.execute(APPEND_ONLY)
    op.execute("CREATE TRIGGER party_measure_event_append_only BEFORE UPDATE OR DELETE "
               "ON party_measure_event FOR EACH ROW "
               "EXECUTE FUNCTION party_measure_event_refuse_change()")
    op.create_table(
        "credit_repair",
        *_stamps(),
        *_court("credit_repair"),
        sa.Column("party_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("grounds", _enum("repair_grounds", "paid_in_full", "keeps_settlement"),
                  nullable=False),
        sa.Column("evidence_note", sqlmodel.sql.sqltypes.AutoString(length=2000),
                  nullable=False),
        sa.Column("measure_kinds", postgresql.JSONB(astext_type=sa.Text()),
                  server_default="[]", nullable=False),
        sa.Column("status", _enum("repair_status", "pending", "approved", "rejected"),
                  nullable=False),
        sa.Column("applied_by", ID, nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=500),
                  nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        _fk("credit_repair", "party_id", "party", "CASCADE"),
        _fk("credit_repair", "case_id", "enforcement_case", "CASCADE"),
        _fk("credit_repair", "applied_by", "user_account"),
        _fk("credit_repair", "decided_by", "user_account"),
    )
    op.create_index("ix_credit_repair_status", "credit_repair", ["court_id", "status"])
    op.create_index("ix_credit_repair_party", "credit_repair",
                    ["court_id", "party_id", "case_id"])


def downgrade() -> None:
    op.drop_table("credit_repair")
    op.execute("DROP TRIGGER party_measure_event_append_only ON party_measure_event")
    op.execute("DROP FUNCTION party_measure_event_refuse_change()")
    op.drop_table("party_measure_event")
    op.drop_table("party_measure")
    for column in ("exit_restricted_since", "consumption_restricted_since", "dishonest_since",
                   "exit_restricted"):
        op.drop_column("party", column)
