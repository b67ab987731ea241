"""Calls and applications as the API shows them: an application's money comes from its
transfers in the ledger, and its history is included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from common.csvfile import document
from services.funding.grants import repository
from services.funding.grants.case_schemas import FollowUpOrganiser, ReportRead
from services.funding.grants.models import Application, Call, FollowUp, Report
from services.funding.grants.schemas import (
    ApplicationDetail,
    ApplicationEventRead,
    ApplicationRead,
    CallRead,
)
from services.funding.money import kronor_figure
from services.funding.transfers import repository as transfers
from services.funding.transfers.models import Transfer
from services.funding.transfers.schemas import TransferKind, TransferState

AMOUNTS = ("requested", "approved", "paid", "used", "repaid")
CSV_HEADER = [
    "id",
    "call_id",
    "organiser_name",
    "organisation_number",
    "school_unit_codes",
    "state",
    *(f"{amount}_{unit}" for amount in AMOUNTS for unit in ("ore", "kr")),
]
CSV_EXAMPLE = (
    ",".join(CSV_HEADER) + "\r\n"
    "12,1,Malmö stad,212000-1124,12345678 23456789,closed,"
    "20000000,200000.00,20000000,200000.00,20000000,200000.00,18000000,180000.00,"
    "2000000,20000.00\r\n"
)


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
        requires_interest=call.requires_interest,
        rolling=call.rolling,
        report_due_at=call.report_due_at,
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


def _late(at: datetime, due: datetime | None) -> bool:
    return due is not None and at > due


def report_read(report: Report, *, round: int | None, due_at: datetime | None) -> ReportRead:
    """A report; `late` when it came after `due_at` (its round's, or its call's)."""
    return ReportRead(
        number=report.number,
        application_id=report.application_id,
        follow_up_round=round,
        used_amount_ore=report.used_amount_ore,
        school_unit_codes=report.school_unit_codes,
        staff_count=report.staff_count,
        pupil_count=report.pupil_count,
        method=report.method,
        activities=report.activities,
        next_steps=report.next_steps,
        state=report.state,
        late=_late(report.created_at, due_at),
        review_comment=report.review_comment,
        reviewed_by=report.reviewed_by,
        reviewed_at=report.reviewed_at,
        created_by=report.created_by,
        created_at=report.created_at,
    )


async def reports(session: AsyncSession, rows: list[Report]) -> list[ReportRead]:
    """The reports, each with its round and against its deadline."""
    rounds = await repository.follow_ups(session, {r.follow_up_id for r in rows if r.follow_up_id})
    reads = []
    for report in rows:
        follow_up = rounds.get(report.follow_up_id) if report.follow_up_id else None
        if follow_up is not None:
            reads.append(report_read(report, round=follow_up.round, due_at=follow_up.due_at))
            continue
        application = await repository.get_application(session, report.application_id)
        assert application is not None  # a report's application is a foreign key
        call = await repository.get_call(session, application.call_id)
        assert call is not None  # so is an application's call
        reads.append(report_read(report, round=None, due_at=call.report_due_at))
    return reads


def follow_up_organisers(
    follow_up: FollowUp, applications: list[Application], rows: list[Report], *, now: datetime
) -> list[FollowUpOrganiser]:
    """Each granted organiser in a round: its latest report to it (a returned one does not
    count as reported), and whether it is late."""
    latest = {r.application_id: r for r in rows}  # rows are oldest first
    organisers = []
    for application in applications:
        report = latest.get(application.id)
        reported = report is not None and report.state != "returned"
        at = report.created_at if report is not None and reported else None
        organisers.append(
            FollowUpOrganiser(
                application_id=application.id,
                organisation_number=application.organisation_number,
                organiser_name=application.organiser_name,
                reported=reported,
                report_number=report.number if report else None,
                report_state=report.state if report else None,
                reported_at=at,
                late=_late(at or now, follow_up.due_at),
            )
        )
    return organisers


def _kronor(ore: int | None) -> Decimal | None:
    """Kronor beside öre (`150000.00`; the Excel variant writes a decimal comma)."""
    return None if ore is None else kronor_figure(ore)


def applications_csv(rows: list[ApplicationRead], *, excel: bool = False) -> bytes:
    """The applications as CSV, one a row, each amount in öre with kronor beside it."""
    lines: list[list[object]] = [list(CSV_HEADER)]
    for a in rows:
        amounts = (
            a.requested_amount_ore,
            a.approved_amount_ore,
            a.paid_ore,
            a.used_amount_ore,
            a.repaid_ore,
        )
        lines.append(
            [
                a.id,
                a.call_id,
                a.organiser_name,
                a.organisation_number,
                " ".join(a.school_unit_codes),
                a.state.value,
                *(cell for ore in amounts for cell in (ore, _kronor(ore))),
            ]
        )
    return document(lines, excel=excel)
