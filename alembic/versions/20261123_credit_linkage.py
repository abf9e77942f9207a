"""credit and linkage: joint punishment notices (copies to units are linkage requests of
kind joint_punishment, acknowledged with result 'acknowledged'), red/white/black list
entries of units and parties with their history, judicial aid applications and payments

Downgrading deletes the notices' copies from linkage_request first.

Revision ID: b3d5f7a9c102
Revises: e1f2a3b4c5d6
Create Date: 2026-11-23 18:37:04.241717

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b3d5f7a9c102"
down_revision: str | Sequence[str] | None = "e1f2a3b4c5d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "judicial_aid",
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
        sa.Column("applicant_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "amount_requested",
            sa.Numeric(precision=14, scale=2),
            server_default="0",
            nullable=False,
        ),
        sa.Column("grounds", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="aid_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("approved_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entered_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("amount_requested > 0", name=op.f("ck_judicial_aid_requested_positive")),
        sa.CheckConstraint(
            "approved_amount IS NULL OR approved_amount <= amount_requested",
            name=op.f("ck_judicial_aid_approved_within_requested"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "applicant_id"],
            ["party.court_id", "party.id"],
            name=op.f("fk_judicial_aid_court_id_applicant_id_party"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "case_id"],
            ["enforcement_case.court_id", "enforcement_case.id"],
            name=op.f("fk_judicial_aid_court_id_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "decided_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_judicial_aid_court_id_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "entered_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_judicial_aid_court_id_entered_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_judicial_aid_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_judicial_aid")),
    )
    op.create_index("ix_judicial_aid_case", "judicial_aid", ["court_id", "case_id"], unique=False)
    op.create_table(
        "linkage_list_entry",
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("unit_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("party_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column(
            "colour",
            sa.Enum(
                "red",
                "white",
                "black",
                name="list_colour",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("set_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(unit_id IS NULL) <> (party_id IS NULL)",
            name=op.f("ck_linkage_list_entry_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "party_id"],
            ["party.court_id", "party.id"],
            name=op.f("fk_linkage_list_entry_court_id_party_id_party"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "set_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_linkage_list_entry_court_id_set_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "unit_id"],
            ["linkage_unit.court_id", "linkage_unit.id"],
            name=op.f("fk_linkage_list_entry_court_id_unit_id_linkage_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_linkage_list_entry_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_linkage_list_entry")),
    )
    op.create_index(
        "ix_linkage_list_entry_current_party",
        "linkage_list_entry",
        ["court_id", "party_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL AND party_id IS NOT NULL"),
    )
    op.create_index(
        "ix_linkage_list_entry_current_unit",
        "linkage_list_entry",
        ["court_id", "unit_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL AND unit_id IS NOT NULL"),
    )
    op.create_table(
        "punishment_notice",
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
        sa.Column("party_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["court_id", "case_id"],
            ["enforcement_case.court_id", "enforcement_case.id"],
            name=op.f("fk_punishment_notice_court_id_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "issued_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_punishment_notice_court_id_issued_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "party_id"],
            ["party.court_id", "party.id"],
            name=op.f("fk_punishment_notice_court_id_party_id_party"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_punishment_notice_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_punishment_notice")),
    )
    op.create_index(
        "ix_punishment_notice_issued", "punishment_notice", ["court_id", "issued_at"], unique=False
    )
    op.create_table(
        "judicial_aid_payment",
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("aid_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_judicial_aid_payment_amount_positive")),
        sa.ForeignKeyConstraint(
            ["court_id", "aid_id"],
            ["judicial_aid.court_id", "judicial_aid.id"],
            name=op.f("fk_judicial_aid_payment_court_id_aid_id_judicial_aid"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "recorded_by"],
            ["user_account.court_id", "user_account.id"],
            name=op.f("fk_judicial_aid_payment_court_id_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_judicial_aid_payment_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "id", name=op.f("pk_judicial_aid_payment")),
    )
    op.create_index(
        "ix_judicial_aid_payment_paid_on",
        "judicial_aid_payment",
        ["court_id", "paid_on"],
        unique=False,
    )
    op.add_column(
        "linkage_request",
        sa.Column("notice_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    )
    op.create_index(
        "ix_linkage_request_notice",
        "linkage_request",
        ["court_id", "notice_id", "unit_id"],
        unique=True,
        postgresql_where=sa.text("notice_id IS NOT NULL"),
    )
    op.create_foreign_key(
        op.f("fk_linkage_request_court_id_notice_id_punishment_notice"),
        "linkage_request",
        "punishment_notice",
        ["court_id", "notice_id"],
        ["court_id", "id"],
    )
    _swap_checks((*KINDS, "joint_punishment"), (*RESULTS, "acknowledged"))


def _swap_checks(kinds: tuple[str, ...], results: tuple[str, ...]) -> None:
    """Replace the checks on linkage_request's kind and result with these value lists."""
    table = "linkage_request"
    op.drop_constraint(op.f("ck_linkage_request_linkage_request_kind"), table, type_="check")
    op.create_check_constraint(
        op.f("ck_linkage_request_linkage_request_kind"), table, f"kind IN ({_quoted(kinds)})"
    )
    op.drop_constraint(op.f("ck_linkage_request_result_known"), table, type_="check")
    op.create_check_constraint(
        op.f("ck_linkage_request_result_known"),
        table,
        f"result IS NULL OR result IN ({_quoted(results)})",
    )


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


KINDS = ("find_person", "seize_vehicle", "search_records", "freeze_and_deduct", "appraise", "other")
RESULTS = ("done", "partly_done", "not_found", "unable")


def downgrade() -> None:
    op.execute(
        "DELETE FROM linkage_request WHERE notice_id IS NOT NULL "
        "OR kind = 'joint_punishment' OR result = 'acknowledged'"
    )
    _swap_checks(KINDS, RESULTS)
    op.drop_constraint(
        op.f("fk_linkage_request_court_id_notice_id_punishment_notice"),
        "linkage_request",
        type_="foreignkey",
    )
    op.drop_index(
        "ix_linkage_request_notice",
        table_name="linkage_request",
        postgresql_where=sa.text("notice_id IS NOT NULL"),
    )
    op.drop_column("linkage_request", "notice_id")
    op.drop_index("ix_judicial_aid_payment_paid_on", table_name="judicial_aid_payment")
    op.drop_table("judicial_aid_payment")
    op.drop_index("ix_punishment_notice_issued", table_name="punishment_notice")
    op.drop_table("punishment_notice")
    op.drop_index(
        "ix_linkage_list_entry_current_unit",
        table_name="linkage_list_entry",
        postgresql_where=sa.text("ended_at IS NULL AND unit_id IS NOT NULL"),
    )
    op.drop_index(
        "ix_linkage_list_entry_current_party",
        table_name="linkage_list_entry",
        postgresql_where=sa.text("ended_at IS NULL AND party_id IS NOT NULL"),
    )
    op.drop_table("linkage_list_entry")
    op.drop_index("ix_judicial_aid_case", table_name="judicial_aid")
    op.drop_table("judicial_aid")
