"""Progress per goal for one year, as the caller may see it.

- admin: every county, approved values and (as `pending`) values awaiting approval, and the
  counties without a plan, a submitted or an approved report;
- rss: the counts, the aggregates and national figures over all counties, the counties
  without an approved report, its own county's rows (with pending);
- reader: approved figures only: counts of approved reports and the counties without one,
  approved values and their aggregates; plan and submission counts are null, pending values
  never shown.

Counts are of the 21 counties; each county's value is compared with its baseline, its target
and (national indicators) the national figure, see `comparison`.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.reference import COUNTIES
from services.goals.catalogue import repository as catalogue
from services.goals.catalogue.models import Goal
from services.goals.indicators import repository as indicators
from services.goals.indicators.measures import (
    HUNDREDTH,
    NUMERIC_MEASURES,
    Direction,
    Measure,
    Value,
    percent,
    shown_value,
)
from services.goals.indicators.models import Indicator
from services.goals.indicators.schemas import shown_baseline, shown_target
from services.goals.plans import repository as plans
from services.goals.plans.models import Plan
from services.goals.progress import comparison
from services.goals.progress.schemas import (
    Aggregate,
    CountyName,
    CountyProgress,
    GoalProgress,
    IndicatorProgress,
    ProgressRead,
    ReportedValue,
)
from services.goals.reports import repository as reports
from services.goals.reports.models import Report
from services.goals.reports.schemas import ReportState
from services.goals.versions import repository as versions
from services.goals.versions.service import values_in

COUNTED = frozenset({ReportState.submitted, ReportState.approved})
"""The states whose reports count as submitted (an approved one was submitted first)."""
_HALF_RANK = {"H1": 1, "H2": 2, "": 3}  # a whole-year report is the latest word on its year


def period_key(period: str) -> tuple[int, int]:
    """Orders periods: 2019H1 < 2019H2 < 2019."""
    return int(period[:4]), _HALF_RANK[period[4:]]


@dataclass(frozen=True)
class YearData:
    """Everything the year's progress is made of."""

    plans: Sequence[Plan]
    goal_codes: dict[int, list[str]]
    indicators: dict[int, list[Indicator]]
    reports: dict[int, list[Report]]
    values: dict[int, dict[int, Value]]
    approved: dict[int, int]
    """Each ever-approved report's latest approved version number, by report id."""
    approved_values: dict[int, dict[int, Value]]
    """The values of that version, by report id and indicator id."""

    def was_approved(self, plan_id: int) -> bool:
        return any(report.id in self.approved for report in self.reports[plan_id])


@dataclass(frozen=True)
class Reported:
    """A value of an indicator and the report it is in."""

    report: Report
    value: Value
    version: int | None = None


async def load_year(session: AsyncSession, year: int) -> YearData:
    year_plans = await plans.plans_of_year(session, year)
    ids = [plan.id for plan in year_plans]
    by_plan: dict[int, list[Report]] = defaultdict(list)
    for report in await reports.reports_of_plans(session, ids):
        by_plan[report.plan_id].append(report)
    counted = [r.id for rs in by_plan.values() for r in rs if r.state in COUNTED]
    kept = await versions.latest_approved(session, [r.id for rs in by_plan.values() for r in rs])
    return YearData(
        plans=year_plans,
        goal_codes=await plans.goal_codes(session, ids),
        indicators=await indicators.of_plans(session, ids),
        reports=by_plan,
        values=await reports.values_of(session, counted),
        approved={report_id: version.number for report_id, version in kept.items()},
        approved_values={key: values_in(version.content) for key, version in kept.items()},
    )


def latest(data: YearData, indicator: Indicator, state: ReportState) -> Reported | None:
    """The indicator's value in the latest report of the plan in `state`; for `approved`,
    in the latest approved version of each report (so a reopened report's approved figure
    stands until a new one is approved)."""
    approved = state == ReportState.approved
    candidates = sorted(
        (
            r
            for r in data.reports[indicator.plan_id]
            if (r.id in data.approved if approved else r.state == state)
        ),
        key=lambda report: period_key(report.period),
        reverse=True,
    )
    source = data.approved_values if approved else data.values
    for report in candidates:
        value = source.get(report.id, {}).get(indicator.id)
        if value is not None:
            return Reported(report, value, data.approved.get(report.id) if approved else None)
    return None


def reported(indicator: Indicator, found: Reported | None) -> ReportedValue | None:
    if found is None:
        return None
    return ReportedValue(
        report_id=found.report.id,
        period=found.report.period,
        version=found.version,
        value=shown_value(indicator.measure, found.value),
        numerator=found.value.numerator,
        denominator=found.value.denominator,
        text=found.value.text_value,
    )


def against_target(indicator: Indicator, value: Value) -> tuple[int | Decimal | None, bool | None]:
    """Change from baseline, and whether the target is met, for a latest value."""
    if indicator.measure == Measure.boolean:
        wanted = indicator.target_flag
        return None, None if wanted is None else value.boolean_value == wanted
    if indicator.measure not in NUMERIC_MEASURES:
        return None, None
    shown = shown_value(indicator.measure, value)
    if not isinstance(shown, int | Decimal):
        return None, None
    baseline, target = indicator.baseline_number, indicator.target_number
    change: int | Decimal | None = None
    if baseline is not None:
        change = shown - int(baseline) if isinstance(shown, int) else shown - baseline
    if target is None:
        return change, None
    return change, shown <= target if indicator.direction == Direction.decrease else shown >= target


def _mean(numbers: Sequence[Decimal | None]) -> Decimal | None:
    """The mean to two decimals (half up, as per cents are); None when any is missing."""
    if not numbers or any(number is None for number in numbers):
        return None
    present = [number for number in numbers if number is not None]
    return (sum(present, Decimal(0)) / len(present)).quantize(HUNDREDTH, ROUND_HALF_UP)


def _sum(numbers: list[Decimal | None]) -> int | None:
    if not numbers or any(number is None for number in numbers):
        return None
    return sum(int(number) for number in numbers if number is not None)


def aggregate(measure: str, found: list[tuple[Indicator, Value]]) -> Aggregate | None:
    """Across counties: counts summed, percentages pooled and averaged, yes/no counted (and
    the share of counties saying yes), texts not at all."""
    if not found or measure == Measure.text:
        return None
    baselines = [indicator.baseline_number for indicator, _ in found]
    targets = [indicator.target_number for indicator, _ in found]
    values = [value for _, value in found]
    if measure == Measure.count_:
        total = sum(value.integer_value or 0 for value in values)
        return Aggregate(
            counties=len(found), value=total, baseline=_sum(baselines), target=_sum(targets)
        )
    if measure == Measure.percentage:
        fractions = [(value.numerator or 0, value.denominator or 1) for value in values]
        top = sum(numerator for numerator, _ in fractions)
        bottom = sum(denominator for _, denominator in fractions)
        exact = [
            Decimal(numerator) * 100 / Decimal(denominator) for numerator, denominator in fractions
        ]
        return Aggregate(
            counties=len(found),
            value=percent(top, bottom),
            numerator=top,
            denominator=bottom,
            mean=_mean(exact),
            baseline=_mean(baselines),
            target=_mean(targets),
        )
    yes = sum(1 for value in values if value.boolean_value)
    return Aggregate(
        counties=len(found),
        value=None,
        true_count=yes,
        false_count=len(found) - yes,
        share=percent(yes, len(found)),
    )


def _shows_county(principal: Principal, county_code: str) -> bool:
    return principal.role is not Role.rss or principal.county_code == county_code


def indicator_progress(
    principal: Principal, data: YearData, group: list[tuple[Plan, Indicator]]
) -> IndicatorProgress | None:
    """One indicator across counties; None when the caller may see nothing of it."""
    found = [(plan, i, latest(data, i, ReportState.approved)) for plan, i in group]
    first = group[0][1]
    summary = aggregate(first.measure, [(i, f.value) for _, i, f in found if f is not None])
    national = comparison.national_value(first, summary)
    reader = principal.role is Role.reader
    rows = [
        county_progress(data, plan, indicator, approved, national, pending=not reader)
        for plan, indicator, approved in found
        if _shows_county(principal, plan.county_code) and not (reader and approved is None)
    ]
    if not rows and summary is None:
        return None
    return IndicatorProgress(
        national_code=first.national_code,
        name=first.name,
        measure=first.measure,
        unit=first.unit,
        direction=first.direction,
        counties=sorted(rows, key=lambda row: row.county_code),
        aggregate=summary,
    )


def county_progress(
    data: YearData,
    plan: Plan,
    indicator: Indicator,
    found: Reported | None,
    national: int | Decimal | None,
    *,
    pending: bool,
) -> CountyProgress:
    """One county's row: its latest approved value against baseline, target and the national
    figure; with the value awaiting approval when `pending`."""
    change, reached = against_target(indicator, found.value) if found else (None, None)
    return CountyProgress(
        county_code=plan.county_code,
        county_name=COUNTIES[plan.county_code].name,
        indicator_id=indicator.id,
        baseline=shown_baseline(indicator),
        target=shown_target(indicator),
        latest=reported(indicator, found),
        change=change,
        target_reached=reached,
        pending=reported(indicator, latest(data, indicator, ReportState.submitted))
        if pending
        else None,
        vs_baseline=comparison.vs_baseline(indicator, found.value) if found else None,
        vs_target=comparison.vs_target(reached),
        national_value=national,
        vs_national=comparison.vs_national(indicator, found.value, national) if found else None,
    )


def group_key(indicator: Indicator) -> tuple[str, ...]:
    """Which indicators of different counties are one: a national indicator by its code,
    never by name; a county's own by name (case aside), measure and unit."""
    if indicator.national_code is not None:
        return ("national", indicator.national_code)
    return ("own", indicator.name.strip().casefold(), indicator.measure, indicator.unit or "")


def goal_progress(principal: Principal, data: YearData, goal: Goal) -> GoalProgress:
    """One goal: counties with a plan, a submitted and an approved report (of 21, naming the
    others); its indicators."""
    planned = [plan for plan in data.plans if goal.code in data.goal_codes[plan.id]]
    approved = {plan.county_code for plan in planned if data.was_approved(plan.id)}
    submitted = approved | {
        plan.county_code
        for plan in planned
        if any(report.state in COUNTED for report in data.reports[plan.id])
    }
    groups: dict[tuple[str, ...], list[tuple[Plan, Indicator]]] = defaultdict(list)
    for plan in planned:
        for indicator in data.indicators[plan.id]:
            if indicator.goal_code == goal.code:
                groups[group_key(indicator)].append((plan, indicator))
    progress = [indicator_progress(principal, data, group) for group in groups.values()]
    admin = principal.role is Role.admin
    reader = principal.role is Role.reader
    return GoalProgress(
        goal_code=goal.code,
        title=goal.title,
        title_en=goal.title_en,
        kind=goal.kind,
        counties_with_plan=None if reader else len(planned),
        counties_with_submitted_report=None if reader else len(submitted),
        counties_with_approved_report=len(approved),
        counties_without_plan=missing({plan.county_code for plan in planned}) if admin else None,
        counties_without_submitted_report=missing(submitted) if admin else None,
        counties_without_approved_report=missing(approved),
        indicators=[item for item in progress if item is not None],
    )


def missing(present: set[str]) -> list[CountyName]:
    """The counties of the 21 not in `present`, in code order."""
    return [
        CountyName(county_code=code, county_name=county.name)
        for code, county in COUNTIES.items()
        if code not in present
    ]


async def progress(
    session: AsyncSession, *, principal: Principal, year: int | None
) -> ProgressRead:
    """Progress of every goal the caller may see, for `year` (default: the latest planned)."""
    if year is None:
        year = await plans.latest_year(session) or datetime.now(UTC).year
    goals = await catalogue.visible_goals(session, principal=principal)
    data = await load_year(session, year)
    return ProgressRead(
        year=year,
        approved_only=principal.role is Role.reader,
        goals=[goal_progress(principal, data, goal) for goal in goals.values()],
    )
