"""review: the reward ledger for useful leads and the per-court rule that prices it

Revision ID: e5d2f7c9a605
Revises: b2f4d1e6a802
Create Date: 2026-11-23 15:52:19.540650

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e5d2f7c9a605"
down_revision: str | Sequence[str] | None = "b2f4d1e6a802"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reward_rule",
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "outcome_kind",
            sa.Enum(
                "debtor_located",
                "debtor_detained",
                "property_found",
                "property_sealed",
                "property_frozen",
                "property_seized",
                "payment_received",
                "settlement_reached",
                "no_result",
                name="reward_outcome_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_reward_rule_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["court_id", "updated_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_reward_rule_court_id_updated_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_reward_rule_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_reward_rule")),
        sa.UniqueConstraint(
            "court_id", "outcome_kind", name=op.f("uq_reward_rule_court_id_outcome_kind")
        ),
    )
    op.create_table(
        "reward_entry",
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("assistant_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("lead_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("outcome_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "outcome_kind",
            sa.Enum(
                "debtor_located",
                "debtor_detained",
                "property_found",
                "property_sealed",
                "property_frozen",
                "property_seized",
                "payment_received",
                "settlement_reached",
                "no_result",
                name="reward_entry_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="reward_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_reward_entry_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["court_id", "assistant_id"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_reward_entry_court_id_assistant_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "decided_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_reward_entry_court_id_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "lead_id"],
            ["lead.court_id", "lead.id"],
            name=op.f("fk_reward_entry_court_id_lead_id_lead"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "outcome_id"],
            ["outcome.court_id", "outcome.id"],
            name=op.f("fk_reward_entry_court_id_outcome_id_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_reward_entry_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_reward_entry")),
        sa.UniqueConstraint(
            "court_id", "outcome_id", name=op.f("uq_reward_entry_court_id_outcome_id")
        ),
    )
    op.create_index(
        "ix_reward_entry_assistant",
        "reward_entry",
        ["court_id", "assistant_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reward_entry_assistant", table_name="reward_entry")
    op.drop_table("reward_entry")
    op.drop_table("reward_rule")
