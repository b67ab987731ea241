"""Progress as a table: one row per county × indicator, with the comparison columns, for
`GET /progress` as CSV (common.csvfile makes it safe to open, and Swedish Excel's variant)."""

from collections.abc import Iterator, Sequence
from decimal import Decimal

from services.goals.progress.schemas import (
    CountyProgress,
    GoalProgress,
    IndicatorProgress,
    ProgressRead,
)

CSV_HEADER = (
    "year",
    "goal_code",
    "national_code",
    "indicator",
    "measure",
    "unit",
    "direction",
    "county_code",
    "county_name",
    "period",
    "version",
    "value",
    "numerator",
    "denominator",
    "text",
    "baseline",
    "target",
    "change",
    "vs_baseline",
    "vs_target",
    "national_value",
    "national_counties",
    "of",
    "vs_national",
    "pending_period",
    "pending_value",
)


def _cell(value: object) -> object:
    """A value as the table writes it: yes/no as `true`/`false` (as in JSON), enums by value,
    numbers as they are (csvfile gives Excel its decimal comma)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | str) or value is None:
        return value
    return str(value)


def _row(
    year: int, goal: GoalProgress, indicator: IndicatorProgress, county: CountyProgress
) -> list[object]:
    latest, pending, summary = county.latest, county.pending, indicator.aggregate
    national = indicator.national_code is not None and summary is not None
    cells: list[object] = [
        year,
        goal.goal_code,
        indicator.national_code,
        indicator.name,
        indicator.measure.value,
        indicator.unit,
        indicator.direction.value if indicator.direction else None,
        county.county_code,
        county.county_name,
        latest.period if latest else None,
        latest.version if latest else None,
        latest.value if latest else None,
        latest.numerator if latest else None,
        latest.denominator if latest else None,
        latest.text if latest else None,
        county.baseline,
        county.target,
        county.change,
        county.vs_baseline.value if county.vs_baseline else None,
        county.vs_target.value if county.vs_target else None,
        county.national_value,
        summary.counties if national and summary else None,
        summary.of if national and summary else None,
        county.vs_national.value if county.vs_national else None,
        pending.period if pending else None,
        pending.value if pending else None,
    ]
    return [_cell(cell) for cell in cells]


def csv_rows(progress: ProgressRead) -> Iterator[Sequence[object]]:
    """The progress as CSV rows, the header first: exactly the county rows of the JSON (so a
    reader's hold approved values only), goal by goal, indicator by indicator."""
    yield CSV_HEADER
    for goal in progress.goals:
        for indicator in goal.indicators:
            for county in indicator.counties:
                yield _row(progress.year, goal, indicator, county)
