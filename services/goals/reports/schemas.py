"""Reports as a county writes them and as the API shows them, with their history."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.config import JsonDict

from services.goals.indicators.measures import Measure, Scalar, Shown


class ReportState(StrEnum):
    """Where a report is: draft → submitted → approved, or submitted → returned."""

    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    returned = "returned"


class ReportAction(StrEnum):
    """What an entry of a report's history did."""

    create = "create"
    edit = "edit"
    import_ = "import"
    submit = "submit"
    approve = "approve"
    return_ = "return"
    reopen = "reopen"


PERIOD_PATTERN = r"^[0-9]{4}(H[12])?$"
Period = Annotated[
    str,
    Field(
        pattern=PERIOD_PATTERN,
        description="The plan's year (`2019`) or one of its halves (`2019H1`, `2019H2`).",
        examples=["2019H1"],
    ),
]


class ValueIn(BaseModel):
    """One indicator's value: `value` (count: whole number; boolean: true/false), `numerator`
    and `denominator` (percentage), or `text` (text). In a PATCH, an entry with none of them
    removes the indicator's value."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"indicator_id": 7, "value": 12}]}
    )

    indicator_id: int = Field(ge=1)
    value: Scalar = None
    numerator: Scalar = None
    denominator: Scalar = None
    text: Scalar = None


class NarrativeIn(BaseModel):
    """The narrative of one of the plan's goals. In a PATCH, `text: null` removes it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"goal_code": "K1", "text": "Samverkansavtal finns nu i åtta kommuner."}]
        },
    )

    goal_code: str = Field(max_length=16)
    text: str | None = Field(default=None, max_length=20_000)


VALUES_EXAMPLE: list[JsonValue] = [
    {"indicator_id": 7, "value": 12},
    {"indicator_id": 8, "numerator": 9, "denominator": 26},
]
NARRATIVES_EXAMPLE: list[JsonValue] = [
    {"goal_code": "K1", "text": "Samverkansavtal finns nu i åtta kommuner."}
]


class ReportCreate(BaseModel):
    """A draft report of a plan for one period."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "plan_id": 3,
                    "period": "2019H1",
                    "values": VALUES_EXAMPLE,
                    "narratives": NARRATIVES_EXAMPLE,
                }
            ]
        },
    )

    plan_id: int = Field(ge=1)
    period: Period
    values: list[ValueIn] = Field(default_factory=list, max_length=1000)
    narratives: list[NarrativeIn] = Field(default_factory=list, max_length=100)


class ReportPatch(BaseModel):
    """Changes to a draft or returned report: values and narratives are set per indicator and
    per goal; what is not named stays as it is."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"values": [{"indicator_id": 7, "value": 14}]}]},
    )

    values: list[ValueIn] | None = Field(default=None, max_length=1000)
    narratives: list[NarrativeIn] | None = Field(default=None, max_length=100)


VALUE_EXAMPLE: JsonDict = {
    "indicator_id": 8,
    "goal_code": "K2",
    "name": "Andel kommuner med uppföljningsrutin",
    "measure": "percentage",
    "value": 34.62,
    "numerator": 9,
    "denominator": 26,
    "text": None,
}


class ValueRead(BaseModel):
    """A reported value; for a percentage `value` is derived from numerator and denominator."""

    model_config = ConfigDict(json_schema_extra={"examples": [VALUE_EXAMPLE]})

    indicator_id: int
    goal_code: str
    name: str
    measure: Measure
    value: Shown
    numerator: int | None
    denominator: int | None
    text: str | None


class NarrativeRead(BaseModel):
    """The narrative of one goal."""

    model_config = ConfigDict(json_schema_extra={"examples": NARRATIVES_EXAMPLE})

    goal_code: str
    text: str


class EventRead(BaseModel):
    """One entry of a report's history: who, when, from which request, and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "action": "return",
                    "from_state": "submitted",
                    "to_state": "returned",
                    "version": 3,
                    "actor": "kvf_3f9a1c2b7d4e5f60",
                    "actor_role": "admin",
                    "request_id": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
                    "comment": "Värdet för K2 saknar nämnare.",
                    "occurred_at": "2019-08-20T13:45:00Z",
                }
            ]
        }
    )

    action: ReportAction
    from_state: ReportState | None
    to_state: ReportState
    version: int = Field(description="The report's version after this entry.")
    actor: str = Field(description="The API client that did it.")
    actor_role: str
    request_id: str | None
    comment: str | None = Field(description="The return comment or the reopening reason.")
    occurred_at: datetime


_REPORT_EXAMPLE: JsonDict = {
    "id": 11,
    "plan_id": 3,
    "county_code": "12",
    "year": 2019,
    "period": "2019H1",
    "state": "draft",
    "version": 1,
}


class ReportSummary(BaseModel):
    """A report in a list."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_REPORT_EXAMPLE, "updated_at": "2019-08-20T13:45:00Z"}]}
    )

    id: int
    plan_id: int
    county_code: str
    year: int
    period: str
    state: ReportState
    version: int = Field(description="Counts the report's changes; the ETag is this number.")
    updated_at: datetime


class ReportRead(ReportSummary):
    """A report with its values, narratives and history."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_REPORT_EXAMPLE,
                    "values": [VALUE_EXAMPLE],
                    "narratives": NARRATIVES_EXAMPLE,
                    "history": [
                        {
                            "action": "create",
                            "from_state": None,
                            "to_state": "draft",
                            "version": 1,
                            "actor": "kvf_3f9a1c2b7d4e5f60",
                            "actor_role": "rss",
                            "request_id": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
                            "comment": None,
                            "occurred_at": "2019-08-20T13:45:00Z",
                        }
                    ],
                    "created_at": "2019-08-20T13:45:00Z",
                    "updated_at": "2019-08-20T13:45:00Z",
                }
            ]
        }
    )

    values: list[ValueRead]
    narratives: list[NarrativeRead]
    history: list[EventRead]
    created_at: datetime


class ReportPreview(BaseModel):
    """What a dry run would save: nothing is stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": True,
                    **_REPORT_EXAMPLE,
                    "id": None,
                    "values": [VALUE_EXAMPLE],
                    "narratives": NARRATIVES_EXAMPLE,
                }
            ]
        }
    )

    dry_run: Literal[True] = True
    id: int | None = Field(description="None when the report would be new.")
    plan_id: int
    county_code: str
    year: int
    period: str
    state: ReportState
    version: int = Field(description="The version the report would have.")
    values: list[ValueRead]
    narratives: list[NarrativeRead]


class ReturnRequest(BaseModel):
    """Why the report goes back to the county."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"comment": "Värdet för K2 saknar nämnare."}]},
    )

    comment: str = Field(min_length=1, max_length=4000)


class ReopenRequest(BaseModel):
    """Why an approved report is opened again, and to which state (default `returned`)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"reason": "Länet har rättat antalet kommuner.", "to_state": "returned"}]
        },
    )

    reason: str = Field(min_length=1, max_length=4000)
    to_state: Literal[ReportState.draft, ReportState.returned] = ReportState.returned
