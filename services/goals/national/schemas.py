"""National indicators as an admin defines them and as the API shows them, and a plan's
request to take one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.goals.indicators.measures import Direction, Measure, Scalar

NATIONAL_CODE = r"^[A-Z][A-Z0-9]{0,3}(-[A-Z0-9]{1,20}){1,3}$"
"""A national indicator's code: its goal's, a hyphen and a short name, `K1-UTVLEDARE`."""

ProgrammeGoal = Literal["A1", "A2", "A3", "K1", "K2", "K3", "K4", "K5"]
"""The programme's goals, which national indicators measure (a county's own goal never)."""

_RULES: JsonDict = {
    "allOf": [
        {
            "if": {
                "properties": {"measure": {"enum": ["count", "percentage"]}},
                "required": ["measure"],
            },
            "then": {
                "required": ["direction"],
                "properties": {"direction": {"enum": ["increase", "decrease"]}},
            },
        },
        {
            "if": {
                "properties": {"measure": {"enum": ["count", "boolean", "text"]}},
                "required": ["measure"],
            },
            "then": {
                "properties": {"numerator": {"type": "null"}, "denominator": {"type": "null"}}
            },
        },
    ]
}
"""A count or percentage has a direction; only a percentage has numerator and denominator."""

_EXAMPLE: JsonDict = {
    "code": "K2-UTVLEDARE",
    "goal_code": "K2",
    "name": "Utvecklingsledare för kvinnofrid anställd vid RSS",
    "name_en": "Development lead for kvinnofrid employed in the RSS",
    "measure": "boolean",
    "direction": None,
    "unit": None,
    "numerator": None,
    "denominator": None,
}


class NationalIndicatorCreate(BaseModel):
    """A national indicator of a programme goal (A1–A3, K1–K5)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [_EXAMPLE], **_RULES},
    )

    code: str = Field(pattern=NATIONAL_CODE, max_length=32, description="Unique code.")
    goal_code: ProgrammeGoal = Field(description="The programme goal it measures (A1–A3, K1–K5).")
    name: str = Field(min_length=1, max_length=200, description="Swedish name.")
    name_en: str | None = Field(default=None, max_length=200, description="English name.")
    measure: Measure = Field(description="`count`, `percentage`, `boolean` or `text`.")
    direction: Direction | None = Field(
        default=None, description="Which way is better: required for count and percentage."
    )
    unit: str | None = Field(default=None, max_length=50, description="What is counted.")
    numerator: str | None = Field(
        default=None,
        max_length=500,
        description="Percentage only: what the numerator counts.",
    )
    denominator: str | None = Field(
        default=None,
        max_length=500,
        description="Percentage only: what the denominator counts.",
    )


class NationalIndicatorRead(BaseModel):
    """A national indicator of the catalogue."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{**_EXAMPLE, "created_at": "2019-02-06T09:00:00Z"}]},
    )

    code: str
    goal_code: str
    name: str
    name_en: str | None
    measure: Measure
    direction: Direction | None
    unit: str | None
    numerator: str | None = Field(description="Percentage: what the numerator counts.")
    denominator: str | None = Field(description="Percentage: what the denominator counts.")
    created_at: datetime


class NationalTake(BaseModel):
    """A national indicator taken into the plan, with the county's baseline and target."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"code": "K1-HANDLPLAN", "baseline": 4, "target": 12}]},
    )

    code: str = Field(max_length=32, description="The national indicator's code.")
    baseline: Scalar = Field(
        default=None, description="The county's starting point, of the measure's kind."
    )
    target: Scalar = Field(default=None, description="The county's target, of the same kind.")
