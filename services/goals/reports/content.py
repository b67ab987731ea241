"""A report's content, checked against its plan: values per indicator, narratives per goal."""

from collections.abc import Mapping, Sequence
from typing import Any

from services.goals.indicators.measures import Value, parse_value, shown_value
from services.goals.indicators.models import Indicator
from services.goals.reports.schemas import NarrativeIn, NarrativeRead, ValueIn, ValueRead

Errors = list[dict[str, Any]]


def label(indicator: Indicator) -> str:
    """How a message names an indicator: `indicator 7 "Andel kommuner"`."""
    return f'indicator {indicator.id} "{indicator.name}"'


def check_values(
    entries: Sequence[ValueIn], indicators: Mapping[int, Indicator], *, removable: bool
) -> tuple[dict[int, Value | None], Errors]:
    """Each entry checked against its indicator's measure; None where an entry removes."""
    values: dict[int, Value | None] = {}
    errors: Errors = []
    for position, entry in enumerate(entries):
        location = f"body.values[{position}]"
        given = entry.model_dump(exclude={"indicator_id"})
        indicator = indicators.get(entry.indicator_id)
        if indicator is None:
            message = f"indicator {entry.indicator_id} is not an indicator of the report's plan"
        elif entry.indicator_id in values:
            message = f"{label(indicator)} is given more than once"
        elif removable and all(raw is None for raw in given.values()):
            values[indicator.id] = None
            continue
        else:
            try:
                values[indicator.id] = parse_value(indicator.measure, given)
                continue
            except ValueError as exc:
                message = f"{label(indicator)} is {exc}"
        errors.append(
            {"location": location, "message": message, "value": entry.model_dump(mode="json")}
        )
    return values, errors


def check_narratives(
    entries: Sequence[NarrativeIn], goal_codes: Sequence[str], *, removable: bool
) -> tuple[dict[str, str | None], Errors]:
    """Each narrative checked: a goal of the plan, once, with a text (or None to remove)."""
    narratives: dict[str, str | None] = {}
    errors: Errors = []
    for position, entry in enumerate(entries):
        code = entry.goal_code.strip().upper()
        text = entry.text.strip() if entry.text is not None else None
        if code not in goal_codes:
            message = f"{code} is not a goal of the report's plan"
        elif code in narratives:
            message = f"the narrative of {code} is given more than once"
        elif text is None and not removable:
            message = f"the narrative of {code} needs a text"
        elif text == "":
            message = f"the narrative of {code} is empty"
        else:
            narratives[code] = text
            continue
        errors.append(
            {
                "location": f"body.narratives[{position}]",
                "message": message,
                "value": entry.model_dump(mode="json"),
            }
        )
    return narratives, errors


def value_reads(
    values: Mapping[int, Value], indicators: Mapping[int, Indicator]
) -> list[ValueRead]:
    """The values as the API shows them, by indicator id."""
    return [
        ValueRead(
            indicator_id=indicator_id,
            goal_code=indicators[indicator_id].goal_code,
            name=indicators[indicator_id].name,
            measure=indicators[indicator_id].measure,
            value=shown_value(indicators[indicator_id].measure, value),
            numerator=value.numerator,
            denominator=value.denominator,
            text=value.text_value,
        )
        for indicator_id, value in sorted(values.items())
    ]


def narrative_reads(narratives: Mapping[str, str]) -> list[NarrativeRead]:
    return [NarrativeRead(goal_code=code, text=text) for code, text in sorted(narratives.items())]


def detail_of(errors: Errors) -> str:
    """A problem's detail from its errors: the first few messages."""
    shown = "; ".join(error["message"] for error in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"The report has invalid entries: {shown}{more}."
