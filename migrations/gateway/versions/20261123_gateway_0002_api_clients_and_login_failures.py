"""API clients (argon2-hashed secrets) and failed-login counts.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0002"
down_revision: str | None = "gateway_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_client",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=True),
        sa.Column("organisation_number", sa.String(length=11), nullable=True),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(role = 'organiser') = (organisation_number IS NOT NULL)",
            name=op.f("ck_api_client_organisation_number_only_for_organiser"),
        ),
        sa.CheckConstraint(
            "(role = 'rss') = (county_code IS NOT NULL)",
            name=op.f("ck_api_client_county_code_only_for_rss"),
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'rss', 'organiser', 'evaluator', 'reader')",
            name=op.f("ck_api_client_role_known"),
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_api_client")),
        schema="gateway",
    )
    op.create_table(
        "login_failure",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_login_failure")),
        schema="gateway",
    )


def downgrade() -> None:
    op.drop_table("login_failure", schema="gateway")
    op.drop_table("api_client", schema="gateway")
