"""Plans as a county asks for them and as the API shows them."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from common.reference import CountyCode
from services.goals.indicators.schemas import INDICATOR_EXAMPLE, IndicatorRead

REQUIRED_GOALS = ("K1", "K2")
"""The goals every county's plan has."""


class PlanCreate(BaseModel):
    """A county's plan for one year; it must include K1 and K2."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2", "K5"]}]
        },
    )

    county_code: CountyCode
    year: int = Field(ge=2018, le=2100, description="The plan's year.")
    goal_codes: list[str] = Field(
        min_length=1,
        max_length=50,
        description="The plan's goals: K1 and K2, and any of K3–K5, A1–A3 or the county's own.",
        json_schema_extra={"allOf": [{"contains": {"const": code}} for code in REQUIRED_GOALS]},
    )


class PlanCopy(BaseModel):
    """A new year's plan of the same county, starting from a copy of this one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": 2020}]})

    year: int = Field(ge=2018, le=2100, description="The new plan's year, after the copied one's.")


class PlanRead(BaseModel):
    """A county's plan for a year: its goals and indicators."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "county_code": "12",
                    "year": 2019,
                    "goal_codes": ["K1", "K2", "K5"],
                    "indicators": [INDICATOR_EXAMPLE],
                    "created_at": "2019-02-15T09:00:00Z",
                }
            ]
        }
    )

    id: int
    county_code: str
    year: int
    goal_codes: list[str]
    indicators: list[IndicatorRead]
    created_at: datetime
