"""Appropriations and allocations say which decision they carry out: the one that set the year's
budget (`original`) or a later, supplementary one (`supplementary`, as the Government's June
2019 addition of 7 MSEK), with the decision's date. `funding.make_transfer` takes and stores
both; the summary tells the original budget from the supplement by them.

Revision ID: funding_0005
Revises: funding_0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "funding_0005"
down_revision: str | None = "funding_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SIGNATURE = (
    "funding.make_transfer(text, text, text, text, text, interval, text, text, bigint, text, "
    "boolean, text, integer, text)"
)
SIGNATURE = (
    "funding.make_transfer(text, text, text, text, text, interval, text, text, bigint, text, "
    "boolean, text, integer, text, text, date)"
)

MAKE_TRANSFER = """
CREATE FUNCTION funding.make_transfer(
    client_id text, role text, idempotency_key text, lock_name text, fingerprint text,
    retention interval, from_code text, to_code text, amount bigint, kind text,
    pending boolean, note text, corrects_id integer, request_id text,
    decision text, decided_on date
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    stored funding.idempotency_key%ROWTYPE;
    source funding.account%ROWTYPE;
    target funding.account%ROWTYPE;
    original funding.transfer%ROWTYPE;
    made funding.transfer%ROWTYPE;
    reversed bigint;
    body jsonb;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended(lock_name, 0)) THEN
        RETURN jsonb_build_object('outcome', 'in_flight');
    END IF;
    SELECT * INTO stored FROM funding.idempotency_key AS k
    WHERE k.client_id = make_transfer.client_id AND k.key = idempotency_key
        AND k.expires_at > now();
    IF FOUND THEN
        RETURN jsonb_build_object('outcome', 'replay', 'fingerprint', stored.fingerprint,
            'status', stored.response_status, 'body', stored.response_body);
    END IF;
    IF from_code = to_code THEN
        RETURN jsonb_build_object('outcome', 'same_account');
    END IF;

    -- Both rows held (FOR NO KEY UPDATE) in code order, so two transfers never deadlock.
    PERFORM 1 FROM funding.account AS a WHERE a.code IN (from_code, to_code)
    ORDER BY a.code FOR NO KEY UPDATE;
    SELECT * INTO source FROM funding.account AS a WHERE a.code = from_code;
    SELECT * INTO target FROM funding.account AS a WHERE a.code = to_code;
    IF source.code IS NULL OR target.code IS NULL THEN
        RETURN jsonb_build_object('outcome', 'unknown',
            'from_known', source.code IS NOT NULL, 'to_known', target.code IS NOT NULL);
    END IF;
    IF source.year <> target.year THEN
        RETURN jsonb_build_object('outcome', 'years',
            'from_year', source.year, 'to_year', target.year);
    END IF;

    IF kind <> 'correction' AND corrects_id IS NOT NULL THEN
        RETURN jsonb_build_object('outcome', 'correction', 'reason', 'not_a_correction');
    ELSIF kind = 'correction' THEN
        IF corrects_id IS NULL THEN
            RETURN jsonb_build_object('outcome', 'correction', 'reason', 'missing');
        END IF;
        SELECT * INTO original FROM funding.transfer AS t WHERE t.id = make_transfer.corrects_id;
        IF NOT FOUND THEN
            RETURN jsonb_build_object('outcome', 'correction', 'reason', 'no_such');
        ELSIF original.state <> 'posted' THEN
            RETURN jsonb_build_object('outcome', 'correction', 'reason', 'not_posted',
                'state', original.state);
        ELSIF NOT (from_code IN (original.from_account, original.to_account)
                   AND to_code IN (original.from_account, original.to_account)) THEN
            RETURN jsonb_build_object('outcome', 'correction', 'reason', 'other_accounts');
        ELSIF from_code = original.to_account THEN
            SELECT coalesce(sum(t.amount_ore), 0) INTO reversed FROM funding.transfer AS t
            WHERE t.corrects_id = original.id AND t.state <> 'voided'
                AND t.from_account = original.to_account AND t.to_account = original.from_account;
            IF amount > original.amount_ore - reversed THEN
                RETURN jsonb_build_object('outcome', 'correction', 'reason', 'too_much',
                    'original', original.id, 'left', original.amount_ore - reversed);
            END IF;
        END IF;
    END IF;

    -- The money rule: take only what the account has (a source always has it).
    IF pending THEN
        UPDATE funding.account AS a SET pending_ore = a.pending_ore + amount
        WHERE a.code = from_code
            AND (a.kind = 'source' OR a.credited_ore - a.debited_ore - a.pending_ore >= amount);
    ELSE
        UPDATE funding.account AS a SET debited_ore = a.debited_ore + amount
        WHERE a.code = from_code
            AND (a.kind = 'source' OR a.credited_ore - a.debited_ore - a.pending_ore >= amount);
    END IF;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'insufficient',
            'available', source.credited_ore - source.debited_ore - source.pending_ore);
    END IF;
    IF NOT pending THEN
        UPDATE funding.account AS a SET credited_ore = a.credited_ore + amount
        WHERE a.code = to_code;
    END IF;

    INSERT INTO funding.transfer AS t (from_account, to_account, amount_ore, kind, state, note,
        corrects_id, created_by, request_id, decision, decided_on)
    VALUES (from_code, to_code, amount, kind, CASE WHEN pending THEN 'pending' ELSE 'posted' END,
        note, corrects_id, client_id, request_id, make_transfer.decision, make_transfer.decided_on)
    RETURNING * INTO made;
    INSERT INTO funding.audit_event (actor, role, action, object_type, object_id, request_id,
        detail)
    VALUES (client_id, role, 'transfer.created', 'transfer', made.id::text, request_id,
        jsonb_build_object('from_account', made.from_account, 'to_account', made.to_account,
            'amount_ore', made.amount_ore, 'kind', made.kind, 'state', made.state));

    body := jsonb_build_object('id', made.id, 'from_account', made.from_account,
        'to_account', made.to_account, 'amount_ore', made.amount_ore, 'kind', made.kind,
        'state', made.state, 'note', made.note, 'corrects_id', made.corrects_id,
        'application_id', made.application_id, 'created_at', funding.rfc3339(made.created_at),
        'settled_at', funding.rfc3339(made.settled_at), 'decision', made.decision,
        'decided_on', to_char(made.decided_on, 'YYYY-MM-DD'));
    -- An expired key of the same name is replaced.
    DELETE FROM funding.idempotency_key AS k
    WHERE k.client_id = make_transfer.client_id AND k.key = idempotency_key;
    INSERT INTO funding.idempotency_key (client_id, key, fingerprint, response_status,
        response_body, expires_at)
    VALUES (client_id, idempotency_key, fingerprint, 201, body, now() + retention);
    RETURN jsonb_build_object('outcome', 'made', 'body', body);
END $$
"""


def upgrade() -> None:
    op.add_column("transfer", sa.Column("decision", sa.String(20), nullable=True), schema="funding")
    op.add_column("transfer", sa.Column("decided_on", sa.Date(), nullable=True), schema="funding")
    op.create_check_constraint(
        op.f("ck_transfer_decision_known"),
        "transfer",
        "decision IS NULL OR decision IN ('original', 'supplementary')",
        schema="funding",
    )
    op.create_check_constraint(
        op.f("ck_transfer_decision_of_budget_moves"),
        "transfer",
        "(decision IS NULL) = (decided_on IS NULL) "
        "AND (decision IS NULL OR kind IN ('appropriation', 'allocation'))",
        schema="funding",
    )
    op.execute(f"DROP FUNCTION {OLD_SIGNATURE}")
    op.execute(MAKE_TRANSFER)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.drop_constraint(op.f("ck_transfer_decision_of_budget_moves"), "transfer", schema="funding")
    op.drop_constraint(op.f("ck_transfer_decision_known"), "transfer", schema="funding")
    op.drop_column("transfer", "decided_on", schema="funding")
    op.drop_column("transfer", "decision", schema="funding")
    # The function as funding_0004 made it: that migration's text, run again.
    previous = _previous_migration()
    op.execute(previous.MAKE_TRANSFER)


def _previous_migration() -> ModuleType:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("20261124_funding_0004_transfer_in_one_statement.py")
    spec = importlib.util.spec_from_file_location("funding_0004", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
