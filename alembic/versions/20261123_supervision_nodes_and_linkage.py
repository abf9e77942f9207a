"""supervision: node events, witnessing and inbox read marks; scored evaluations and
opinion cards due for the judge's answer; witnessable nodes; linkage answers' result

Opinion cards written before this revision get the case's judge as addressee and are
due 10 days after they were written (the default of ``OPINION_ANSWER_DAYS``).

Revision ID: f6c1e8b3d706
Revises: 181c199e3853
Create Date: 2026-11-23 15:51:16.511546

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "f6c1e8b3d706"
down_revision: str | Sequence[str] | None = "181c199e3853"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "node_event",
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("node_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("occurs_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["court_id", "case_id"],
            ["enforcement_case.court_id", "enforcement_case.id"],
            name=op.f("fk_node_event_court_id_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "node_id"],
            ["enforcement_node.court_id", "enforcement_node.id"],
            name=op.f("fk_node_event_court_id_node_id_enforcement_node"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "recorded_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_node_event_court_id_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_node_event_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_node_event")),
    )
    op.create_index(
        "ix_node_event_case", "node_event", ["court_id", "case_id", "occurs_at"], unique=False
    )
    op.create_table(
        "node_event_read",
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("node_event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("deputy_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "read_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "deputy_id"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_node_event_read_court_id_deputy_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "node_event_id"],
            ["node_event.court_id", "node_event.id"],
            name=op.f("fk_node_event_read_court_id_node_event_id_node_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_node_event_read_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_node_event_read")),
        sa.UniqueConstraint(
            "court_id",
            "node_event_id",
            "deputy_id",
            name=op.f("uq_node_event_read_court_id_node_event_id_deputy_id"),
        ),
    )
    op.create_table(
        "node_witness",
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("node_event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("deputy_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("witnessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "deputy_id"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_node_witness_court_id_deputy_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "node_event_id"],
            ["node_event.court_id", "node_event.id"],
            name=op.f("fk_node_witness_court_id_node_event_id_node_event"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_node_witness_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_node_witness")),
        sa.UniqueConstraint(
            "court_id",
            "node_event_id",
            "deputy_id",
            name=op.f("uq_node_witness_court_id_node_event_id_deputy_id"),
        ),
    )
    op.add_column(
        "deputy_evaluation",
        sa.Column("node_event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    )
    op.add_column(
        "deputy_evaluation",
        sa.Column(
            "scores", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
    )
    op.add_column(
        "deputy_evaluation",
        sa.Column("judge_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    )
    op.add_column(
        "deputy_evaluation", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_deputy_evaluation_open_opinions",
        "deputy_evaluation",
        ["court_id", "due_at"],
        unique=False,
        postgresql_where=sa.text("kind = 'opinion' AND replied_at IS NULL"),
    )
    op.create_foreign_key(
        op.f("fk_deputy_evaluation_court_id_judge_id_user_account"),
        "deputy_evaluation",
        "user_account",
        ["court_id", "judge_id"],
        ["court_id", "id"],
    )
    op.create_foreign_key(
        op.f("fk_deputy_evaluation_court_id_node_event_id_node_event"),
        "deputy_evaluation",
        "node_event",
        ["court_id", "node_event_id"],
        ["court_id", "id"],
    )
    op.create_check_constraint(
        op.f("ck_deputy_evaluation_kind_known"),
        "deputy_evaluation",
        "kind IN ('evaluation', 'opinion')",
    )
    op.execute(
        "UPDATE deputy_evaluation e SET judge_id = c.judge_id, "
        "due_at = e.created_at + interval '10 days' FROM enforcement_case c "
        "WHERE e.kind = 'opinion' AND c.court_id = e.court_id AND c.id = e.case_id"
    )
    op.add_column(
        "enforcement_node",
        sa.Column("witnessable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column(
        "enforcement_node", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "linkage_request",
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    )
    op.create_check_constraint(
        op.f("ck_linkage_request_result_known"),
        "linkage_request",
        "result IS NULL OR result IN ('done', 'partly_done', 'not_found', 'unable')",
    )
    op.add_column(
        "linkage_unit", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("linkage_unit", "version")
    op.drop_constraint(
        op.f("ck_linkage_request_result_known"), "linkage_request", type_="check"
    )
    op.drop_column("linkage_request", "result")
    op.drop_column("enforcement_node", "version")
    op.drop_column("enforcement_node", "witnessable")
    op.drop_constraint(
        op.f("ck_deputy_evaluation_kind_known"), "deputy_evaluation", type_="check"
    )
    op.drop_constraint(
        op.f("fk_deputy_evaluation_court_id_node_event_id_node_event"),
        "deputy_evaluation",
        type_="foreignkey",
    )
    op.drop_constraint(
        op.f("fk_deputy_evaluation_court_id_judge_id_user_account"),
        "deputy_evaluation",
        type_="foreignkey",
    )
    op.drop_index(
        "ix_deputy_evaluation_open_opinions",
        table_name="deputy_evaluation",
        postgresql_where=sa.text("kind = 'opinion' AND replied_at IS NULL"),
    )
    op.drop_column("deputy_evaluation", "due_at")
    op.drop_column("deputy_evaluation", "judge_id")
    op.drop_column("deputy_evaluation", "scores")
    op.drop_column("deputy_evaluation", "node_event_id")
    op.drop_table("node_witness")
    op.drop_table("node_event_read")
    op.drop_index("ix_node_event_case", table_name="node_event")
    op.drop_table("node_event")
