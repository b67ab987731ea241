"""Reporting periods and the 21 counties' reporting status as the API shows them."""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.goals.reports.schemas import Period


class CountyState(StrEnum):
    """Where a county is in a period: no plan for its year, a plan but no report, the
    report's state, or overdue (past the deadline, not submitted or approved)."""

    no_plan = "no_plan"
    plan = "plan"
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    approved = "approved"
    overdue = "overdue"


class PeriodCreate(BaseModel):
    """A reporting period with its deadline."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"period": "2019H1", "deadline": "2019-08-31T23:59:59Z"}]},
    )

    period: Period
    deadline: AwareDatetime = Field(description="Reports are due by then (RFC 3339, with zone).")


class PeriodRead(BaseModel):
    """A reporting period."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "period": "2019H1",
                    "deadline": "2019-08-31T23:59:59Z",
                    "created_by": "kvf_3f9a1c2b7d4e5f60",
                    "created_at": "2019-02-15T09:00:00Z",
                }
            ]
        },
    )

    period: str
    deadline: datetime
    created_by: str
    created_at: datetime


class CountyStatus(BaseModel):
    """One county in the period."""

    county_code: str
    county_name: str
    state: CountyState = Field(description="`overdue` once the deadline has passed unreported.")
    stage: CountyState = Field(description="The state leaving the deadline aside (never overdue).")
    plan_id: int | None
    report_id: int | None


_STATUS_EXAMPLE: JsonDict = {
    "period": "2019H1",
    "deadline": "2019-08-31T23:59:59Z",
    "past_deadline": True,
    "counties_total": 21,
    "counts": {
        "no_plan": 0,
        "plan": 0,
        "draft": 0,
        "submitted": 1,
        "returned": 0,
        "approved": 18,
        "overdue": 2,
    },
    "counties": [
        {
            "county_code": "01",
            "county_name": "Stockholms län",
            "state": "approved",
            "stage": "approved",
            "plan_id": 3,
            "report_id": 11,
        }
    ],
}


class ReportingStatus(BaseModel):
    """The counties' states in one period, with how many are in each."""

    model_config = ConfigDict(json_schema_extra={"examples": [_STATUS_EXAMPLE]})

    period: str
    deadline: datetime
    past_deadline: bool
    counties_total: int = Field(description="How many counties the list covers (21 for admin).")
    counts: dict[CountyState, int] = Field(description="Counties in each state (every state).")
    counties: list[CountyStatus]
