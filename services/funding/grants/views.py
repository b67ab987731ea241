"""Calls and applications as the API shows them (money from the ledger, history included)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import service
from services.funding.grants.models import Application, Call
from services.funding.grants.schemas import (
    ApplicationDetail,
    ApplicationEventRead,
    ApplicationRead,
    CallRead,
)


def call_read(call: Call) -> CallRead:
    return CallRead(
        id=call.id,
        title=call.title,
        description=call.description,
        pool_account=call.pool_account,
        year=service.call_year(call),
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        max_amount_per_organiser_ore=call.max_amount_ore,
        min_schools=call.min_schools,
        max_schools=call.max_schools,
        eligible=call.eligible,
        methods=call.methods,
        is_open=service.is_open(call),
        created_at=call.created_at,
    )


def application_read(application: Application, money: service.Money) -> ApplicationRead:
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
    money = await service.money(session, rows)
    return [application_read(a, money[a.id]) for a in rows]


async def detail(session: AsyncSession, application: Application) -> ApplicationDetail:
    """The application with its money and its whole history."""
    [read] = await applications(session, [application])
    events = await service.history(session, application)
    return ApplicationDetail(
        **read.model_dump(),
        history=[ApplicationEventRead.model_validate(e) for e in events],
    )
