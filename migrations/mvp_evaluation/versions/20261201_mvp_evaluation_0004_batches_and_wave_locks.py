"""Batches that can be undone and waves that can be locked.

Each accepted upload (`response_import`) keeps its file name and SHA-256, and, once deleted,
who deleted it, when and why; its rows are the wave's positions [first_position,
first_position + rows). A wave keeps its next position, so positions are never reused, and
who locked it. `wave_event` is the wave's audit trail.

Revision ID: mvp_evaluation_0004
Revises: mvp_evaluation_0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mvp_evaluation_0004"
down_revision: str | None = "mvp_evaluation_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "mvp_evaluation"
IMPORT_COLUMNS = (
    sa.Column("file_name", sa.String(255), nullable=True),
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("deleted_by", sa.String(64), nullable=True),
    sa.Column("delete_reason", sa.String(500), nullable=True),
)


def upgrade() -> None:
    for column in IMPORT_COLUMNS:
        op.add_column("response_import", column, schema=SCHEMA)
    op.add_column(
        "wave",
        sa.Column("next_position", sa.Integer(), server_default=sa.text("1"), nullable=False),
        schema=SCHEMA,
    )
    op.execute("UPDATE mvp_evaluation.wave SET next_position = respondents + 1")
    op.add_column(
        "wave", sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA
    )
    op.add_column("wave", sa.Column("locked_by", sa.String(64), nullable=True), schema=SCHEMA)
    op.create_check_constraint(
        op.f("ck_wave_positions_ahead"), "wave", "next_position > respondents", schema=SCHEMA
    )
    op.create_check_constraint(
        op.f("ck_wave_lock_has_owner"),
        "wave",
        "(locked_at IS NULL) = (locked_by IS NULL)",
        schema=SCHEMA,
    )
    op.create_table(
        "wave_event",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "action IN ('locked', 'unlocked', 'batch_deleted')",
            name=op.f("ck_wave_event_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], [f"{SCHEMA}.wave.id"], name=op.f("fk_wave_event_wave_id_wave")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave_event")),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_wave_event_wave_id"), "wave_event", ["wave_id"], unique=False, schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_wave_event_wave_id"), table_name="wave_event", schema=SCHEMA)
    op.drop_table("wave_event", schema=SCHEMA)
    op.drop_constraint(op.f("ck_wave_lock_has_owner"), "wave", schema=SCHEMA)
    op.drop_constraint(op.f("ck_wave_positions_ahead"), "wave", schema=SCHEMA)
    for name in ("locked_by", "locked_at", "next_position"):
        op.drop_column("wave", name, schema=SCHEMA)
    for column in reversed(IMPORT_COLUMNS):
        op.drop_column("response_import", column.name, schema=SCHEMA)
