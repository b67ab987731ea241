"""Schools, instruments and their items, waves, responses (one row per respondent), imports,
and the idempotency keys of the mvp-evaluation service.

Revision ID: mvp_evaluation_0002
Revises: mvp_evaluation_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "mvp_evaluation_0002"
down_revision: str | None = "mvp_evaluation_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
        schema="mvp_evaluation",
    )
    op.create_index(
        op.f("ix_idempotency_key_expires_at"),
        "idempotency_key",
        ["expires_at"],
        unique=False,
        schema="mvp_evaluation",
    )
    op.create_table(
        "instrument",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_instrument_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_instrument_code_version")),
        schema="mvp_evaluation",
    )
    op.create_table(
        "school",
        sa.Column("school_unit_code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_number", sa.String(length=11), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("arm", sa.String(length=12), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "arm IN ('intervention', 'comparison')", name=op.f("ck_school_arm_known")
        ),
        sa.CheckConstraint(
            "school_unit_code ~ '^[0-9]{8}$'", name=op.f("ck_school_school_unit_code_eight_digits")
        ),
        sa.PrimaryKeyConstraint("school_unit_code", name=op.f("pk_school")),
        schema="mvp_evaluation",
    )
    op.create_index(
        op.f("ix_school_organisation_number"),
        "school",
        ["organisation_number"],
        unique=False,
        schema="mvp_evaluation",
    )
    op.create_table(
        "item",
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("min", sa.SmallInteger(), nullable=False),
        sa.Column("max", sa.SmallInteger(), nullable=False),
        sa.Column("reverse", sa.Boolean(), nullable=False),
        sa.Column("scale", sa.String(length=64), nullable=False),
        sa.CheckConstraint("min < max", name=op.f("ck_item_range_ordered")),
        sa.CheckConstraint("position >= 1", name=op.f("ck_item_position_positive")),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["mvp_evaluation.instrument.id"],
            name=op.f("fk_item_instrument_id_instrument"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instrument_id", "position", name=op.f("pk_item")),
        sa.UniqueConstraint("instrument_id", "code", name=op.f("uq_item_instrument_id_code")),
        schema="mvp_evaluation",
    )
    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("school_unit_code", sa.String(length=8), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("cohort", sa.String(length=40), nullable=False),
        sa.Column("administered_on", sa.Date(), nullable=False),
        sa.Column("respondents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('pre', 'post', 'follow_up')", name=op.f("ck_wave_kind_known")),
        sa.CheckConstraint("respondents >= 0", name=op.f("ck_wave_respondents_not_negative")),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["mvp_evaluation.instrument.id"],
            name=op.f("fk_wave_instrument_id_instrument"),
        ),
        sa.ForeignKeyConstraint(
            ["school_unit_code"],
            ["mvp_evaluation.school.school_unit_code"],
            name=op.f("fk_wave_school_unit_code_school"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave")),
        sa.UniqueConstraint(
            "school_unit_code", "cohort", "kind", name=op.f("uq_wave_school_unit_code_cohort_kind")
        ),
        schema="mvp_evaluation",
    )
    op.create_index(
        op.f("ix_wave_cohort"), "wave", ["cohort"], unique=False, schema="mvp_evaluation"
    )
    op.create_index(
        op.f("ix_wave_instrument_id"),
        "wave",
        ["instrument_id"],
        unique=False,
        schema="mvp_evaluation",
    )
    op.create_table(
        "response",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answers", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["mvp_evaluation.wave.id"], name=op.f("fk_response_wave_id_wave")
        ),
        sa.PrimaryKeyConstraint("wave_id", "respondent", name=op.f("pk_response")),
        schema="mvp_evaluation",
    )
    op.create_table(
        "response_import",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("first_position", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "format IN ('json', 'csv', 'xlsx')", name=op.f("ck_response_import_format_known")
        ),
        sa.CheckConstraint("rows >= 1", name=op.f("ck_response_import_rows_positive")),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["mvp_evaluation.wave.id"], name=op.f("fk_response_import_wave_id_wave")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_import")),
        schema="mvp_evaluation",
    )
    op.create_index(
        op.f("ix_response_import_wave_id"),
        "response_import",
        ["wave_id"],
        unique=False,
        schema="mvp_evaluation",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_response_import_wave_id"), table_name="response_import", schema="mvp_evaluation"
    )
    op.drop_table("response_import", schema="mvp_evaluation")
    op.drop_table("response", schema="mvp_evaluation")
    op.drop_index(op.f("ix_wave_instrument_id"), table_name="wave", schema="mvp_evaluation")
    op.drop_index(op.f("ix_wave_cohort"), table_name="wave", schema="mvp_evaluation")
    op.drop_table("wave", schema="mvp_evaluation")
    op.drop_table("item", schema="mvp_evaluation")
    op.drop_index(
        op.f("ix_school_organisation_number"), table_name="school", schema="mvp_evaluation"
    )
    op.drop_table("school", schema="mvp_evaluation")
    op.drop_table("instrument", schema="mvp_evaluation")
    op.drop_index(
        op.f("ix_idempotency_key_expires_at"), table_name="idempotency_key", schema="mvp_evaluation"
    )
    op.drop_table("idempotency_key", schema="mvp_evaluation")
