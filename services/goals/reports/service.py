"""Rules of reports: one per plan and period, written by the county's rss, locked once
approved, changed only with the current version, every change recorded."""

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, visible_county, writable_county
from common.context import current_request_id
from common.pagination import Page, PageParams
from common.problems import Conflict, InvalidInput, NotFound, invalid
from services.goals.access import county_scope
from services.goals.indicators import repository as indicators
from services.goals.indicators.models import Indicator
from services.goals.plans import repository as plans
from services.goals.plans.models import Plan
from services.goals.problems import InvalidStateTransition, ReportLocked
from services.goals.reports import repository
from services.goals.reports.content import (
    check_narratives,
    check_values,
    detail_of,
    narrative_reads,
    value_reads,
)
from services.goals.reports.etag import check_if_match
from services.goals.reports.models import Report, ReportEvent
from services.goals.reports.schemas import (
    EventRead,
    ReportCreate,
    ReportPatch,
    ReportPreview,
    ReportRead,
    ReportSummary,
)

EDITABLE = frozenset({"draft", "returned"})


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
    if report.state == "approved":
        raise ReportLocked(
            f"Report {report.id} is approved and locked; an admin may reopen it.",
            report_id=report.id,
            state=report.state,
        )


def record(
    session: AsyncSession,
    report: Report,
    principal: Principal,
    *,
    action: str,
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


async def plan_indicators(session: AsyncSession, plan: Plan) -> dict[int, Indicator]:
    found = await indicators.of_plans(session, [plan.id])
    return {indicator.id: indicator for indicator in found[plan.id]}


async def visible_report(
    session: AsyncSession, *, principal: Principal, report_id: int, lock: bool = False
) -> tuple[Report, Plan]:
    """The report and its plan, if the principal may see it (404 for another county's rss)."""
    found = await repository.get_report(session, report_id, lock=lock)
    if found is None:
        raise NotFound(f"No report {report_id}.")
    visible_county(principal, found[1].county_code, f"report {report_id}")
    return found


async def report_read(session: AsyncSession, report: Report, plan: Plan) -> ReportRead:
    await session.flush()
    by_id = await plan_indicators(session, plan)
    values = (await repository.values_of(session, [report.id]))[report.id]
    history = await repository.history_of(session, report.id)
    return ReportRead(
        id=report.id,
        plan_id=plan.id,
        county_code=plan.county_code,
        year=plan.year,
        period=report.period,
        state=report.state,
        version=report.version,
        values=value_reads(values, by_id),
        narratives=narrative_reads(await repository.narratives_of(session, report.id)),
        history=[EventRead.model_validate(event, from_attributes=True) for event in history],
        created_at=report.created_at,
        updated_at=report.updated_at,
    )


async def create_report(
    session: AsyncSession, *, principal: Principal, data: ReportCreate, dry_run: bool
) -> ReportRead | ReportPreview:
    """A draft report of the county's plan for one period (the county's rss)."""
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
        raise Conflict(
            f"Plan {plan.id} already has a report for {data.period}.", report_id=existing.id
        )
    by_id = await plan_indicators(session, plan)
    goal_codes = (await plans.goal_codes(session, [plan.id]))[plan.id]
    values, errors = check_values(data.values, by_id, removable=False)
    narratives, narrative_errors = check_narratives(data.narratives, goal_codes, removable=False)
    if errors or narrative_errors:
        raise InvalidInput(detail_of(errors + narrative_errors), errors=errors + narrative_errors)
    kept = {key: value for key, value in values.items() if value is not None}
    texts = {code: text for code, text in narratives.items() if text is not None}
    if dry_run:
        return ReportPreview(
            id=None,
            plan_id=plan.id,
            county_code=plan.county_code,
            year=plan.year,
            period=data.period,
            state="draft",
            version=1,
            values=value_reads(kept, by_id),
            narratives=narrative_reads(texts),
        )
    report = Report(
        plan_id=plan.id,
        period=data.period,
        state="draft",
        version=1,
        created_by=principal.client_id,
    )
    try:
        await repository.add_report(session, report)
    except IntegrityError as exc:
        raise Conflict(f"Plan {plan.id} already has a report for {data.period}.") from exc
    await repository.save_values(session, report.id, kept)
    await repository.save_narratives(session, report.id, texts)
    record(session, report, principal, action="create", from_state=None)
    return await report_read(session, report, plan)


async def update_report(
    session: AsyncSession,
    *,
    principal: Principal,
    report_id: int,
    data: ReportPatch,
    if_match: str | None,
    dry_run: bool,
) -> ReportRead | ReportPreview:
    """Change a draft or returned report's values and narratives, at its current version."""
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
    by_id = await plan_indicators(session, plan)
    goal_codes = (await plans.goal_codes(session, [plan.id]))[plan.id]
    values, errors = check_values(data.values or [], by_id, removable=True)
    narratives, narrative_errors = check_narratives(
        data.narratives or [], goal_codes, removable=True
    )
    if errors or narrative_errors:
        raise InvalidInput(detail_of(errors + narrative_errors), errors=errors + narrative_errors)
    if dry_run:
        current = (await repository.values_of(session, [report.id]))[report.id]
        texts = await repository.narratives_of(session, report.id)
        merged = {k: v for k, v in {**current, **values}.items() if v is not None}
        merged_texts = {k: v for k, v in {**texts, **narratives}.items() if v is not None}
        return ReportPreview(
            id=report.id,
            plan_id=plan.id,
            county_code=plan.county_code,
            year=plan.year,
            period=report.period,
            state=report.state,
            version=report.version + (1 if values or narratives else 0),
            values=value_reads(merged, by_id),
            narratives=narrative_reads(merged_texts),
        )
    if not values and not narratives:
        return await report_read(session, report, plan)  # nothing to change: no new version
    await repository.save_values(session, report.id, values)
    await repository.save_narratives(session, report.id, narratives)
    bump(report)
    record(session, report, principal, action="edit", from_state=report.state)
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
    state: str | None,
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
        limit=page.limit,
        offset=page.offset,
    )
    items = [
        ReportSummary(
            id=report.id,
            plan_id=plan.id,
            county_code=plan.county_code,
            year=plan.year,
            period=report.period,
            state=report.state,
            version=report.version,
            updated_at=report.updated_at,
        )
        for report, plan in rows
    ]
    return Page.of(items, total, page)
