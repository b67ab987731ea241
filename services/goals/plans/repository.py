"""SQL of plans and their goals."""

from collections.abc import Sequence

from sqlalchemy import exists, func, insert, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import equal_to, insert_or_raise, page_of
from common.pagination import PageParams
from services.goals.plans.models import Plan, PlanGoal
from services.goals.problems import PlanExists
from services.goals.reports.models import Report
from services.goals.versions.models import ReportVersion
from services.goals.versions.schemas import VersionKind


async def get_plan(session: AsyncSession, plan_id: int) -> Plan | None:
    return await session.get(Plan, plan_id)


async def hold_plan(session: AsyncSession, plan_id: int, *, exclusive: bool) -> None:
    """Lock the plan's row until the transaction ends: shared while its goals or indicators
    change, exclusive while one of its reports is approved, so an approval and a change to
    the plan never pass each other unseen."""
    statement = select(Plan.id).where(Plan.id == plan_id)
    statement = statement.with_for_update(key_share=False, read=not exclusive)
    await session.execute(statement)


async def find_plan(session: AsyncSession, *, county_code: str, year: int) -> Plan | None:
    found: Plan | None = await session.scalar(
        select(Plan).where(Plan.county_code == county_code, Plan.year == year)
    )
    return found


async def plans_of_year(session: AsyncSession, year: int) -> Sequence[Plan]:
    return (await session.scalars(select(Plan).where(Plan.year == year))).all()


async def plans_for(
    session: AsyncSession, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], Plan]:
    """The plans of the given (county_code, year) pairs."""
    if not keys:
        return {}
    pairs = tuple_(Plan.county_code, Plan.year).in_(sorted(set(keys)))
    rows = await session.scalars(select(Plan).where(pairs))
    return {(plan.county_code, plan.year): plan for plan in rows}


async def goal_codes(session: AsyncSession, plan_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each plan's goal codes."""
    found: dict[int, list[str]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        rows = await session.execute(
            select(PlanGoal.plan_id, PlanGoal.goal_code).where(PlanGoal.plan_id.in_(plan_ids))
        )
        for plan_id, code in rows:
            found[plan_id].append(code)
    return found


async def list_plans(
    session: AsyncSession,
    *,
    county_code: str | None,
    year: int | None,
    page: PageParams,
) -> tuple[list[Plan], int]:
    query = select(Plan).where(*equal_to((Plan.county_code, county_code), (Plan.year, year)))
    return await page_of(session, query.order_by(Plan.year.desc(), Plan.county_code), page)


async def add_plan(
    session: AsyncSession, plan: Plan, codes: Sequence[str], *, exists: PlanExists
) -> None:
    """Insert the plan and its goals; `exists` when the county planned the year meanwhile."""
    await insert_or_raise(session, plan, exists=exists)
    await session.execute(
        insert(PlanGoal), [{"plan_id": plan.id, "goal_code": code} for code in codes]
    )


async def latest_year(session: AsyncSession) -> int | None:
    """The latest year any county has a plan for."""
    year: int | None = await session.scalar(select(func.max(Plan.year)))
    return year


async def approved_report_of(session: AsyncSession, plan_id: int) -> int | None:
    """A report of the plan that is or was approved (has an approved version), if any."""
    was_approved = exists().where(
        ReportVersion.report_id == Report.id, ReportVersion.kind == VersionKind.approved
    )
    found: int | None = await session.scalar(
        select(Report.id)
        .where(Report.plan_id == plan_id, or_(Report.state == "approved", was_approved))
        .order_by(Report.id)
        .limit(1)
    )
    return found
