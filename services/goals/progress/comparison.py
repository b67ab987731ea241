"""How a county's latest approved value compares: with its baseline, its target, and the
national figure (a national indicator's aggregate over every county with an approved value)."""

from decimal import ROUND_HALF_UP, Decimal

from services.goals.indicators.measures import (
    HUNDREDTH,
    NUMERIC_MEASURES,
    Direction,
    Measure,
    Value,
    shown_value,
)
from services.goals.indicators.models import Indicator
from services.goals.progress.schemas import Aggregate, Comparison, TargetComparison

Figure = int | Decimal


def compare(value: Figure, other: Figure, direction: str | None) -> Comparison | None:
    """`value` beside `other`: better, same or worse in the direction (none without one)."""
    if value == other:
        return Comparison.same
    if direction is None:
        return None
    higher = value > other
    return Comparison.better if higher == (direction == Direction.increase) else Comparison.worse


def _number(indicator: Indicator, value: Value) -> Figure | None:
    if indicator.measure not in NUMERIC_MEASURES:
        return None
    shown = shown_value(indicator.measure, value)
    return shown if isinstance(shown, int | Decimal) and not isinstance(shown, bool) else None


def vs_baseline(indicator: Indicator, value: Value) -> Comparison | None:
    """Numbers by direction; yes/no: the same answer as the baseline, or else better when it
    is the target's answer and worse when not; texts never."""
    if indicator.measure == Measure.boolean:
        baseline, wanted = indicator.baseline_flag, indicator.target_flag
        if baseline is None or value.boolean_value is None:
            return None
        if value.boolean_value == baseline:
            return Comparison.same
        if wanted is None:
            return None
        return Comparison.better if value.boolean_value == wanted else Comparison.worse
    number = _number(indicator, value)
    if number is None or indicator.baseline_number is None:
        return None
    return compare(number, indicator.baseline_number, indicator.direction)


def vs_target(reached: bool | None) -> TargetComparison | None:
    """Whether the target is met, as a word."""
    if reached is None:
        return None
    return TargetComparison.met if reached else TargetComparison.not_met


def national_value(indicator: Indicator, summary: Aggregate | None) -> Figure | None:
    """The national figure a county's value is held against: for a national count the mean
    per county (the sum would dwarf every county), for a national percentage the pooled per
    cent; none for yes/no, texts and counties' own indicators."""
    if indicator.national_code is None or summary is None or summary.counties == 0:
        return None
    if indicator.measure == Measure.count_ and isinstance(summary.value, int):
        mean = Decimal(summary.value) / summary.counties
        return mean.quantize(HUNDREDTH, ROUND_HALF_UP)
    if indicator.measure == Measure.percentage and isinstance(summary.value, Decimal):
        return summary.value
    return None


def vs_national(indicator: Indicator, value: Value, national: Figure | None) -> Comparison | None:
    """The county's value beside the national figure, in the indicator's direction."""
    number = _number(indicator, value)
    if number is None or national is None:
        return None
    return compare(number, national, indicator.direction)
