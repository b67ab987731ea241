"""Indexes for the scoped account lookups: an rss's county, an organiser's grant accounts.

Revision ID: funding_0003
Revises: funding_0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "funding_0003"
down_revision: str | None = "funding_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("county_code", "organisation_number")


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(
            op.f(f"ix_account_{column}"), "account", [column], unique=False, schema="funding"
        )


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_index(op.f(f"ix_account_{column}"), table_name="account", schema="funding")
