"""Bodies of a grant as a case: a call's changes and follow-up rounds, an application's
withdrawal and its use-of-funds reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from common.input import Integral, Rfc3339
from common.reference import SchoolUnitCode
from services.funding.grants.schemas import ReportState
from services.funding.money import OreOrZero

Moment = Annotated[AwareDatetime, Rfc3339]
Count = Annotated[int, Strict(), Field(ge=0, le=1_000_000), Integral]
REASON = Field(min_length=1, max_length=5_000, description="Why: kept with the change.")


class CallUpdate(BaseModel):
    """The fields to change (each left out stays as it is) and, always, the `reason`. A
    field that may be empty (`description`, `methods`, `report_due_at`) is emptied with
    null; the others take a value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "closes_at": "2019-10-15T00:00:00+02:00",
                    "reason": "Förlängd ansökningstid efter önskemål från kommunerna.",
                }
            ]
        },
    )

    # These always have a value: null is not in their schema, and refused (422).
    title: (
        Annotated[str, StringConstraints(min_length=1, max_length=200)] | SkipJsonSchema[None]
    ) = Field(default=None, description="The call's title.")
    description: str | None = Field(
        default=None, max_length=10_000, description="The call's text (null empties it)."
    )
    methods: str | None = Field(
        default=None, max_length=500, description="The methods it funds (null empties it)."
    )
    opens_at: Moment | SkipJsonSchema[None] = Field(
        default=None,
        description="A new opening time; only while the call has no application.",
        examples=["2019-06-10T00:00:00+02:00"],
    )
    closes_at: Moment | SkipJsonSchema[None] = Field(
        default=None,
        description="A new closing time; earlier only while the call has no application.",
        examples=["2019-10-15T00:00:00+02:00"],
    )
    report_due_at: Moment | None = Field(
        default=None,
        description="When the use-of-funds reports are due; after `closes_at`.",
        examples=["2020-12-31T00:00:00+01:00"],
    )
    requires_interest: bool | SkipJsonSchema[None] = Field(
        default=None, description="An application needs an expression of interest first."
    )
    rolling: bool | SkipJsonSchema[None] = Field(
        default=None, description="Decisions may be made while the call is open."
    )
    reason: str = REASON


class CallChangeRead(BaseModel):
    """One change of a call: the fields' earlier and new values, by whom, when, why."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "call_id": 1,
                    "before": {"closes_at": "2019-09-30T22:00:00Z"},
                    "after": {"closes_at": "2019-10-14T22:00:00Z"},
                    "reason": "Förlängd ansökningstid efter önskemål från kommunerna.",
                    "actor": "kvf_3f9a1c2b7d4e5f60",
                    "request_id": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
                    "created_at": "2019-09-20T09:30:00Z",
                }
            ]
        },
    )

    id: int
    call_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    actor: str
    request_id: str | None
    created_at: datetime


class WithdrawalCreate(BaseModel):
    """Withdraw an application before it is decided."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Skolan hinner inte börja i höst."}]},
    )

    reason: str = Field(min_length=1, max_length=5_000, description="Why it is withdrawn.")


class ReportCreate(BaseModel):
    """A structured use-of-funds report: the amount used, the schools, the staff and pupils
    reached, the method, what was done and what comes next; to a follow-up round when
    `follow_up_round` is given."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "used_amount_ore": 18000000,
                    "school_unit_codes": ["12345678", "23456789"],
                    "staff_count": 12,
                    "pupil_count": 340,
                    "method": "MVP",
                    "activities": "12 lärare utbildade till mentorer; 340 elever i åk 7-9.",
                    "next_steps": "MVP införs i åk 7 varje höst.",
                }
            ]
        },
    )

    used_amount_ore: OreOrZero = Field(description="What was used of the grant, in öre.")
    school_unit_codes: list[SchoolUnitCode] = Field(
        min_length=1, max_length=100, description="The schools (school unit codes) that took part."
    )
    staff_count: Count = Field(description="How many staff were reached.")
    pupil_count: Count = Field(description="How many pupils were reached.")
    method: str = Field(min_length=1, max_length=200, description="The method used.")
    activities: str = Field(min_length=1, max_length=50_000, description="What was done.")
    next_steps: str = Field(min_length=1, max_length=50_000, description="What comes next.")
    follow_up_round: Annotated[int, Strict(), Field(ge=1, le=100), Integral] | None = Field(
        default=None, description="The call's follow-up round reported to (else the grant's)."
    )


class ReportReview(BaseModel):
    """An admin's approval of a report, with an optional comment."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"comment": "Tack, godkänd."}]}
    )

    comment: str | None = Field(
        default=None, min_length=1, max_length=5_000, description="A comment kept with it."
    )


class ReportReturn(BaseModel):
    """An admin's return of a report, with what the organiser must change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"comment": "Ange antal elever per skola."}]},
    )

    comment: str = Field(min_length=1, max_length=5_000, description="What must change.")


class ReportRead(BaseModel):
    """A use-of-funds report and its review; `late` when submitted after its deadline."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": 1,
                    "application_id": 12,
                    "follow_up_round": None,
                    "used_amount_ore": 18000000,
                    "school_unit_codes": ["12345678", "23456789"],
                    "staff_count": 12,
                    "pupil_count": 340,
                    "method": "MVP",
                    "activities": "12 lärare utbildade till mentorer; 340 elever i åk 7-9.",
                    "next_steps": "MVP införs i åk 7 varje höst.",
                    "state": "approved",
                    "late": False,
                    "review_comment": None,
                    "reviewed_by": "kvf_3f9a1c2b7d4e5f60",
                    "reviewed_at": "2020-11-02T10:00:00Z",
                    "created_by": "kvf_9a8b7c6d5e4f3a2b",
                    "created_at": "2020-10-20T13:00:00Z",
                }
            ]
        }
    )

    number: int
    application_id: int
    follow_up_round: int | None
    used_amount_ore: int
    school_unit_codes: list[str]
    staff_count: int
    pupil_count: int
    method: str
    activities: str
    next_steps: str
    state: ReportState
    late: bool
    review_comment: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    created_by: str
    created_at: datetime


class FollowUpCreate(BaseModel):
    """A follow-up round for the call's granted organisers, with its own deadline."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Uppföljning 2021", "due_at": "2021-05-31T00:00:00+02:00"}]
        },
    )

    title: str = Field(min_length=1, max_length=200, description="The round's title.")
    due_at: Moment = Field(
        description="When its reports are due; after the call closes.",
        examples=["2021-05-31T00:00:00+02:00"],
    )


_FOLLOW_UP: dict[str, Any] = {
    "call_id": 1,
    "round": 1,
    "title": "Uppföljning 2021",
    "due_at": "2021-05-30T22:00:00Z",
    "created_by": "kvf_3f9a1c2b7d4e5f60",
    "created_at": "2021-02-01T09:00:00Z",
}


class FollowUpRead(BaseModel):
    """A follow-up round of a call."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_FOLLOW_UP]})

    call_id: int
    round: int
    title: str
    due_at: datetime
    created_by: str
    created_at: datetime


class FollowUpOrganiser(BaseModel):
    """One granted organiser in a round: its latest report to it, if any."""

    application_id: int
    organisation_number: str
    organiser_name: str
    reported: bool = Field(description="A report to the round is submitted or approved.")
    report_number: int | None
    report_state: ReportState | None
    reported_at: datetime | None
    late: bool = Field(description="Reported after the deadline, or not yet and it has passed.")


class FollowUpStatus(FollowUpRead):
    """A round and who of the call's granted organisers has and has not reported."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_FOLLOW_UP,
                    "granted": 2,
                    "reported": 1,
                    "organisers": [
                        {
                            "application_id": 12,
                            "organisation_number": "212000-1124",
                            "organiser_name": "Malmö stad",
                            "reported": True,
                            "report_number": 2,
                            "report_state": "submitted",
                            "reported_at": "2021-05-20T10:00:00Z",
                            "late": False,
                        },
                        {
                            "application_id": 14,
                            "organisation_number": "212000-2965",
                            "organiser_name": "Lunds kommun",
                            "reported": False,
                            "report_number": None,
                            "report_state": None,
                            "reported_at": None,
                            "late": False,
                        },
                    ],
                }
            ]
        }
    )

    granted: int = Field(description="How many organisers were granted funds in the call.")
    reported: int = Field(description="How many of them have reported to the round.")
    organisers: list[FollowUpOrganiser]
