"""Indicators as a plan declares them and as the API shows them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.goals.indicators.measures import (
    Direction,
    Measure,
    Reference,
    Scalar,
    Shown,
    show_reference,
)
from services.goals.indicators.models import Indicator


class IndicatorCreate(BaseModel):
    """An indicator of one of the plan's goals, with its measure, baseline and target."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "goal_code": "K1",
                    "name": "Kommuner med samverkansavtal",
                    "measure": "count",
                    "direction": "increase",
                    "unit": "kommuner",
                    "baseline": 4,
                    "target": 12,
                },
                {
                    "goal_code": "K2",
                    "name": "Andel kommuner med uppföljningsrutin",
                    "measure": "percentage",
                    "direction": "increase",
                    "unit": "%",
                    "baseline": 25,
                    "target": 75.5,
                },
            ]
        },
    )

    goal_code: str = Field(max_length=16, description="A goal of the plan.")
    name: str = Field(min_length=1, max_length=200, description="Unique within the goal.")
    measure: Measure = Field(description="`count`, `percentage`, `boolean` or `text`.")
    direction: Direction | None = Field(
        default=None,
        description="Which way is better: required for count and percentage.",
    )
    unit: str | None = Field(default=None, max_length=50, description="What is counted.")
    baseline: Scalar = Field(
        default=None,
        description="Starting point, of the measure's kind: a whole number (count), per cent "
        "0–100 with at most two decimals (percentage), true/false (boolean), a text (text).",
    )
    target: Scalar = Field(default=None, description="Target, of the same kind as the baseline.")


INDICATOR_EXAMPLE: JsonDict = {
    "id": 7,
    "plan_id": 3,
    "goal_code": "K2",
    "name": "Andel kommuner med uppföljningsrutin",
    "measure": "percentage",
    "direction": "increase",
    "unit": "%",
    "national_code": None,
    "baseline": 25.0,
    "target": 75.5,
    "created_at": "2019-03-01T09:00:00Z",
}


class IndicatorRead(BaseModel):
    """An indicator of a plan."""

    model_config = ConfigDict(json_schema_extra={"examples": [INDICATOR_EXAMPLE]})

    id: int
    plan_id: int
    goal_code: str
    name: str
    measure: Measure
    direction: Direction | None
    unit: str | None
    national_code: str | None = Field(
        description="The national indicator it was taken from (GET /national-indicators/{code}); "
        "null for the county's own."
    )
    baseline: Shown
    target: Shown
    created_at: datetime

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorRead:
        return cls.model_validate(
            {
                "id": indicator.id,
                "plan_id": indicator.plan_id,
                "goal_code": indicator.goal_code,
                "name": indicator.name,
                "measure": indicator.measure,
                "direction": indicator.direction,
                "unit": indicator.unit,
                "national_code": indicator.national_code,
                "baseline": shown_baseline(indicator),
                "target": shown_target(indicator),
                "created_at": indicator.created_at,
            }
        )


def shown_baseline(indicator: Indicator) -> bool | int | Decimal | str | None:
    """The indicator's baseline as the API shows it."""
    reference = Reference(
        indicator.baseline_number, indicator.baseline_flag, indicator.baseline_text
    )
    return show_reference(indicator.measure, reference)


def shown_target(indicator: Indicator) -> bool | int | Decimal | str | None:
    """The indicator's target as the API shows it."""
    reference = Reference(indicator.target_number, indicator.target_flag, indicator.target_text)
    return show_reference(indicator.measure, reference)
