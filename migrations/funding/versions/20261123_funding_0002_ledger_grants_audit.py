"""The ledger (accounts, transfers), school grants, audit events and idempotency keys.

Balances live on the account row and change only through transfers; `ck_account_no_overspend`
is the last guard against overspending. Triggers keep transfers immutable (the one change
allowed is pending → posted or voided), accounts' identity fixed, and the histories
append-only.

Revision ID: funding_0002
Revises: funding_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "funding_0002"
down_revision: str | None = "funding_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSFER_GUARD = """
CREATE FUNCTION funding.transfer_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'transfers are never deleted; correct them with a new transfer'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.state <> 'pending' OR NEW.state NOT IN ('posted', 'voided')
        OR (NEW.id, NEW.from_account, NEW.to_account, NEW.amount_ore, NEW.kind, NEW.note,
            NEW.corrects_id, NEW.application_id, NEW.created_at, NEW.created_by, NEW.request_id)
        IS DISTINCT FROM
           (OLD.id, OLD.from_account, OLD.to_account, OLD.amount_ore, OLD.kind, OLD.note,
            OLD.corrects_id, OLD.application_id, OLD.created_at, OLD.created_by, OLD.request_id)
    THEN
        RAISE EXCEPTION 'a transfer is immutable; only pending -> posted or voided'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$
"""

ACCOUNT_GUARD = """
CREATE FUNCTION funding.account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'accounts are never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.code, NEW.year, NEW.kind, NEW.parent_code, NEW.county_code,
        NEW.organisation_number, NEW.created_at, NEW.created_by)
        IS DISTINCT FROM
       (OLD.code, OLD.year, OLD.kind, OLD.parent_code, OLD.county_code,
        OLD.organisation_number, OLD.created_at, OLD.created_by)
    THEN
        RAISE EXCEPTION 'an account''s identity never changes' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$
"""

APPEND_ONLY = """
CREATE FUNCTION funding.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$
"""

TRIGGERS = (
    ("transfer_guard", "transfer", "transfer_guard"),
    ("account_guard", "account", "account_guard"),
    ("audit_event_append_only", "audit_event", "append_only"),
    ("grant_application_event_append_only", "grant_application_event", "append_only"),
)


def _create_guards() -> None:
    for statement in (TRANSFER_GUARD, ACCOUNT_GUARD, APPEND_ONLY):
        op.execute(statement)
    for trigger, table, function in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON funding.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION funding.{function}()"
        )


def _drop_guards() -> None:
    for trigger, table, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON funding.{table}")
    for function in ("transfer_guard", "account_guard", "append_only"):
        op.execute(f"DROP FUNCTION IF EXISTS funding.{function}()")


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=100), nullable=True),
        sa.Column("county_code", sa.String(length=2), nullable=True),
        sa.Column("organisation_number", sa.String(length=11), nullable=True),
        sa.Column("credited_ore", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("debited_ore", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("pending_ore", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "(kind = 'county') = (county_code IS NOT NULL)",
            name=op.f("ck_account_county_code_only_for_county"),
        ),
        sa.CheckConstraint(
            "(kind = 'organiser') = (organisation_number IS NOT NULL)",
            name=op.f("ck_account_organisation_number_only_for_organiser"),
        ),
        sa.CheckConstraint(
            "kind = 'source' OR credited_ore - debited_ore - pending_ore >= 0",
            name=op.f("ck_account_no_overspend"),
        ),
        sa.CheckConstraint(
            "kind IN ('source', 'budget', 'county', 'organiser')",
            name=op.f("ck_account_kind_known"),
        ),
        sa.CheckConstraint(
            "credited_ore >= 0 AND debited_ore >= 0 AND pending_ore >= 0",
            name=op.f("ck_account_balances_not_negative"),
        ),
        sa.CheckConstraint("parent_code <> code", name=op.f("ck_account_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["funding.account.code"], name=op.f("fk_account_parent_code_account")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_account")),
        schema="funding",
    )
    op.create_index(
        op.f("ix_account_parent_code"), "account", ["parent_code"], unique=False, schema="funding"
    )
    op.create_index(
        "ix_account_year_kind", "account", ["year", "kind"], unique=False, schema="funding"
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("object_type", sa.String(length=30), nullable=False),
        sa.Column("object_id", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        schema="funding",
    )
    op.create_index(
        op.f("ix_audit_event_created_at"),
        "audit_event",
        ["created_at"],
        unique=False,
        schema="funding",
    )
    op.create_table(
        "idempotency_key",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column("response_body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "key", name=op.f("pk_idempotency_key")),
        schema="funding",
    )
    op.create_index(
        op.f("ix_idempotency_key_expires_at"),
        "idempotency_key",
        ["expires_at"],
        unique=False,
        schema="funding",
    )
    op.create_table(
        "grant_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("pool_account", sa.String(length=100), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("min_schools", sa.SmallInteger(), nullable=False),
        sa.Column("max_schools", sa.SmallInteger(), nullable=False),
        sa.Column("eligible", sa.String(length=20), nullable=False),
        sa.Column("methods", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "eligible IN ('municipal', 'any')", name=op.f("ck_grant_call_eligible_known")
        ),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_grant_call_window_ordered")),
        sa.CheckConstraint("max_amount_ore > 0", name=op.f("ck_grant_call_max_amount_positive")),
        sa.CheckConstraint(
            "min_schools >= 1 AND max_schools >= min_schools",
            name=op.f("ck_grant_call_schools_range"),
        ),
        sa.ForeignKeyConstraint(
            ["pool_account"],
            ["funding.account.code"],
            name=op.f("fk_grant_call_pool_account_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_call")),
        schema="funding",
    )
    op.create_index(
        op.f("ix_grant_call_pool_account"),
        "grant_call",
        ["pool_account"],
        unique=False,
        schema="funding",
    )
    op.create_table(
        "grant_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("organisation_number", sa.String(length=11), nullable=False),
        sa.Column("organiser_name", sa.String(length=200), nullable=False),
        sa.Column("school_unit_codes", postgresql.ARRAY(sa.String(length=8)), nullable=False),
        sa.Column("requested_amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("approved_amount_ore", sa.BigInteger(), nullable=True),
        sa.Column("account", sa.String(length=100), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("used_amount_ore", sa.BigInteger(), nullable=True),
        sa.Column("repayment_claim_ore", sa.BigInteger(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "state IN ('submitted', 'approved', 'rejected', 'paid', 'repayment_due', 'closed')",
            name=op.f("ck_grant_application_state_known"),
        ),
        sa.CheckConstraint(
            "approved_amount_ore IS NULL OR approved_amount_ore > 0",
            name=op.f("ck_grant_application_approved_positive"),
        ),
        sa.CheckConstraint(
            "repayment_claim_ore IS NULL OR repayment_claim_ore >= 0",
            name=op.f("ck_grant_application_claim_not_negative"),
        ),
        sa.CheckConstraint(
            "requested_amount_ore > 0", name=op.f("ck_grant_application_requested_positive")
        ),
        sa.CheckConstraint(
            "used_amount_ore IS NULL OR used_amount_ore >= 0",
            name=op.f("ck_grant_application_used_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["account"], ["funding.account.code"], name=op.f("fk_grant_application_account_account")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["funding.grant_call.id"],
            name=op.f("fk_grant_application_call_id_grant_call"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_application")),
        sa.UniqueConstraint(
            "call_id",
            "organisation_number",
            name=op.f("uq_grant_application_call_id_organisation_number"),
        ),
        schema="funding",
    )
    op.create_index(
        op.f("ix_grant_application_call_id"),
        "grant_application",
        ["call_id"],
        unique=False,
        schema="funding",
    )
    op.create_index(
        op.f("ix_grant_application_organisation_number"),
        "grant_application",
        ["organisation_number"],
        unique=False,
        schema="funding",
    )
    op.create_table(
        "grant_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("organisation_number", sa.String(length=11), nullable=False),
        sa.Column("organiser_name", sa.String(length=200), nullable=False),
        sa.Column("school_count", sa.SmallInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["funding.grant_call.id"],
            name=op.f("fk_grant_interest_call_id_grant_call"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_interest")),
        sa.UniqueConstraint(
            "call_id",
            "organisation_number",
            name=op.f("uq_grant_interest_call_id_organisation_number"),
        ),
        schema="funding",
    )
    op.create_table(
        "transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_account", sa.String(length=100), nullable=False),
        sa.Column("to_account", sa.String(length=100), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'correction') = (corrects_id IS NOT NULL)",
            name=op.f("ck_transfer_correction_has_original"),
        ),
        sa.CheckConstraint(
            "kind IN ('appropriation', 'allocation', 'grant', 'payment', 'repayment', "
            "'correction')",
            name=op.f("ck_transfer_kind_known"),
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'posted', 'voided')", name=op.f("ck_transfer_state_known")
        ),
        sa.CheckConstraint("amount_ore > 0", name=op.f("ck_transfer_amount_positive")),
        sa.CheckConstraint("from_account <> to_account", name=op.f("ck_transfer_not_to_self")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["funding.grant_application.id"],
            name=op.f("fk_transfer_application_id_grant_application"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["funding.transfer.id"], name=op.f("fk_transfer_corrects_id_transfer")
        ),
        sa.ForeignKeyConstraint(
            ["from_account"],
            ["funding.account.code"],
            name=op.f("fk_transfer_from_account_account"),
        ),
        sa.ForeignKeyConstraint(
            ["to_account"], ["funding.account.code"], name=op.f("fk_transfer_to_account_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer")),
        schema="funding",
    )
    op.create_index(
        op.f("ix_transfer_application_id"),
        "transfer",
        ["application_id"],
        unique=False,
        schema="funding",
    )
    op.create_index(
        op.f("ix_transfer_corrects_id"), "transfer", ["corrects_id"], unique=False, schema="funding"
    )
    op.create_index(
        op.f("ix_transfer_created_at"), "transfer", ["created_at"], unique=False, schema="funding"
    )
    op.create_index(
        op.f("ix_transfer_from_account"),
        "transfer",
        ["from_account"],
        unique=False,
        schema="funding",
    )
    op.create_index(
        op.f("ix_transfer_to_account"), "transfer", ["to_account"], unique=False, schema="funding"
    )
    op.create_table(
        "grant_application_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["funding.grant_application.id"],
            name=op.f("fk_grant_application_event_application_id_grant_application"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["funding.transfer.id"],
            name=op.f("fk_grant_application_event_transfer_id_transfer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_application_event")),
        schema="funding",
    )
    op.create_index(
        op.f("ix_grant_application_event_application_id"),
        "grant_application_event",
        ["application_id"],
        unique=False,
        schema="funding",
    )
    _create_guards()


def downgrade() -> None:
    _drop_guards()
    op.drop_index(
        op.f("ix_grant_application_event_application_id"),
        table_name="grant_application_event",
        schema="funding",
    )
    op.drop_table("grant_application_event", schema="funding")
    op.drop_index(op.f("ix_transfer_to_account"), table_name="transfer", schema="funding")
    op.drop_index(op.f("ix_transfer_from_account"), table_name="transfer", schema="funding")
    op.drop_index(op.f("ix_transfer_created_at"), table_name="transfer", schema="funding")
    op.drop_index(op.f("ix_transfer_corrects_id"), table_name="transfer", schema="funding")
    op.drop_index(op.f("ix_transfer_application_id"), table_name="transfer", schema="funding")
    op.drop_table("transfer", schema="funding")
    op.drop_table("grant_interest", schema="funding")
    op.drop_index(
        op.f("ix_grant_application_organisation_number"),
        table_name="grant_application",
        schema="funding",
    )
    op.drop_index(
        op.f("ix_grant_application_call_id"), table_name="grant_application", schema="funding"
    )
    op.drop_table("grant_application", schema="funding")
    op.drop_index(op.f("ix_grant_call_pool_account"), table_name="grant_call", schema="funding")
    op.drop_table("grant_call", schema="funding")
    op.drop_index(
        op.f("ix_idempotency_key_expires_at"), table_name="idempotency_key", schema="funding"
    )
    op.drop_table("idempotency_key", schema="funding")
    op.drop_index(op.f("ix_audit_event_created_at"), table_name="audit_event", schema="funding")
    op.drop_table("audit_event", schema="funding")
    op.drop_index("ix_account_year_kind", table_name="account", schema="funding")
    op.drop_index(op.f("ix_account_parent_code"), table_name="account", schema="funding")
    op.drop_table("account", schema="funding")
