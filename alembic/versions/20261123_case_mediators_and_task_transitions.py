"""field work: mediators assigned to cases, and tasks closed or cancelled with a reason

``case_mediator`` replaces the interim rule that gave a mediator the cases of the
townships they served: the court now puts a mediator on a case, from a day until a day.
``task_transition`` keeps who closed or cancelled a task, when and why.

Revision ID: b2f4d1e6a802
Revises: f6c1e8b3d706
Create Date: 2026-11-23 16:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b2f4d1e6a802"
down_revision: str | Sequence[str] | None = "f6c1e8b3d706"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sqlmodel.sql.sqltypes.AutoString(length=36)
TASK_STATUSES = ("open", "closed", "cancelled")


def _fk(table: str, column: str, target: str,
        ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["court_id", column], [f"{target}.court_id", f"{target}.id"],
        name=op.f(f"fk_{table}_court_id_{column}_{target}"), ondelete=ondelete,
    )


def _status(name: str) -> sa.Enum:
    return sa.Enum(*TASK_STATUSES, name=name, native_enum=False, create_constraint=True,
                   length=32)


def upgrade() -> None:
    op.create_table(
        "case_mediator",
        sa.Column("court_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("mediator_id", ID, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("assigned_by", ID, nullable=False),
        sa.Column("ended_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on",
                           name=op.f("ck_case_mediator_ends_not_before_start")),
        _fk("case_mediator", "case_id", "enforcement_case", "CASCADE"),
        _fk("case_mediator", "mediator_id", "user_account", "CASCADE"),
        _fk("case_mediator", "assigned_by", "user_account"),
        _fk("case_mediator", "ended_by", "user_account"),
        sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                                name=op.f("fk_case_mediator_court_id_court")),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_case_mediator")),
    )
    op.create_index("ix_case_mediator_mediator", "case_mediator",
                    ["court_id", "mediator_id", "case_id"], unique=False)
    op.create_table(
        "task_transition",
        sa.Column("court_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("task_id", ID, nullable=False),
        sa.Column("from_status", _status("from_status"), nullable=False),
        sa.Column("to_status", _status("to_status"), nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        _fk("task_transition", "task_id", "task", "CASCADE"),
        _fk("task_transition", "actor_id", "user_account"),
        sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                                name=op.f("fk_task_transition_court_id_court")),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_task_transition")),
    )


def downgrade() -> None:
    op.drop_table("task_transition")
    op.drop_index("ix_case_mediator_mediator", table_name="case_mediator")
    op.drop_table("case_mediator")
