"""Reporting periods with deadlines.

Revision ID: goals_0007
Revises: goals_0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "goals_0007"
down_revision: str | None = "goals_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporting_period",
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "period ~ '^[0-9]{4}(H[12])?$'", name=op.f("ck_reporting_period_period")
        ),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_reporting_period")),
        schema="goals",
    )


def downgrade() -> None:
    op.drop_table("reporting_period", schema="goals")
