"""Rules of reporting periods: an admin opens a period with a deadline; the reporting status
gives each of the 21 counties' state in it (an rss sees its own county's row only)."""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.pagination import Page, PageParams
from common.problems import NotFound
from common.reference import COUNTIES
from services.goals.access import county_scope
from services.goals.periods import repository
from services.goals.periods.models import ReportingPeriod
from services.goals.periods.schemas import (
    CountyState,
    CountyStatus,
    PeriodCreate,
    PeriodRead,
    ReportingStatus,
)
from services.goals.plans import repository as plans
from services.goals.problems import ReportingPeriodExists
from services.goals.reports import repository as reports
from services.goals.reports.models import Report

DONE = frozenset({CountyState.submitted, CountyState.approved})
"""The states that meet the deadline."""


async def open_period(
    session: AsyncSession, *, principal: Principal, data: PeriodCreate
) -> PeriodRead:
    """Open a reporting period with its deadline (admin); once per period."""
    exists = ReportingPeriodExists(f"Period {data.period} is open already.", period=data.period)
    if await repository.get(session, data.period) is not None:
        raise exists
    period = ReportingPeriod(
        period=data.period, deadline=data.deadline, created_by=principal.client_id
    )
    await repository.add(session, period, exists=exists)
    return PeriodRead.model_validate(period)


async def list_periods(session: AsyncSession, *, page: PageParams) -> Page[PeriodRead]:
    """The reporting periods, oldest first."""
    rows, total = await repository.list_periods(session, page=page)
    return Page.of([PeriodRead.model_validate(row) for row in rows], total, page)


def _stage(has_plan: bool, report: Report | None) -> CountyState:
    if not has_plan:
        return CountyState.no_plan
    return CountyState.plan if report is None else CountyState(report.state)


async def reporting_status(
    session: AsyncSession, *, principal: Principal, period: str, now: datetime | None = None
) -> ReportingStatus:
    """Each county's state in the period (404 for a period not opened)."""
    found = await repository.get(session, period)
    if found is None:
        raise NotFound(f"No reporting period {period}; an admin opens it.")
    year_plans = {
        plan.county_code: plan for plan in await plans.plans_of_year(session, int(period[:4]))
    }
    by_plan = {
        report.plan_id: report
        for report in await reports.reports_of_plans(session, [p.id for p in year_plans.values()])
        if report.period == period
    }
    past = (now or datetime.now(UTC)) > found.deadline
    scope = county_scope(principal)
    rows: list[CountyStatus] = []
    for code, county in COUNTIES.items():
        if scope is not None and code != scope:
            continue
        plan = year_plans.get(code)
        report = by_plan.get(plan.id) if plan else None
        stage = _stage(plan is not None, report)
        state = CountyState.overdue if past and stage not in DONE else stage
        rows.append(
            CountyStatus(
                county_code=code,
                county_name=county.name,
                state=state,
                stage=stage,
                plan_id=plan.id if plan else None,
                report_id=report.id if report else None,
            )
        )
    counts = {state: sum(1 for row in rows if row.state == state) for state in CountyState}
    return ReportingStatus(
        period=period,
        deadline=found.deadline,
        past_deadline=past,
        counties_total=len(rows),
        counts=counts,
        counties=rows,
    )


CSV_HEADER = (
    "period",
    "deadline",
    "county_code",
    "county_name",
    "state",
    "stage",
    "plan_id",
    "report_id",
)


def csv_rows(status: ReportingStatus) -> Iterator[Sequence[object]]:
    """The status as CSV rows, a header first."""
    yield CSV_HEADER
    deadline = status.deadline.astimezone(UTC).isoformat().replace("+00:00", "Z")
    for row in status.counties:
        yield (
            status.period,
            deadline,
            row.county_code,
            row.county_name,
            row.state.value,
            row.stage.value,
            row.plan_id,
            row.report_id,
        )
