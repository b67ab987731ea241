"""Calls and applications as the API shows them: an application's money comes from its
transfers in the ledger, and its history is included."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import repository
from services.funding.grants.models import Application, Call
from services.funding.grants.schemas import (
    ApplicationDetail,
    ApplicationEventRead,
    ApplicationRead,
    CallRead,
)
from services.funding.transfers import repository as transfers
from services.funding.transfers.models import Transfer
from services.funding.transfers.schemas import TransferKind, TransferState


@dataclass(frozen=True)
class Money:
    """An application's money, from its transfers."""

    reserved_ore: int = 0
    paid_ore: int = 0
    repaid_ore: int = 0


def _sum(rows: list[Transfer], kind: TransferKind, state: TransferState) -> int:
    return sum(t.amount_ore for t in rows if t.kind == kind and t.state == state)


def money_of(rows: list[Transfer]) -> Money:
    """Reserved: pending grants; paid: posted payments; repaid: posted repayments."""
    return Money(
        reserved_ore=_sum(rows, TransferKind.grant, TransferState.pending),
        paid_ore=_sum(rows, TransferKind.payment, TransferState.posted),
        repaid_ore=_sum(rows, TransferKind.repayment, TransferState.posted),
    )


async def money(session: AsyncSession, applications: list[Application]) -> dict[int, Money]:
    """Each application's money, by its id."""
    rows = await transfers.of_application(session, [a.id for a in applications])
    return {a.id: money_of([t for t in rows if t.application_id == a.id]) for a in applications}


def call_read(call: Call) -> CallRead:
    return CallRead(
        id=call.id,
        title=call.title,
        description=call.description,
        pool_account=call.pool_account,
        year=call.year,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        max_amount_per_organiser_ore=call.max_amount_ore,
        min_schools=call.min_schools,
        max_schools=call.max_schools,
        eligible=call.eligible,
        methods=call.methods,
        is_open=call.is_open(),
        created_at=call.created_at,
    )


def application_read(application: Application, money: Money) -> ApplicationRead:
    claim = application.repayment_claim_ore
    return ApplicationRead(
        id=application.id,
        call_id=application.call_id,
        organisation_number=application.organisation_number,
        organiser_name=application.organiser_name,
        school_unit_codes=application.school_unit_codes,
        requested_amount_ore=application.requested_amount_ore,
        method=application.method,
        plan=application.plan,
        state=application.state,
        approved_amount_ore=application.approved_amount_ore,
        account=application.account,
        decision_note=application.decision_note,
        reserved_ore=money.reserved_ore,
        paid_ore=money.paid_ore,
        used_amount_ore=application.used_amount_ore,
        repayment_claim_ore=claim,
        repaid_ore=money.repaid_ore,
        outstanding_ore=max((claim or 0) - money.repaid_ore, 0),
        report=application.report,
        created_at=application.created_at,
    )


async def applications(session: AsyncSession, rows: list[Application]) -> list[ApplicationRead]:
    """The applications with their money."""
    by_id = await money(session, rows)
    return [application_read(a, by_id[a.id]) for a in rows]


async def detail(session: AsyncSession, application: Application) -> ApplicationDetail:
    """The application with its money and its whole history."""
    [read] = await applications(session, [application])
    events = await repository.events(session, application.id)
    return ApplicationDetail(
        **read.model_dump(),
        history=[ApplicationEventRead.model_validate(e) for e in events],
    )
