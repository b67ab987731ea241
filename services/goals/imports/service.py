"""Bulk import of many counties' values at once, as DHIS2 imports data values.

Each row names a county, a year, a period, an indicator of that county's plan for the year,
and a value of the indicator's kind. A row makes a new value (imported), changes one
(updated), or changes nothing (ignored); a report that does not exist yet is created as a
draft. A row is a conflict when its plan, period or indicator is unknown, its value does not
fit the measure, it repeats an earlier row, or its report is approved (locked). Any conflict
rejects the whole import (422, nothing saved) unless `partial`, when the other rows are saved
and the conflicts counted as ignored.
"""

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.problems import Conflict, InvalidInput, field_error
from services.goals.imports.parsing import RawRow
from services.goals.imports.schemas import (
    MAX_ROWS,
    ConflictType,
    ImportConflict,
    ImportRow,
    ImportStatus,
    ImportSummary,
)
from services.goals.indicators import repository as indicators
from services.goals.indicators.measures import Measure, Value, parse_value
from services.goals.indicators.models import Indicator
from services.goals.plans import repository as plans
from services.goals.plans.models import Plan
from services.goals.problems import ReportExists
from services.goals.reports import repository as reports
from services.goals.reports.content import label
from services.goals.reports.models import Report
from services.goals.reports.schemas import ReportAction, ReportState
from services.goals.reports.service import bump, draft_of, record, report_exists

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_BOOLEANS = {"true": True, "false": False, "ja": True, "nej": False, "1": True, "0": False}


class RowConflict(Exception):
    """A row that cannot be imported: why, and the field and value that are wrong."""

    def __init__(
        self, kind: ConflictType, reason: str, field: str | None = None, value: object = None
    ) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.field = field
        self.value = value


@dataclass
class Outcome:
    """The import worked out row by row, before anything is written."""

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    conflicts: list[ImportConflict] = field(default_factory=list)
    changes: dict[tuple[int, str], dict[int, Value]] = field(
        default_factory=lambda: defaultdict(dict)
    )


def typed_row(raw: RawRow) -> ImportRow:
    """The row with its fields checked; a conflict says which field is wrong."""
    fields = raw.fields
    if not isinstance(fields, dict):
        raise RowConflict(ConflictType.invalid_row, "a row must be an object")
    if raw.from_csv and fields.get("_extra_cells"):
        raise RowConflict(
            ConflictType.invalid_row, "the row has more cells than the header has columns"
        )
    if raw.from_csv:
        fields = {
            name: int(cell) if name in ("year", "indicator_id") and _INTEGER.match(cell) else cell
            for name, cell in fields.items()
            if cell is not None
        }
    try:
        return ImportRow.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "row"
        raise RowConflict(
            ConflictType.invalid_row, f"{where}: {error['msg']}", where, error.get("input")
        ) from None


def _from_text(indicator: Indicator, row: ImportRow) -> dict[str, object]:
    """A CSV row's cells as the values they stand for, by the indicator's measure."""
    given: dict[str, object] = row.model_dump(include={"value", "numerator", "denominator", "text"})
    for name in ("numerator", "denominator") + (
        ("value",) if indicator.measure == Measure.count_ else ()
    ):
        cell = given[name]
        if isinstance(cell, str) and _INTEGER.match(cell):
            given[name] = int(cell)
    cell = given["value"]
    if indicator.measure == Measure.boolean and isinstance(cell, str):
        given["value"] = _BOOLEANS.get(cell.lower(), cell)
    return given


@dataclass(frozen=True)
class Context:
    """What the rows refer to, loaded once for the whole import."""

    plans: dict[tuple[str, int], Plan]
    indicators: dict[int, Indicator]
    reports: dict[tuple[int, str], Report]
    values: dict[int, dict[int, Value]]


async def load_context(session: AsyncSession, rows: list[ImportRow], *, lock: bool) -> Context:
    found_plans = await plans.plans_for(session, [(row.county_code, row.year) for row in rows])
    keys = [
        (found_plans[(row.county_code, row.year)].id, row.period)
        for row in rows
        if (row.county_code, row.year) in found_plans
    ]
    found_reports = await reports.reports_for(session, keys, lock=lock)
    return Context(
        plans=found_plans,
        indicators=await indicators.by_ids(session, [row.indicator_id for row in rows]),
        reports=found_reports,
        values=await reports.values_of(session, [r.id for r in found_reports.values()]),
    )


def plan_of(row: ImportRow, context: Context) -> Plan:
    """The county's plan for the row's year, with the row's period in that year."""
    plan = context.plans.get((row.county_code, row.year))
    if plan is None:
        raise RowConflict(
            ConflictType.unknown_plan,
            f"county {row.county_code} has no plan for {row.year}",
            "county_code",
            row.county_code,
        )
    if row.period[:4] != str(row.year):
        raise RowConflict(
            ConflictType.invalid_period,
            f"period {row.period} is not in {row.year}",
            "period",
            row.period,
        )
    return plan


def indicator_of(
    row: ImportRow, plan: Plan, context: Context, taken: Mapping[int, Value]
) -> Indicator:
    """The plan's indicator the row names, not given by an earlier row of its report."""
    indicator = context.indicators.get(row.indicator_id)
    if indicator is None or indicator.plan_id != plan.id:
        raise RowConflict(
            ConflictType.unknown_indicator,
            f"indicator {row.indicator_id} is not in county {row.county_code}'s {row.year} plan",
            "indicator_id",
            row.indicator_id,
        )
    if indicator.id in taken:
        raise RowConflict(
            ConflictType.duplicate_row,
            f"an earlier row gives {label(indicator)} already",
            "indicator_id",
            row.indicator_id,
        )
    return indicator


def open_report(row: ImportRow, plan: Plan, context: Context) -> Report | None:
    """The row's report if there is one; an approved report is locked."""
    report = context.reports.get((plan.id, row.period))
    if report is not None and report.state == ReportState.approved:
        raise RowConflict(
            ConflictType.report_locked,
            f"report {report.id} (county {row.county_code}, {row.period}) is approved and locked",
            "period",
            row.period,
        )
    return report


def value_of(row: ImportRow, raw: RawRow, indicator: Indicator) -> Value:
    """The row's value, of the indicator's measure (a CSV cell read as what it stands for)."""
    given = _from_text(indicator, row) if raw.from_csv else row.model_dump(exclude=_KEYS)
    try:
        return parse_value(indicator.measure, given)
    except ValueError as exc:
        present = {name: raw for name, raw in given.items() if raw is not None}
        value_field = _VALUE_FIELD[indicator.measure]
        raise RowConflict(
            ConflictType.invalid_value, f"{label(indicator)} is {exc}", value_field, present
        ) from None


def check_row(row: ImportRow, raw: RawRow, context: Context, outcome: Outcome) -> None:
    """Count the row as imported, updated or ignored, or raise its conflict."""
    plan = plan_of(row, context)
    key = (plan.id, row.period)
    indicator = indicator_of(row, plan, context, outcome.changes.get(key, {}))
    report = open_report(row, plan, context)
    value = value_of(row, raw, indicator)
    existing = context.values.get(report.id, {}).get(indicator.id) if report else None
    outcome.changes[key][indicator.id] = value
    if existing is None:
        outcome.imported += 1
    elif existing == value:
        outcome.ignored += 1
    else:
        outcome.updated += 1


_KEYS = {"county_code", "year", "period", "indicator_id"}
_VALUE_FIELD: dict[str, str] = {
    Measure.count_: "value",
    Measure.percentage: "numerator+denominator",
    Measure.boolean: "value",
    Measure.text: "text",
}


def work_out(raw_rows: list[RawRow], rows: dict[int, ImportRow], context: Context) -> Outcome:
    outcome = Outcome()
    for raw in raw_rows:
        try:
            row = rows.get(raw.number)
            if row is None:
                row = typed_row(raw)
            check_row(row, raw, context, outcome)
        except RowConflict as conflict:
            outcome.ignored += 1
            outcome.conflicts.append(
                ImportConflict(
                    row=raw.number,
                    type=conflict.kind,
                    field=conflict.field,
                    value=conflict.value,
                    reason=conflict.reason,
                )
            )
    return outcome


async def apply(
    session: AsyncSession, *, principal: Principal, context: Context, outcome: Outcome
) -> None:
    """Write the changes: new drafts where needed, values set, one history entry per report."""
    for (plan_id, period), changes in outcome.changes.items():
        report = context.reports.get((plan_id, period))
        current = context.values.get(report.id, {}) if report else {}
        changed = {key: value for key, value in changes.items() if current.get(key) != value}
        if not changed:
            continue
        from_state = report.state if report else None
        if report is None:
            report = draft_of(plan_id, period, principal=principal)
            await reports.add_report(session, report, exists=report_exists(plan_id, period))
        else:
            bump(report)
        await reports.save_values(session, report.id, changed)
        record(
            session,
            report=report,
            principal=principal,
            action=ReportAction.import_,
            from_state=from_state,
        )


def _status(outcome: Outcome) -> ImportStatus:
    """success: no conflicts; warning: some rows taken (partial); error: not one row taken."""
    if not outcome.conflicts:
        return ImportStatus.success
    taken = outcome.imported + outcome.updated + outcome.ignored - len(outcome.conflicts)
    return ImportStatus.warning if taken else ImportStatus.error


def summary(outcome: Outcome, *, dry_run: bool, partial: bool) -> ImportSummary:
    return ImportSummary(
        status=_status(outcome),
        dry_run=dry_run,
        partial=partial,
        imported=outcome.imported,
        updated=outcome.updated,
        ignored=outcome.ignored,
        conflicts=outcome.conflicts,
    )


def rejected(outcome: Outcome, total: int, *, dry_run: bool, partial: bool) -> InvalidInput:
    """The 422 of an import with conflicts: nothing saved, every row ignored. The problem
    carries the import summary's fields (its `status` is the HTTP status, 422)."""
    first = outcome.conflicts[0]
    return InvalidInput(
        f"{len(outcome.conflicts)} of {total} rows cannot be imported (row {first.row}: "
        f"{first.reason}); nothing was imported. Send ?partial=true to import the others.",
        errors=[
            {
                "row": conflict.row,
                "field": conflict.field,
                "value": conflict.value,
                "message": conflict.reason,
            }
            for conflict in outcome.conflicts
        ],
        dry_run=dry_run,
        partial=partial,
        imported=0,
        updated=0,
        ignored=total,
        conflicts=[conflict.model_dump() for conflict in outcome.conflicts],
    )


async def import_rows(
    session: AsyncSession,
    *,
    principal: Principal,
    raw_rows: list[RawRow],
    partial: bool,
    dry_run: bool,
) -> ImportSummary:
    """Import the rows (admin): all or nothing, or the good ones when `partial`."""
    if not raw_rows or len(raw_rows) > MAX_ROWS:
        raise InvalidInput(
            f"An import has 1 to {MAX_ROWS} rows, not {len(raw_rows)}.",
            errors=[field_error("body.rows", f"1 to {MAX_ROWS} rows", None)],
        )
    rows: dict[int, ImportRow] = {}
    for raw in raw_rows:
        try:
            rows[raw.number] = typed_row(raw)
        except RowConflict:
            continue  # reported by work_out, in row order
    context = await load_context(session, list(rows.values()), lock=not dry_run)
    outcome = work_out(raw_rows, rows, context)
    if outcome.conflicts and not partial:
        raise rejected(outcome, len(raw_rows), dry_run=dry_run, partial=partial)
    if not dry_run:
        try:
            await apply(session, principal=principal, context=context, outcome=outcome)
        except (IntegrityError, ReportExists) as exc:
            # another request wrote one of these reports meanwhile: the whole import must retry
            raise Conflict("Another request wrote these reports at the same time; retry.") from exc
    return summary(outcome, dry_run=dry_run, partial=partial)
