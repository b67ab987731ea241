"""Rate limits shared by every gateway process: one token bucket per client in the database.

`gateway.take_tokens` refills a client's bucket for the time since it was last touched,
grants up to the tokens asked for, and says how long to wait when it has none, in one round
trip under the row's lock, so replicas never hand out the same token twice.

Revision ID: gateway_0004
Revises: gateway_0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0004"
down_revision: str | None = "gateway_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAKE_TOKENS = """
CREATE FUNCTION gateway.take_tokens(
    p_identity text, p_rate double precision, p_burst double precision, p_wanted integer,
    OUT granted integer, OUT wait_seconds double precision
) LANGUAGE plpgsql AS $$
DECLARE
    v_tokens double precision;
    v_now timestamptz;
BEGIN
    INSERT INTO gateway.rate_bucket (identity, tokens, updated_at)
    VALUES (p_identity, p_burst, clock_timestamp())
    ON CONFLICT (identity) DO NOTHING;
    SELECT b.tokens, b.updated_at INTO v_tokens, v_now
    FROM gateway.rate_bucket AS b WHERE b.identity = p_identity FOR UPDATE;
    -- Refill for the time since the last touch, read after the lock is held.
    v_tokens := least(
        p_burst,
        v_tokens + greatest(0, extract(epoch FROM clock_timestamp() - v_now)) * p_rate
    );
    granted := greatest(0, least(p_wanted, floor(v_tokens)::integer));
    v_tokens := v_tokens - granted;
    UPDATE gateway.rate_bucket
    SET tokens = v_tokens, updated_at = greatest(updated_at, clock_timestamp())
    WHERE identity = p_identity;
    wait_seconds := CASE WHEN granted > 0 THEN 0 ELSE (1 - v_tokens) / p_rate END;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "rate_bucket",
        sa.Column("identity", sa.String(length=80), nullable=False),
        sa.Column("tokens", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("identity", name=op.f("pk_rate_bucket")),
        schema="gateway",
    )
    op.create_index(
        op.f("ix_rate_bucket_updated_at"), "rate_bucket", ["updated_at"], schema="gateway"
    )
    op.execute(TAKE_TOKENS)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION gateway.take_tokens(text, double precision, double precision, integer)"
    )
    op.drop_index(op.f("ix_rate_bucket_updated_at"), table_name="rate_bucket", schema="gateway")
    op.drop_table("rate_bucket", schema="gateway")
