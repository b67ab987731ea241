"""SQL of reports, their values, narratives and history."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import equal_to, insert_or_raise, rows_page_of
from common.pagination import PageParams
from services.goals.indicators.measures import Value
from services.goals.plans.models import Plan
from services.goals.problems import ReportExists
from services.goals.reports.models import Report, ReportEvent, ReportNarrative, ReportValue
from services.goals.reports.schemas import ReportState


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
    """The report's history, oldest first, with the entries this transaction added."""
    await session.flush()
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
    state: ReportState | None,
    page: PageParams,
) -> tuple[list[tuple[Report, Plan]], int]:
    matching = equal_to(
        (Plan.county_code, county_code),
        (Plan.year, year),
        (Report.plan_id, plan_id),
        (Report.period, period),
        (Report.state, state),
    )
    query = select(Report, Plan).join(Plan, Report.plan_id == Plan.id).where(*matching)
    ordered = query.order_by(Plan.year.desc(), Plan.county_code, Report.period)
    rows, total = await rows_page_of(session, ordered, page)
    return [(report, plan) for report, plan in rows], total


async def add_report(session: AsyncSession, report: Report, *, exists: ReportExists) -> None:
    """Insert the report; `exists` when the plan got a report for the period meanwhile."""
    await insert_or_raise(session, report, exists=exists)


async def _set_or_remove(
    session: AsyncSession,
    table: type[ReportValue | ReportNarrative],
    report_id: int,
    key: str,
    entries: Mapping[Any, Mapping[str, Any] | None],
) -> None:
    """Set the report's row of each entry (by its `key` column); None removes the row."""
    column = getattr(table, key)
    removed = [name for name, fields in entries.items() if fields is None]
    if removed:
        await session.execute(
            delete(table).where(table.report_id == report_id, column.in_(removed))
        )
    rows = [
        {"report_id": report_id, key: name, **fields}
        for name, fields in entries.items()
        if fields is not None
    ]
    if rows:
        statement = insert(table)
        changed = [name for name in rows[0] if name not in ("report_id", key)]
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.report_id, column],
                set_={name: statement.excluded[name] for name in changed},
            ),
            rows,
        )


async def save_values(
    session: AsyncSession, report_id: int, values: Mapping[int, Value | None]
) -> None:
    """Set each indicator's value; None removes it."""
    entries = {key: None if value is None else asdict(value) for key, value in values.items()}
    await _set_or_remove(session, ReportValue, report_id, "indicator_id", entries)


async def save_narratives(
    session: AsyncSession, report_id: int, narratives: Mapping[str, str | None]
) -> None:
    """Set each goal's narrative; None removes it."""
    entries = {code: None if text is None else {"text": text} for code, text in narratives.items()}
    await _set_or_remove(session, ReportNarrative, report_id, "goal_code", entries)


def add_event(session: AsyncSession, event: ReportEvent) -> None:
    session.add(event)
