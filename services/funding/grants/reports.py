"""Use of funds: the organiser's structured reports on a grant, the admin's review, and the
follow-up rounds of a call.

A grant's report is due by its call's `report_due_at`; an approved one is what settlement and
the last payment of a grant paid in parts wait for. A follow-up round (as in 2021) asks the
call's granted organisers for a report of the same form by its own `due_at`. A report is
numbered per application (grant and follow-up reports in one sequence); a returned one is
answered by a new report. Each step is kept in the application's history.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.problems import NotFound, invalid
from services.funding.audit import service as audit
from services.funding.grants import clock, repository, views
from services.funding.grants import service as grants
from services.funding.grants.case_schemas import (
    FollowUpCreate,
    FollowUpRead,
    FollowUpStatus,
    ReportCreate,
    ReportRead,
    ReportReturn,
    ReportReview,
)
from services.funding.grants.models import Application, FollowUp, Report
from services.funding.grants.schemas import ApplicationState, ApplicationStep, ReportState
from services.funding.money import kronor
from services.funding.problems import InvalidApplicationState, InvalidReportState, ReportExists

REPORTING = (ApplicationState.approved, ApplicationState.paid)
"""A grant's report comes after approval and before settlement."""
GRANTED = (
    ApplicationState.approved,
    ApplicationState.paid,
    ApplicationState.repayment_due,
    ApplicationState.closed,
)
OPEN = (ReportState.submitted, ReportState.approved)


async def _round(session: AsyncSession, application: Application, round: int) -> FollowUp:
    """The follow-up round of the application's call, or 422 naming it."""
    follow_up = await repository.follow_up(session, call_id=application.call_id, round=round)
    if follow_up is None:
        raise invalid(
            "body.follow_up_round", f"call {application.call_id} has no such round", round
        )
    return follow_up


def _require(application: Application, states: tuple[ApplicationState, ...]) -> None:
    if application.state not in states:
        allowed = " or ".join(s.value for s in states)
        raise InvalidApplicationState(
            f"Application {application.id} is {application.state}; a report needs it {allowed}.",
            state=application.state,
        )


def _check_amount(application: Application, data: ReportCreate) -> None:
    approved = application.approved_amount_ore or 0
    if data.used_amount_ore > approved:
        raise invalid(
            "body.used_amount_ore",
            f"at most the approved {kronor(approved)} ({approved} öre)",
            data.used_amount_ore,
        )


async def submit_report(
    session: AsyncSession, *, application_id: int, data: ReportCreate, principal: Principal
) -> ReportRead:
    """The organiser's (or an admin's) report on its grant, or to a follow-up round; one at a
    time: while one is awaiting review or approved, another is 409 report-exists."""
    application = await grants.lock_application(
        session, application_id=application_id, principal=principal
    )
    follow_up = None
    if data.follow_up_round is None:
        _require(application, REPORTING)
    else:
        _require(application, GRANTED)
        follow_up = await _round(session, application, data.follow_up_round)
    _check_amount(application, data)
    await _refuse_second(session, application, follow_up)
    numbers = [r.number for r in await repository.all_reports(session, application.id)]
    report = await repository.add(
        session,
        Report(
            application_id=application.id,
            number=max(numbers, default=0) + 1,
            follow_up_id=follow_up.id if follow_up else None,
            used_amount_ore=data.used_amount_ore,
            school_unit_codes=list(data.school_unit_codes),
            staff_count=data.staff_count,
            pupil_count=data.pupil_count,
            method=data.method,
            activities=data.activities,
            next_steps=data.next_steps,
            state=ReportState.submitted.value,
            created_by=principal.client_id,
        ),
    )
    await _event(session, application, report, ApplicationStep.reported, principal, None)
    return await _read(session, report)


async def _refuse_second(
    session: AsyncSession, application: Application, follow_up: FollowUp | None
) -> None:
    """409 report-exists when a report (to the same round) awaits review or is approved."""
    rows = await repository.reports(
        session, [application.id], follow_up_id=follow_up.id if follow_up else None
    )
    for row in rows:
        if row.state in OPEN:
            raise ReportExists(
                f"Report {row.number} of application {application.id} is {row.state}; a new "
                "report is taken only after one is returned.",
                number=row.number,
                state=row.state,
            )


async def _event(
    session: AsyncSession,
    application: Application,
    report: Report,
    step: ApplicationStep,
    principal: Principal,
    comment: str | None,
) -> None:
    """The report's step in the application's history (the note names the report)."""
    note = f"Redovisning / report {report.number}" + (f": {comment}" if comment else "")
    await grants.add_event(
        session,
        application,
        event=step,
        principal=principal,
        amount_ore=report.used_amount_ore,
        note=note,
    )


async def review(
    session: AsyncSession,
    *,
    application_id: int,
    number: int,
    approve: bool,
    data: ReportReview | ReportReturn,
    principal: Principal,
) -> ReportRead:
    """Approve a submitted report, or return it with a comment (the organiser then submits
    a new one)."""
    application = await grants.lock_application(
        session, application_id=application_id, principal=principal
    )
    report = await _report(session, application, number)
    if report.state != ReportState.submitted:
        raise InvalidReportState(
            f"Report {number} of application {application.id} is {report.state}; only a "
            "submitted report is reviewed.",
            state=report.state,
        )
    report.state = (ReportState.approved if approve else ReportState.returned).value
    report.review_comment = data.comment
    report.reviewed_by = principal.client_id
    report.reviewed_at = datetime.now(UTC)
    step = ApplicationStep.report_approved if approve else ApplicationStep.report_returned
    await _event(session, application, report, step, principal, data.comment)
    return await _read(session, report)


async def _report(session: AsyncSession, application: Application, number: int) -> Report:
    report = await repository.report(session, application_id=application.id, number=number)
    if report is None:
        raise NotFound(f"Application {application.id} has no report {number}.")
    return report


async def list_reports(
    session: AsyncSession, *, application_id: int, principal: Principal
) -> list[ReportRead]:
    """An application's reports, by number (an organiser sees its own application's)."""
    await grants.get_application(session, application_id=application_id, principal=principal)
    rows = await repository.all_reports(session, application_id)
    return await views.reports(session, rows)


async def _read(session: AsyncSession, report: Report) -> ReportRead:
    [read] = await views.reports(session, [report])
    return read


async def approved_report(session: AsyncSession, application: Application) -> Report | None:
    """The grant's approved report (not a follow-up one), if it has one."""
    rows = await repository.reports(session, [application.id])
    approved = [r for r in rows if r.state == ReportState.approved]
    return approved[-1] if approved else None


async def open_follow_up(
    session: AsyncSession, *, call_id: int, data: FollowUpCreate, principal: Principal
) -> FollowUp:
    """The call's next follow-up round, due after the call closes."""
    call = await repository.lock_call(session, call_id)
    if call is None:
        raise NotFound(f"No call with id {call_id}.")
    if data.due_at <= call.closes_at:
        raise invalid(
            "body.due_at",
            f"must be after the call closes ({call.closes_at.isoformat()})",
            data.due_at.isoformat(),
        )
    follow_up = await repository.add(
        session,
        FollowUp(
            call_id=call.id,
            round=await repository.last_round(session, call.id) + 1,
            title=data.title,
            due_at=data.due_at,
            created_by=principal.client_id,
        ),
    )
    await audit.record(
        session,
        principal=principal,
        action="follow_up.created",
        object_type="call",
        object_id=call.id,
        detail={"round": follow_up.round, "due_at": follow_up.due_at.isoformat()},
    )
    return follow_up


async def follow_up_status(
    session: AsyncSession, *, call_id: int, round: int, principal: Principal
) -> FollowUpStatus:
    """The round, and for each of the call's granted organisers its latest report to the
    round, if any (an organiser sees itself only, and is counted alone)."""
    await grants.get_call(session, call_id=call_id)
    follow_up = await repository.follow_up(session, call_id=call_id, round=round)
    if follow_up is None:
        raise NotFound(f"Call {call_id} has no follow-up round {round}.")
    applications = await repository.granted(session, call_id)
    if principal.role is Role.organiser:
        applications = [
            a for a in applications if a.organisation_number == principal.organisation_number
        ]
    rows = await repository.reports(
        session, [a.id for a in applications], follow_up_id=follow_up.id
    )
    organisers = views.follow_up_organisers(follow_up, applications, rows, now=clock.now())
    return FollowUpStatus(
        **FollowUpRead.model_validate(follow_up).model_dump(),
        granted=len(organisers),
        reported=sum(o.reported for o in organisers),
        organisers=organisers,
    )
