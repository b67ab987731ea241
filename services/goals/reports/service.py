"""Rules of reports: one per plan and period, written by the county's rss, locked once
approved, changed only with the current version, every change recorded."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, visible_county, writable_county
from common.context import current_request_id
from common.pagination import Page, PageParams
from common.problems import NotFound, invalid
from services.goals.access import county_scope
from services.goals.indicators.measures import Value
from services.goals.plans import repository as plans
from services.goals.plans.models import Plan
from services.goals.problems import InvalidStateTransition, ReportExists, ReportLocked
from services.goals.reports import repository
from services.goals.reports.content import (
    Content,
    checked_content,
    narrative_reads,
    plan_indicators,
    present,
    value_reads,
)
from services.goals.reports.etag import check_if_match
from services.goals.reports.models import Report, ReportEvent
from services.goals.reports.schemas import (
    EventRead,
    ReportAction,
    ReportCreate,
    ReportPatch,
    ReportPreview,
    ReportRead,
    ReportState,
    ReportSummary,
)

EDITABLE = frozenset({ReportState.draft, ReportState.returned})


def check_period(period: str, year: int, *, location: str = "body.period") -> None:
    """A period of the plan's year: `2019`, `2019H1` or `2019H2` for a 2019 plan."""
    if period[:4] != str(year):
        raise invalid(
            detail=f"The period {period} is not in the plan's year {year}.",
            location=location,
            message=f"must be {year}, {year}H1 or {year}H2",
            value=period,
        )


def ensure_unlocked(report: Report) -> None:
    """409 report-locked for any change to an approved report."""
    if report.state == ReportState.approved:
        raise ReportLocked(
            f"Report {report.id} is approved and locked; an admin may reopen it.",
            report_id=report.id,
            state=report.state,
        )


def report_exists(plan_id: int, period: str, **extra: Any) -> ReportExists:
    """409 report-exists: a plan has one report per period."""
    return ReportExists(f"Plan {plan_id} already has a report for {period}.", **extra)


def record(
    session: AsyncSession,
    *,
    report: Report,
    principal: Principal,
    action: ReportAction,
    from_state: str | None,
    comment: str | None = None,
) -> None:
    """Add an entry to the report's history: who, when, from which request, and why."""
    repository.add_event(
        session,
        ReportEvent(
            report_id=report.id,
            action=action,
            from_state=from_state,
            to_state=report.state,
            version=report.version,
            actor=principal.client_id,
            actor_role=principal.role.value,
            request_id=current_request_id(),
            comment=comment,
        ),
    )


def bump(report: Report) -> None:
    """One more version of the report."""
    report.version += 1
    report.updated_at = datetime.now(UTC)


async def visible_report(
    session: AsyncSession, *, principal: Principal, report_id: int, lock: bool = False
) -> tuple[Report, Plan]:
    """The report and its plan, if the principal may see it (404 for another county's rss)."""
    found = await repository.get_report(session, report_id, lock=lock)
    if found is None:
        raise NotFound(f"No report {report_id}.")
    visible_county(principal, found[1].county_code, f"report {report_id}")
    return found


def identity(report: Report, plan: Plan) -> dict[str, Any]:
    """What every view of a report begins with: which report, of which plan, where it is."""
    return {
        "id": report.id,
        "plan_id": plan.id,
        "county_code": plan.county_code,
        "year": plan.year,
        "period": report.period,
        "state": report.state,
    }


async def report_read(session: AsyncSession, report: Report, plan: Plan) -> ReportRead:
    """The report with its values, narratives and history."""
    by_id = await plan_indicators(session, plan)
    values = (await repository.values_of(session, [report.id]))[report.id]
    history = await repository.history_of(session, report.id)
    return ReportRead(
        **identity(report, plan),
        version=report.version,
        values=value_reads(values, by_id),
        narratives=narrative_reads(await repository.narratives_of(session, report.id)),
        history=[EventRead.model_validate(event, from_attributes=True) for event in history],
        created_at=report.created_at,
        updated_at=report.updated_at,
    )


async def save_content(session: AsyncSession, report: Report, content: Content) -> None:
    await repository.save_values(session, report.id, content.values)
    await repository.save_narratives(session, report.id, content.narratives)


def preview(
    report: Report,
    plan: Plan,
    content: Content,
    *,
    version: int,
    values: Mapping[int, Value] | None = None,
    narratives: Mapping[str, str] | None = None,
) -> ReportPreview:
    """What a dry run would save: the content applied over the report's values and
    narratives (a new report has none)."""
    return ReportPreview(
        **identity(report, plan),
        version=version,
        values=value_reads(present({**(values or {}), **content.values}), content.indicators),
        narratives=narrative_reads(present({**(narratives or {}), **content.narratives})),
    )


async def new_report(
    session: AsyncSession, *, principal: Principal, data: ReportCreate
) -> tuple[Report, Plan, Content]:
    """A new report's first version (a draft, not yet added), its plan and its checked
    content: a plan of the principal's county, a period of its year, no report for it yet."""
    plan = await plans.get_plan(session, data.plan_id)
    if plan is None:
        raise invalid(
            detail=f"There is no plan {data.plan_id}.",
            location="body.plan_id",
            message="no such plan",
            value=data.plan_id,
        )
    writable_county(principal, plan.county_code)
    check_period(data.period, plan.year)
    existing = await repository.find_report(session, plan_id=plan.id, period=data.period)
    if existing is not None:
        raise report_exists(plan.id, data.period, report_id=existing.id)
    content = await checked_content(
        session, plan, values=data.values, narratives=data.narratives, removable=False
    )
    return draft_of(plan.id, data.period, principal=principal), plan, content


def draft_of(plan_id: int, period: str, *, principal: Principal) -> Report:
    """A new report's first version, a draft."""
    return Report(
        plan_id=plan_id,
        period=period,
        state=ReportState.draft,
        version=1,
        created_by=principal.client_id,
    )


async def preview_report(
    session: AsyncSession, *, principal: Principal, data: ReportCreate
) -> ReportPreview:
    """What creating the report would save; nothing is saved."""
    draft, plan, content = await new_report(session, principal=principal, data=data)
    return preview(draft, plan, content, version=draft.version)


async def create_report(
    session: AsyncSession, *, principal: Principal, data: ReportCreate
) -> ReportRead:
    """A draft report of the county's plan for one period (the county's rss)."""
    report, plan, content = await new_report(session, principal=principal, data=data)
    await repository.add_report(session, report, exists=report_exists(plan.id, data.period))
    await save_content(session, report, content)
    record(session, report=report, principal=principal, action=ReportAction.create, from_state=None)
    return await report_read(session, report, plan)


async def checked_edit(
    session: AsyncSession,
    *,
    principal: Principal,
    report_id: int,
    data: ReportPatch,
    if_match: str | None,
) -> tuple[Report, Plan, Content]:
    """The report, locked, if the county's rss may change it now (draft or returned, and
    If-Match naming its version), with the PATCH's entries checked (one without a value
    removes)."""
    report, plan = await visible_report(
        session, principal=principal, report_id=report_id, lock=True
    )
    writable_county(principal, plan.county_code)
    ensure_unlocked(report)
    if report.state not in EDITABLE:
        raise InvalidStateTransition(
            f"Report {report.id} is {report.state}: it can be changed once it is returned.",
            report_id=report.id,
            state=report.state,
        )
    check_if_match(if_match, report.version, required=True)
    content = await checked_content(
        session, plan, values=data.values or [], narratives=data.narratives or [], removable=True
    )
    return report, plan, content


async def preview_update(
    session: AsyncSession,
    *,
    principal: Principal,
    report_id: int,
    data: ReportPatch,
    if_match: str | None,
) -> ReportPreview:
    """What the change would make of the report; nothing is saved."""
    report, plan, content = await checked_edit(
        session, principal=principal, report_id=report_id, data=data, if_match=if_match
    )
    return preview(
        report,
        plan,
        content,
        version=report.version + (1 if content.changes_something() else 0),
        values=(await repository.values_of(session, [report.id]))[report.id],
        narratives=await repository.narratives_of(session, report.id),
    )


async def update_report(
    session: AsyncSession,
    *,
    principal: Principal,
    report_id: int,
    data: ReportPatch,
    if_match: str | None,
) -> ReportRead:
    """Change a draft or returned report's values and narratives, at its current version;
    a change that changes nothing makes no new version."""
    report, plan, content = await checked_edit(
        session, principal=principal, report_id=report_id, data=data, if_match=if_match
    )
    if content.changes_something():
        await save_content(session, report, content)
        bump(report)
        record(
            session,
            report=report,
            principal=principal,
            action=ReportAction.edit,
            from_state=report.state,
        )
    return await report_read(session, report, plan)


async def get_report(session: AsyncSession, *, principal: Principal, report_id: int) -> ReportRead:
    """One report with its values, narratives and history."""
    report, plan = await visible_report(session, principal=principal, report_id=report_id)
    return await report_read(session, report, plan)


async def list_reports(
    session: AsyncSession,
    *,
    principal: Principal,
    county_code: str | None,
    year: int | None,
    plan_id: int | None,
    period: str | None,
    state: ReportState | None,
    page: PageParams,
) -> Page[ReportSummary]:
    """Reports, newest year first; an rss sees its own county's only."""
    scope = county_scope(principal)
    if scope is not None:
        if county_code not in (None, scope):
            return Page.of([], 0, page)
        county_code = scope
    rows, total = await repository.list_reports(
        session,
        county_code=county_code,
        year=year,
        plan_id=plan_id,
        period=period,
        state=state,
        page=page,
    )
    items = [
        ReportSummary(
            **identity(report, plan),
            version=report.version,
            updated_at=report.updated_at,
        )
        for report, plan in rows
    ]
    return Page.of(items, total, page)
