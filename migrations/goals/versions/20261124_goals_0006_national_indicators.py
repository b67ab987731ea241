"""The national indicator set, and the national code of an indicator taken into a plan.

Revision ID: goals_0006
Revises: goals_0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "goals_0006"
down_revision: str | None = "goals_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "national_indicator",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("goal_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("numerator", sa.String(length=500), nullable=True),
        sa.Column("denominator", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "direction IN ('increase', 'decrease')", name=op.f("ck_national_indicator_direction")
        ),
        sa.CheckConstraint(
            "measure IN ('count', 'percentage', 'boolean', 'text')",
            name=op.f("ck_national_indicator_measure"),
        ),
        sa.ForeignKeyConstraint(
            ["goal_code"], ["goals.goal.code"], name=op.f("fk_national_indicator_goal_code_goal")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_national_indicator")),
        schema="goals",
    )
    op.create_index(
        op.f("ix_national_indicator_goal_code"),
        "national_indicator",
        ["goal_code"],
        unique=False,
        schema="goals",
    )
    op.add_column(
        "indicator", sa.Column("national_code", sa.String(length=32), nullable=True), schema="goals"
    )
    op.create_foreign_key(
        op.f("fk_indicator_national_code_national_indicator"),
        "indicator",
        "national_indicator",
        ["national_code"],
        ["code"],
        source_schema="goals",
        referent_schema="goals",
    )
    op.create_index(
        op.f("ix_indicator_national_code"),
        "indicator",
        ["national_code"],
        unique=False,
        schema="goals",
    )
    op.create_unique_constraint(
        op.f("uq_indicator_plan_id_national_code"),
        "indicator",
        ["plan_id", "national_code"],
        schema="goals",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("uq_indicator_plan_id_national_code"), "indicator", schema="goals", type_="unique"
    )
    op.drop_index(op.f("ix_indicator_national_code"), table_name="indicator", schema="goals")
    op.drop_constraint(
        op.f("fk_indicator_national_code_national_indicator"),
        "indicator",
        schema="goals",
        type_="foreignkey",
    )
    op.drop_column("indicator", "national_code", schema="goals")
    op.drop_index(
        op.f("ix_national_indicator_goal_code"), table_name="national_indicator", schema="goals"
    )
    op.drop_table("national_indicator", schema="goals")
