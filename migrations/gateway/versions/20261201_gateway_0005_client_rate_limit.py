"""A client's own rate limit: requests per second, when the gateway's default does not fit.

Revision ID: gateway_0005
Revises: gateway_0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0005"
down_revision: str | None = "gateway_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "api_client",
        sa.Column("rate_limit_per_second", sa.Integer(), nullable=True),
        schema="gateway",
    )
    op.create_check_constraint(
        op.f("ck_api_client_rate_limit_positive"),
        "api_client",
        "rate_limit_per_second > 0",
        schema="gateway",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_api_client_rate_limit_positive"), "api_client", schema="gateway", type_="check"
    )
    op.drop_column("api_client", "rate_limit_per_second", schema="gateway")
