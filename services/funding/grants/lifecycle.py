"""An application after it is submitted: withdrawal, decision, payments, settlement,
repayments.

The money is in the ledger. Approval reserves the approved amount on the call's pool (a
pending `grant` transfer to the organiser's grant account), so approvals can never promise
more than the pool holds. A payment voids the reservation, posts a `payment` transfer and
reserves what is left, in one transaction. Settlement releases any reservation left; what was
paid but not used becomes a repayment claim, paid back by `repayment` transfers to the pool.
Each step holds the application's row lock, so two steps never interleave.

A decision waits until the call has closed, unless the call is `rolling`. Settlement, and the
last payment of a grant paid in parts (the one that leaves nothing reserved), wait for an
approved use-of-funds report; the used amount is the report's.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.problems import field_error, invalid, invalid_many
from services.funding.accounts import repository as accounts
from services.funding.accounts import service as account_rules
from services.funding.grants import clock, reports, views
from services.funding.grants import service as grants
from services.funding.grants.case_schemas import WithdrawalCreate
from services.funding.grants.models import Application, Call
from services.funding.grants.schemas import (
    ApplicationDetail,
    ApplicationState,
    ApplicationStep,
    DecisionCreate,
    DecisionKind,
    PaymentCreate,
    RepaymentCreate,
    SettlementCreate,
)
from services.funding.money import kronor
from services.funding.problems import (
    CallStillOpen,
    ExceedsApprovedAmount,
    ExceedsRepaymentClaim,
    InvalidApplicationState,
    ReportRequired,
)
from services.funding.transfers import repository as transfers
from services.funding.transfers import service as ledger
from services.funding.transfers.models import Transfer
from services.funding.transfers.schemas import TransferKind, TransferState

APPROVED_OR_PAID = (ApplicationState.approved, ApplicationState.paid)


def _require_state(application: Application, *states: ApplicationState) -> None:
    if application.state not in states:
        allowed = " or ".join(s.value for s in states)
        raise InvalidApplicationState(
            f"Application {application.id} is {application.state}; this needs it {allowed}.",
            state=application.state,
        )


async def _reservation(session: AsyncSession, application: Application) -> Transfer | None:
    """The application's pending grant on the pool: what is approved and not yet paid."""
    rows = await transfers.of_application(session, [application.id])
    pending = [t for t in rows if t.kind == TransferKind.grant and t.state == TransferState.pending]
    return pending[0] if pending else None


def _check_decision(decision: DecisionCreate) -> None:
    """422 naming each field that does not fit the decision."""
    approve = decision.decision is DecisionKind.approve
    errors = []
    if approve and decision.approved_amount_ore is None:
        errors.append(field_error("body.approved_amount_ore", "required to approve"))
    if approve and decision.reason is not None:
        errors.append(field_error("body.reason", "only when rejecting", decision.reason))
    if not approve and decision.reason is None:
        errors.append(field_error("body.reason", "required to reject"))
    if not approve and decision.approved_amount_ore is not None:
        errors.append(
            field_error(
                "body.approved_amount_ore", "only when approving", decision.approved_amount_ore
            )
        )
    if errors:
        raise invalid_many(errors)


async def decide(
    session: AsyncSession, *, application_id: int, decision: DecisionCreate, principal: Principal
) -> ApplicationDetail:
    """Approve (reserve the amount on the pool) or reject a submitted application."""
    _check_decision(decision)
    application = await grants.lock_application(
        session, application_id=application_id, principal=principal
    )
    _require_state(application, ApplicationState.submitted)
    call = await grants.get_call(session, call_id=application.call_id)
    if not call.rolling and clock.now() < call.closes_at:
        raise CallStillOpen(
            f"Call {call.id} is open until {call.closes_at.isoformat()}; its applications are "
            "decided after it closes (it is not rolling).",
            closes_at=call.closes_at.isoformat(),
        )
    if decision.decision is DecisionKind.reject:
        return await _reject(session, application, decision, principal)
    return await _approve(session, application, decision, principal)


async def withdraw(
    session: AsyncSession, *, application_id: int, data: WithdrawalCreate, principal: Principal
) -> ApplicationDetail:
    """The organiser (or an admin) withdraws a submitted application, before a decision."""
    application = await grants.lock_application(
        session, application_id=application_id, principal=principal
    )
    _require_state(application, ApplicationState.submitted)
    application.state = ApplicationState.withdrawn.value
    await grants.add_event(
        session,
        application,
        event=ApplicationStep.withdrawn,
        principal=principal,
        note=data.reason,
    )
    return await views.detail(session, application)


async def _reject(
    session: AsyncSession, application: Application, decision: DecisionCreate, principal: Principal
) -> ApplicationDetail:
    """The application is rejected, for the reason given; no money moves."""
    application.state = ApplicationState.rejected.value
    application.decision_note = decision.reason
    await grants.add_event(
        session,
        application,
        event=ApplicationStep.rejected,
        principal=principal,
        note=decision.reason,
    )
    return await views.detail(session, application)


async def _approve(
    session: AsyncSession, application: Application, decision: DecisionCreate, principal: Principal
) -> ApplicationDetail:
    """The approved amount, at most what was asked for and the call's maximum, is reserved
    on the call's pool for the organiser's grant account."""
    assert decision.approved_amount_ore is not None  # _check_decision requires it to approve
    amount = decision.approved_amount_ore
    call = await grants.get_call(session, call_id=application.call_id)
    limit = min(application.requested_amount_ore, call.max_amount_ore)
    if amount > limit:
        raise invalid(
            "body.approved_amount_ore",
            f"at most {kronor(limit)} ({limit} öre): what was asked for, and the call's maximum",
            amount,
        )
    reservation = await _reserve(session, application, call, amount, principal)
    application.state = ApplicationState.approved.value
    application.approved_amount_ore = amount
    application.account = reservation.to_account
    application.decision_note = decision.note
    await grants.add_event(
        session,
        application,
        event=ApplicationStep.approved,
        principal=principal,
        amount_ore=amount,
        transfer=reservation,
        note=decision.note,
    )
    return await views.detail(session, application)


async def _reserve(
    session: AsyncSession, application: Application, call: Call, amount: int, principal: Principal
) -> Transfer:
    """A pending grant from the call's pool to the organiser's grant account (opened now if
    it does not exist)."""
    pool = await accounts.get(session, call.pool_account)
    assert pool is not None  # a call's pool is a foreign key to an account
    grant_account = await account_rules.ensure_organiser_account(
        session,
        pool=pool,
        organisation_number=application.organisation_number,
        name=f"{application.organiser_name} ({application.organisation_number})",
        principal=principal,
    )
    movement = ledger.Movement(
        from_account=pool.code,
        to_account=grant_account.code,
        amount_ore=amount,
        kind=TransferKind.grant,
        pending=True,
        note=f"Beviljat / approved: ansökan {application.id}",
        application_id=application.id,
    )
    [reservation] = await ledger.move(session, [movement], principal=principal)
    return reservation


async def pay(
    session: AsyncSession, *, application_id: int, data: PaymentCreate, principal: Principal
) -> ApplicationDetail:
    """Pay part or all of what is still reserved; never more than was approved."""
    application = await grants.lock_application(
        session, application_id=application_id, principal=principal
    )
    _require_state(application, *APPROVED_OR_PAID)
    reservation = await _reservation(session, application)
    remaining = reservation.amount_ore if reservation else 0
    approved = application.approved_amount_ore or 0
    if reservation is None or data.amount_ore > remaining:
        raise ExceedsApprovedAmount(
            f"{kronor(remaining)} of the approved {kronor(approved)} are left to pay; "
            f"{kronor(data.amount_ore)} were asked for.",
            remaining_ore=remaining,
            approved_amount_ore=approved,
            amount_ore=data.amount_ore,
        )
    if data.amount_ore == remaining and remaining < approved:
        await _require_report(session, application, "the last payment")
    await ledger.release_reservation(session, transfer_id=reservation.id, principal=principal)
    movements = _payment(application, reservation, data)
    payment, *_ = await ledger.move(session, movements, principal=principal)
    application.state = ApplicationState.paid.value
    await grants.add_event(
        session,
        application,
        event=ApplicationStep.paid,
        principal=principal,
        amount_ore=data.amount_ore,
        transfer=payment,
        note=data.note,
    )
    return await views.detail(session, application)


def _payment(
    application: Application, reservation: Transfer, data: PaymentCreate
) -> list[ledger.Movement]:
    """The payment out of the (released) reservation, and a new reservation of the rest."""
    payment = ledger.Movement(
        from_account=reservation.from_account,
        to_account=reservation.to_account,
        amount_ore=data.amount_ore,
        kind=TransferKind.payment,
        note=data.note,
        application_id=application.id,
    )
    rest = reservation.amount_ore - data.amount_ore
    if not rest:
        return [payment]
    rest_reserved = ledger.Movement(
        from_account=reservation.from_account,
        to_account=reservation.to_account,
        amount_ore=rest,
        kind=TransferKind.grant,
        pending=True,
        note=reservation.note,
        application_id=application.id,
    )
    return [payment, rest_reserved]


async def _require_report(session: AsyncSession, application: Application, what: str) -> int:
    """The used amount of the grant's approved report; 409 report-required without one."""
    report = await reports.approved_report(session, application)
    if report is None:
        raise ReportRequired(
            f"Application {application.id} has no approved use-of-funds report; {what} waits "
            "for one.",
            application_id=application.id,
        )
    return report.used_amount_ore


async def settle(
    session: AsyncSession, *, application_id: int, data: SettlementCreate, principal: Principal
) -> ApplicationDetail:
    """Account for the funds on the approved report: release what is still reserved; paid
    but unused (by the report's used amount) is owed back."""
    application = await grants.lock_application(
        session, application_id=application_id, principal=principal
    )
    _require_state(application, *APPROVED_OR_PAID)
    used = await _require_report(session, application, "settlement")
    if data.used_amount_ore is not None and data.used_amount_ore != used:
        raise invalid(
            "body.used_amount_ore",
            f"the approved report's {kronor(used)} ({used} öre), or left out",
            data.used_amount_ore,
        )
    money = (await views.money(session, [application]))[application.id]
    reservation = await _reservation(session, application)
    if reservation is not None:
        await ledger.release_reservation(session, transfer_id=reservation.id, principal=principal)
    claim = max(money.paid_ore - used, 0)
    application.used_amount_ore = used
    application.repayment_claim_ore = claim
    application.report = data.report
    application.state = (ApplicationState.repayment_due if claim else ApplicationState.closed).value
    await grants.add_event(
        session,
        application,
        event=ApplicationStep.settled,
        principal=principal,
        amount_ore=used,
        transfer=reservation,
        note=data.report,
    )
    return await views.detail(session, application)


async def repay(
    session: AsyncSession, *, application_id: int, data: RepaymentCreate, principal: Principal
) -> ApplicationDetail:
    """Record unused funds paid back to the pool, up to what is owed."""
    application = await grants.lock_application(
        session, application_id=application_id, principal=principal
    )
    _require_state(application, ApplicationState.repayment_due)
    money = (await views.money(session, [application]))[application.id]
    outstanding = (application.repayment_claim_ore or 0) - money.repaid_ore
    if data.amount_ore > outstanding:
        raise ExceedsRepaymentClaim(
            f"{kronor(outstanding)} are owed; {kronor(data.amount_ore)} were offered.",
            outstanding_ore=outstanding,
            amount_ore=data.amount_ore,
        )
    repayment = await _repayment(session, application, data, principal)
    if data.amount_ore == outstanding:
        application.state = ApplicationState.closed.value
    await grants.add_event(
        session,
        application,
        event=ApplicationStep.repaid,
        principal=principal,
        amount_ore=data.amount_ore,
        transfer=repayment,
        note=data.note,
    )
    return await views.detail(session, application)


async def _repayment(
    session: AsyncSession, application: Application, data: RepaymentCreate, principal: Principal
) -> Transfer:
    """A posted repayment from the grant account back to the call's pool."""
    call = await grants.get_call(session, call_id=application.call_id)
    assert application.account is not None  # an approved application has its grant account
    [repayment] = await ledger.move(
        session,
        [
            ledger.Movement(
                from_account=application.account,
                to_account=call.pool_account,
                amount_ore=data.amount_ore,
                kind=TransferKind.repayment,
                note=data.note,
                application_id=application.id,
            )
        ],
        principal=principal,
    )
    return repayment
