"""Goals, plans, indicators, reports and their history; idempotency keys.

Indexes: a plan is found by (county_code, year) and a report by (plan_id, period), both
unique; a report's history by (report_id, occurred_at).

Revision ID: goals_0002
Revises: goals_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "goals_0002"
down_revision: str | None = "goals_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goal",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'county') = (county_code IS NOT NULL)", name=op.f("ck_goal_county_owner")
        ),
        sa.CheckConstraint(
            "kind IN ('agreement', 'kvinnofrid', 'county')", name=op.f("ck_goal_kind")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_goal")),
        schema="goals",
    )
    op.create_index(
        op.f("ix_goal_county_code"), "goal", ["county_code"], unique=False, schema="goals"
    )
    op.create_table(
        "idempotency_key",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column(
            "response_body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "key", name=op.f("pk_idempotency_key")),
        schema="goals",
    )
    op.create_index(
        op.f("ix_idempotency_key_expires_at"),
        "idempotency_key",
        ["expires_at"],
        unique=False,
        schema="goals",
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("year BETWEEN 2018 AND 2100", name=op.f("ck_plan_year")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("county_code", "year", name=op.f("uq_plan_county_code_year")),
        schema="goals",
    )
    op.create_table(
        "plan_goal",
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("goal_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_code"], ["goals.goal.code"], name=op.f("fk_plan_goal_goal_code_goal")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["goals.plan.id"],
            name=op.f("fk_plan_goal_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "goal_code", name=op.f("pk_plan_goal")),
        schema="goals",
    )
    op.create_index(
        op.f("ix_plan_goal_goal_code"), "plan_goal", ["goal_code"], unique=False, schema="goals"
    )
    op.create_table(
        "report",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
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
        sa.CheckConstraint("period ~ '^[0-9]{4}(H[12])?$'", name=op.f("ck_report_period")),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'approved', 'returned')", name=op.f("ck_report_state")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_report_version")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["goals.plan.id"], name=op.f("fk_report_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("plan_id", "period", name=op.f("uq_report_plan_id_period")),
        schema="goals",
    )
    op.create_table(
        "indicator",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("goal_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("baseline_number", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("baseline_flag", sa.Boolean(), nullable=True),
        sa.Column("baseline_text", sa.Text(), nullable=True),
        sa.Column("target_number", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("target_flag", sa.Boolean(), nullable=True),
        sa.Column("target_text", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "direction IN ('increase', 'decrease')", name=op.f("ck_indicator_direction")
        ),
        sa.CheckConstraint(
            "measure IN ('count', 'percentage', 'boolean', 'text')",
            name=op.f("ck_indicator_measure"),
        ),
        sa.CheckConstraint(
            "baseline_number >= 0 AND target_number >= 0",
            name=op.f("ck_indicator_numbers_not_negative"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(baseline_number, baseline_flag, baseline_text) <= 1",
            name=op.f("ck_indicator_baseline"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(target_number, target_flag, target_text) <= 1",
            name=op.f("ck_indicator_target"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id", "goal_code"],
            ["goals.plan_goal.plan_id", "goals.plan_goal.goal_code"],
            name=op.f("fk_indicator_plan_id_plan_goal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint(
            "plan_id", "goal_code", "name", name=op.f("uq_indicator_plan_id_goal_code_name")
        ),
        schema="goals",
    )
    op.create_index(
        op.f("ix_indicator_plan_id"), "indicator", ["plan_id"], unique=False, schema="goals"
    )
    op.create_table(
        "report_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action IN ('create', 'edit', 'import', 'submit', 'approve', 'return', 'reopen')",
            name=op.f("ck_report_event_action"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["goals.report.id"],
            name=op.f("fk_report_event_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_event")),
        schema="goals",
    )
    op.create_index(
        "ix_report_event_report_id_occurred_at",
        "report_event",
        ["report_id", "occurred_at"],
        unique=False,
        schema="goals",
    )
    op.create_table(
        "report_narrative",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("goal_code", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_code"], ["goals.goal.code"], name=op.f("fk_report_narrative_goal_code_goal")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["goals.report.id"],
            name=op.f("fk_report_narrative_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "goal_code", name=op.f("pk_report_narrative")),
        schema="goals",
    )
    op.create_table(
        "report_value",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("indicator_id", sa.BigInteger(), nullable=False),
        sa.Column("integer_value", sa.BigInteger(), nullable=True),
        sa.Column("numerator", sa.BigInteger(), nullable=True),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("boolean_value", sa.Boolean(), nullable=True),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(numerator IS NULL) = (denominator IS NULL)",
            name=op.f("ck_report_value_fraction_pair"),
        ),
        sa.CheckConstraint(
            "denominator > 0 AND numerator >= 0 AND numerator <= denominator",
            name=op.f("ck_report_value_fraction_bounds"),
        ),
        sa.CheckConstraint("integer_value >= 0", name=op.f("ck_report_value_count_not_negative")),
        sa.CheckConstraint(
            "num_nonnulls(integer_value, numerator, boolean_value, text_value) = 1",
            name=op.f("ck_report_value_one_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["goals.indicator.id"],
            name=op.f("fk_report_value_indicator_id_indicator"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["goals.report.id"],
            name=op.f("fk_report_value_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "indicator_id", name=op.f("pk_report_value")),
        schema="goals",
    )
    op.create_index(
        op.f("ix_report_value_indicator_id"),
        "report_value",
        ["indicator_id"],
        unique=False,
        schema="goals",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_report_value_indicator_id"), table_name="report_value", schema="goals")
    op.drop_table("report_value", schema="goals")
    op.drop_table("report_narrative", schema="goals")
    op.drop_index(
        "ix_report_event_report_id_occurred_at", table_name="report_event", schema="goals"
    )
    op.drop_table("report_event", schema="goals")
    op.drop_index(op.f("ix_indicator_plan_id"), table_name="indicator", schema="goals")
    op.drop_table("indicator", schema="goals")
    op.drop_table("report", schema="goals")
    op.drop_index(op.f("ix_plan_goal_goal_code"), table_name="plan_goal", schema="goals")
    op.drop_table("plan_goal", schema="goals")
    op.drop_table("plan", schema="goals")
    op.drop_index(
        op.f("ix_idempotency_key_expires_at"), table_name="idempotency_key", schema="goals"
    )
    op.drop_table("idempotency_key", schema="goals")
    op.drop_index(op.f("ix_goal_county_code"), table_name="goal", schema="goals")
    op.drop_table("goal", schema="goals")
