"""SQL of reports, their values, narratives and history."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.indicators.measures import Value
from services.goals.plans.models import Plan
from services.goals.reports.models import Report, ReportEvent, ReportNarrative, ReportValue


async def get_report(
    session: AsyncSession, report_id: int, *, lock: bool = False
) -> tuple[Report, Plan] | None:
    """The report and its plan; `lock` holds the report's row until the transaction ends."""
    query = select(Report, Plan).join(Plan, Report.plan_id == Plan.id).where(Report.id == report_id)
    if lock:
        query = query.with_for_update(of=Report)
    row = (await session.execute(query)).first()
    return None if row is None else (row[0], row[1])


async def find_report(session: AsyncSession, *, plan_id: int, period: str) -> Report | None:
    found: Report | None = await session.scalar(
        select(Report).where(Report.plan_id == plan_id, Report.period == period)
    )
    return found


async def reports_for(
    session: AsyncSession, keys: Sequence[tuple[int, str]], *, lock: bool = False
) -> dict[tuple[int, str], Report]:
    """The reports of the given (plan_id, period) pairs."""
    if not keys:
        return {}
    query = select(Report).where(tuple_(Report.plan_id, Report.period).in_(sorted(set(keys))))
    if lock:
        query = query.order_by(Report.id).with_for_update()
    rows = await session.scalars(query)
    return {(report.plan_id, report.period): report for report in rows}


async def reports_of_plans(session: AsyncSession, plan_ids: Sequence[int]) -> Sequence[Report]:
    if not plan_ids:
        return []
    return (await session.scalars(select(Report).where(Report.plan_id.in_(plan_ids)))).all()


def _value(row: ReportValue) -> Value:
    return Value(
        integer_value=row.integer_value,
        numerator=row.numerator,
        denominator=row.denominator,
        boolean_value=row.boolean_value,
        text_value=row.text_value,
    )


async def values_of(
    session: AsyncSession, report_ids: Sequence[int]
) -> dict[int, dict[int, Value]]:
    """Each report's values by indicator id."""
    found: dict[int, dict[int, Value]] = {report_id: {} for report_id in report_ids}
    if report_ids:
        rows = await session.scalars(
            select(ReportValue).where(ReportValue.report_id.in_(report_ids))
        )
        for row in rows:
            found[row.report_id][row.indicator_id] = _value(row)
    return found


async def narratives_of(session: AsyncSession, report_id: int) -> dict[str, str]:
    rows = await session.scalars(
        select(ReportNarrative).where(ReportNarrative.report_id == report_id)
    )
    return {row.goal_code: row.text for row in rows}


async def history_of(session: AsyncSession, report_id: int) -> Sequence[ReportEvent]:
    rows = await session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id == report_id)
        .order_by(ReportEvent.occurred_at, ReportEvent.id)
    )
    return rows.all()


async def list_reports(
    session: AsyncSession,
    *,
    county_code: str | None,
    year: int | None,
    plan_id: int | None,
    period: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Report, Plan]], int]:
    query = select(Report, Plan).join(Plan, Report.plan_id == Plan.id)
    for column, wanted in (
        (Plan.county_code, county_code),
        (Plan.year, year),
        (Report.plan_id, plan_id),
        (Report.period, period),
        (Report.state, state),
    ):
        if wanted is not None:
            query = query.where(column == wanted)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(Plan.year.desc(), Plan.county_code, Report.period)
        .limit(limit)
        .offset(offset)
    )
    return [(row[0], row[1]) for row in rows], total or 0


async def add_report(session: AsyncSession, report: Report) -> None:
    """Insert the report (flushes, so a second report for the plan and period raises here)."""
    session.add(report)
    await session.flush()


async def save_values(
    session: AsyncSession, report_id: int, values: Mapping[int, Value | None]
) -> None:
    """Set each indicator's value; None removes it."""
    removed = [indicator_id for indicator_id, value in values.items() if value is None]
    if removed:
        await session.execute(
            delete(ReportValue).where(
                ReportValue.report_id == report_id, ReportValue.indicator_id.in_(removed)
            )
        )
    rows = [
        {"report_id": report_id, "indicator_id": indicator_id, **asdict(value)}
        for indicator_id, value in values.items()
        if value is not None
    ]
    if rows:
        statement = insert(ReportValue)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[ReportValue.report_id, ReportValue.indicator_id],
                set_={name: statement.excluded[name] for name in asdict(Value())},
            ),
            rows,
        )


async def save_narratives(
    session: AsyncSession, report_id: int, narratives: Mapping[str, str | None]
) -> None:
    """Set each goal's narrative; None removes it."""
    removed = [code for code, text in narratives.items() if text is None]
    if removed:
        await session.execute(
            delete(ReportNarrative).where(
                ReportNarrative.report_id == report_id, ReportNarrative.goal_code.in_(removed)
            )
        )
    rows = [
        {"report_id": report_id, "goal_code": code, "text": text}
        for code, text in narratives.items()
        if text is not None
    ]
    if rows:
        statement = insert(ReportNarrative)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[ReportNarrative.report_id, ReportNarrative.goal_code],
                set_={"text": statement.excluded.text},
            ),
            rows,
        )


def add_event(session: AsyncSession, event: ReportEvent) -> None:
    session.add(event)
