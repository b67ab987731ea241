"""A report's content, checked against its plan: values per indicator, narratives per goal."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from common.problems import InvalidInput, field_error
from services.goals.indicators import repository as indicators
from services.goals.indicators.measures import Value, parse_value, shown_value
from services.goals.indicators.models import Indicator
from services.goals.plans import repository as plans
from services.goals.plans.models import Plan
from services.goals.reports.schemas import NarrativeIn, NarrativeRead, ValueIn, ValueRead

Errors = list[dict[str, Any]]
Key = TypeVar("Key")
Item = TypeVar("Item")


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
        errors.append(field_error(location, message, entry.model_dump(mode="json")))
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
        value = entry.model_dump(mode="json")
        errors.append(field_error(f"body.narratives[{position}]", message, value))
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


def present(entries: Mapping[Key, Item | None]) -> dict[Key, Item]:
    """The entries that are set (a None removes one)."""
    return {key: item for key, item in entries.items() if item is not None}


@dataclass(frozen=True)
class Content:
    """Values and narratives checked against the plan (None where an entry removes one)."""

    indicators: dict[int, Indicator]
    values: dict[int, Value | None]
    narratives: dict[str, str | None]

    def changes_something(self) -> bool:
        return bool(self.values or self.narratives)


async def plan_indicators(session: AsyncSession, plan: Plan) -> dict[int, Indicator]:
    """The plan's indicators by id."""
    found = await indicators.of_plans(session, [plan.id])
    return {indicator.id: indicator for indicator in found[plan.id]}


async def checked_content(
    session: AsyncSession,
    plan: Plan,
    *,
    values: Sequence[ValueIn],
    narratives: Sequence[NarrativeIn],
    removable: bool,
) -> Content:
    """The entries checked against the plan's indicators and goals: 422 naming each bad one."""
    by_id = await plan_indicators(session, plan)
    goal_codes = (await plans.goal_codes(session, [plan.id]))[plan.id]
    checked_values, errors = check_values(values, by_id, removable=removable)
    checked_narratives, narrative_errors = check_narratives(
        narratives, goal_codes, removable=removable
    )
    errors += narrative_errors
    if errors:
        raise InvalidInput(detail_of(errors), errors=errors)
    return Content(by_id, checked_values, checked_narratives)
