"""Grants as cases: a call's rules (`requires_interest`, `rolling`), its reporting deadline
and its kept changes; withdrawn applications; use-of-funds reports and follow-up rounds.

A call's changes are append-only, like an application's history.

Revision ID: funding_0006
Revises: funding_0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "funding_0006"
down_revision: str | None = "funding_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "'submitted', 'approved', 'rejected', 'paid', 'repayment_due', 'closed'"
STATES = OLD_STATES + ", 'withdrawn'"


def _created() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    for name in ("requires_interest", "rolling"):
        op.add_column(
            "grant_call",
            sa.Column(name, sa.Boolean(), server_default=sa.text("false"), nullable=False),
            schema="funding",
        )
    op.add_column(
        "grant_call",
        sa.Column("report_due_at", sa.DateTime(timezone=True), nullable=True),
        schema="funding",
    )
    op.create_check_constraint(
        op.f("ck_grant_call_report_due_after_window"),
        "grant_call",
        "report_due_at IS NULL OR report_due_at > closes_at",
        schema="funding",
    )
    op.drop_constraint(
        op.f("ck_grant_application_state_known"), "grant_application", schema="funding"
    )
    op.create_check_constraint(
        op.f("ck_grant_application_state_known"),
        "grant_application",
        f"state IN ({STATES})",
        schema="funding",
    )
    op.create_table(
        "grant_call_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["funding.grant_call.id"],
            name=op.f("fk_grant_call_change_call_id_grant_call"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_call_change")),
        schema="funding",
    )
    op.create_index(
        op.f("ix_grant_call_change_call_id"),
        "grant_call_change",
        ["call_id"],
        unique=False,
        schema="funding",
    )
    op.execute(
        "CREATE TRIGGER grant_call_change_append_only BEFORE UPDATE OR DELETE "
        "ON funding.grant_call_change FOR EACH ROW EXECUTE FUNCTION funding.append_only()"
    )
    op.create_table(
        "grant_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        *_created(),
        sa.CheckConstraint('"round" >= 1', name=op.f("ck_grant_follow_up_round_positive")),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["funding.grant_call.id"],
            name=op.f("fk_grant_follow_up_call_id_grant_call"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_follow_up")),
        sa.UniqueConstraint("call_id", "round", name=op.f("uq_grant_follow_up_call_id_round")),
        schema="funding",
    )
    op.create_table(
        "grant_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.Column("used_amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("school_unit_codes", postgresql.ARRAY(sa.String(length=8)), nullable=False),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("pupil_count", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        *_created(),
        sa.CheckConstraint("number >= 1", name=op.f("ck_grant_report_number_positive")),
        sa.CheckConstraint("used_amount_ore >= 0", name=op.f("ck_grant_report_used_not_negative")),
        sa.CheckConstraint(
            "staff_count >= 0 AND pupil_count >= 0",
            name=op.f("ck_grant_report_counts_not_negative"),
        ),
        sa.CheckConstraint(
            "state IN ('submitted', 'approved', 'returned')",
            name=op.f("ck_grant_report_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["funding.grant_application.id"],
            name=op.f("fk_grant_report_application_id_grant_application"),
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["funding.grant_follow_up.id"],
            name=op.f("fk_grant_report_follow_up_id_grant_follow_up"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_report")),
        sa.UniqueConstraint(
            "application_id", "number", name=op.f("uq_grant_report_application_id_number")
        ),
        schema="funding",
    )
    op.create_index(
        op.f("ix_grant_report_follow_up_id"),
        "grant_report",
        ["follow_up_id"],
        unique=False,
        schema="funding",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_grant_report_follow_up_id"), table_name="grant_report", schema="funding")
    op.drop_table("grant_report", schema="funding")
    op.drop_table("grant_follow_up", schema="funding")
    op.execute("DROP TRIGGER IF EXISTS grant_call_change_append_only ON funding.grant_call_change")
    op.drop_index(
        op.f("ix_grant_call_change_call_id"), table_name="grant_call_change", schema="funding"
    )
    op.drop_table("grant_call_change", schema="funding")
    # A withdrawn application has no state in the earlier schema: it is marked rejected.
    op.execute("UPDATE funding.grant_application SET state = 'rejected' WHERE state = 'withdrawn'")
    op.drop_constraint(
        op.f("ck_grant_application_state_known"), "grant_application", schema="funding"
    )
    op.create_check_constraint(
        op.f("ck_grant_application_state_known"),
        "grant_application",
        f"state IN ({OLD_STATES})",
        schema="funding",
    )
    op.drop_constraint(
        op.f("ck_grant_call_report_due_after_window"), "grant_call", schema="funding"
    )
    for name in ("report_due_at", "rolling", "requires_interest"):
        op.drop_column("grant_call", name, schema="funding")
