"""Report versions: each submission and approval keeps the report's values and narratives.

Reports approved before this revision get their approved content as version 1, so that
progress (which reads the latest approved version) shows what it showed before.

Revision ID: goals_0004
Revises: goals_0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "goals_0004"
down_revision: str | None = "goals_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
INSERT INTO goals.report_version
    (report_id, number, kind, report_version, content, created_by, actor_role)
SELECT r.id, 1, 'approved', r.version,
    jsonb_build_object(
        'values', COALESCE((
            SELECT jsonb_agg(jsonb_build_object(
                'indicator_id', v.indicator_id,
                'integer_value', v.integer_value,
                'numerator', v.numerator,
                'denominator', v.denominator,
                'boolean_value', v.boolean_value,
                'text_value', v.text_value) ORDER BY v.indicator_id)
            FROM goals.report_value v WHERE v.report_id = r.id), '[]'::jsonb),
        'narratives', COALESCE((
            SELECT jsonb_object_agg(n.goal_code, n.text)
            FROM goals.report_narrative n WHERE n.report_id = r.id), '{}'::jsonb)),
    'goals_0004', 'admin'
FROM goals.report r
WHERE r.state = 'approved'
"""


def upgrade() -> None:
    op.create_table(
        "report_version",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("report_version", sa.Integer(), nullable=False),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('submitted', 'approved')", name=op.f("ck_report_version_kind")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_report_version_number")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["goals.report.id"],
            name=op.f("fk_report_version_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "number", name=op.f("pk_report_version")),
        schema="goals",
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("report_version", schema="goals")
