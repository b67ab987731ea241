"""Comments on a report, or on the value of one of its indicators.

Revision ID: goals_0005
Revises: goals_0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "goals_0005"
down_revision: str | None = "goals_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_comment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("indicator_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("author_role", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["goals.indicator.id"],
            name=op.f("fk_report_comment_indicator_id_indicator"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["goals.report.id"],
            name=op.f("fk_report_comment_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_comment")),
        schema="goals",
    )
    op.create_index(
        op.f("ix_report_comment_indicator_id"),
        "report_comment",
        ["indicator_id"],
        unique=False,
        schema="goals",
    )
    op.create_index(
        "ix_report_comment_report_id_created_at",
        "report_comment",
        ["report_id", "created_at"],
        unique=False,
        schema="goals",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_report_comment_report_id_created_at", table_name="report_comment", schema="goals"
    )
    op.drop_index(
        op.f("ix_report_comment_indicator_id"), table_name="report_comment", schema="goals"
    )
    op.drop_table("report_comment", schema="goals")
