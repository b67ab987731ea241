"""Failed logins count per client id and source address, not per client id alone.

Anyone who has seen a client id could lock its owner out with wrong secrets; now failures
from one address lock out only that address for that client id. The counts so far say
nothing about addresses and run out within minutes, so they are dropped, not carried over.

Revision ID: gateway_0003
Revises: gateway_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0003"
down_revision: str | None = "gateway_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _empty_the_counts() -> None:
    # The lock keeps a running gateway from adding a row between the delete and the new key.
    op.execute("LOCK TABLE gateway.login_failure IN ACCESS EXCLUSIVE MODE")
    op.execute("DELETE FROM gateway.login_failure")


def upgrade() -> None:
    _empty_the_counts()
    op.drop_constraint(op.f("pk_login_failure"), "login_failure", schema="gateway")
    op.add_column(
        "login_failure",
        sa.Column("source_address", sa.String(length=64), nullable=False),
        schema="gateway",
    )
    op.create_primary_key(
        op.f("pk_login_failure"),
        "login_failure",
        ["client_id", "source_address"],
        schema="gateway",
    )
    op.create_index(
        op.f("ix_login_failure_window_started_at"),
        "login_failure",
        ["window_started_at"],
        schema="gateway",
    )


def downgrade() -> None:
    _empty_the_counts()
    op.drop_index(
        op.f("ix_login_failure_window_started_at"), table_name="login_failure", schema="gateway"
    )
    op.drop_constraint(op.f("pk_login_failure"), "login_failure", schema="gateway")
    op.drop_column("login_failure", "source_address", schema="gateway")
    op.create_primary_key(
        op.f("pk_login_failure"), "login_failure", ["client_id"], schema="gateway"
    )
