"""Request and response bodies of /calls and /applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict
from pydantic.config import JsonDict

from common.input import Integral, Rfc3339
from common.reference import OrganisationNumber, SchoolUnitCode
from services.funding.money import AccountCode, Ore, OreOrZero


class Eligible(StrEnum):
    municipal = "municipal"
    any = "any"


class ApplicationState(StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    paid = "paid"
    repayment_due = "repayment_due"
    closed = "closed"
    withdrawn = "withdrawn"


class ApplicationStep(StrEnum):
    """What happened to an application (an event of its history)."""

    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    paid = "paid"
    settled = "settled"
    repaid = "repaid"
    withdrawn = "withdrawn"
    reported = "reported"
    report_approved = "report_approved"
    report_returned = "report_returned"


class ReportState(StrEnum):
    """A use-of-funds report: `submitted` awaits review; `approved`, or `returned` with a
    comment (the organiser then submits a new one)."""

    submitted = "submitted"
    approved = "approved"
    returned = "returned"


@dataclass(frozen=True)
class ApplicationFilter:
    """Which applications a list shows: those matching every filter given (None: any)."""

    call_id: int | None = None
    state: ApplicationState | None = None
    organisation_number: str | None = None


_CALL: JsonDict = {
    "title": "Utvecklingsmedel för våldsförebyggande arbete i skolan 2019",
    "description": "För skolhuvudmän som vill komma igång med kunskapsbaserade metoder.",
    "pool_account": "2019.kvinnofrid.skolor",
    "opens_at": "2019-06-10T00:00:00+02:00",
    "closes_at": "2019-10-01T00:00:00+02:00",
    "max_amount_per_organiser_ore": 20000000,
    "min_schools": 1,
    "max_schools": 2,
    "eligible": "municipal",
    "methods": "MVP eller annan kunskapsbaserad metod / MVP or another knowledge-based method",
    "requires_interest": True,
    "rolling": False,
    "report_due_at": "2020-12-31T00:00:00+01:00",
}


class CallCreate(BaseModel):
    """A call for applications: its pool account, window [opens_at, closes_at) (inside the
    agreement period and the pool's year, Swedish time), the most one organiser may get, how
    many schools an application names, who may apply (`municipal`: municipalities only,
    organisation numbers 212000-NNNN), whether an expression of interest must come first,
    whether decisions may be made while it is open (`rolling`), and the reporting deadline."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CALL]})

    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    pool_account: AccountCode
    opens_at: Annotated[AwareDatetime, Rfc3339]
    closes_at: Annotated[AwareDatetime, Rfc3339]
    max_amount_per_organiser_ore: Ore
    min_schools: Annotated[int, Strict(), Field(ge=1, le=100), Integral] = 1
    max_schools: Annotated[int, Strict(), Field(ge=1, le=100), Integral] = 2
    eligible: Eligible = Eligible.municipal
    methods: str | None = Field(default=None, max_length=500)
    requires_interest: bool = Field(
        default=False,
        description="An application needs the organiser's expression of interest first.",
    )
    rolling: bool = Field(
        default=False,
        description="Decisions may be made while the call is open (else only after it closes).",
    )
    report_due_at: Annotated[AwareDatetime, Rfc3339] | None = Field(
        default=None,
        description="When the use-of-funds reports are due; after `closes_at`.",
        examples=["2020-12-31T00:00:00+01:00"],
    )


class CallRead(BaseModel):
    """A call; `is_open` says whether applications are accepted now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_CALL,
                    "id": 1,
                    "opens_at": "2019-06-09T22:00:00Z",
                    "closes_at": "2019-09-30T22:00:00Z",
                    "report_due_at": "2020-12-30T23:00:00Z",
                    "year": 2019,
                    "is_open": False,
                    "created_at": "2019-06-10T08:00:00Z",
                }
            ]
        }
    )

    id: int
    title: str
    description: str | None
    pool_account: str
    year: int
    opens_at: datetime
    closes_at: datetime
    max_amount_per_organiser_ore: int
    min_schools: int
    max_schools: int
    eligible: Eligible
    methods: str | None
    requires_interest: bool
    rolling: bool
    report_due_at: datetime | None
    is_open: bool
    created_at: datetime


class InterestCreate(BaseModel):
    """A non-binding expression of interest, before the call closes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_number": "212000-1124",
                    "organiser_name": "Malmö stad",
                    "school_count": 2,
                    "note": "Två grundskolor vill börja med MVP.",
                }
            ]
        },
    )

    organisation_number: OrganisationNumber
    organiser_name: str = Field(min_length=1, max_length=200)
    school_count: Annotated[int, Strict(), Field(ge=1, le=1000), Integral] | None = None
    note: str | None = Field(default=None, max_length=5_000)


class InterestRead(BaseModel):
    """An expression of interest."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "call_id": 1,
                    "organisation_number": "212000-1124",
                    "organiser_name": "Malmö stad",
                    "school_count": 2,
                    "note": "Två grundskolor vill börja med MVP.",
                    "created_at": "2019-06-20T10:00:00Z",
                }
            ]
        },
    )

    id: int
    call_id: int
    organisation_number: str
    organiser_name: str
    school_count: int | None
    note: str | None
    created_at: datetime


class ApplicationCreate(BaseModel):
    """An application: the organiser (organisation number, Luhn-checked), its schools (school
    unit codes, eight digits), the amount asked for, the method and the plan."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_number": "212000-1124",
                    "organiser_name": "Malmö stad",
                    "school_unit_codes": ["12345678", "23456789"],
                    "requested_amount_ore": 20000000,
                    "method": "MVP",
                    "plan": "Utbilda mentorer i årskurs 7-9 hösten 2019 ...",
                }
            ]
        },
    )

    organisation_number: OrganisationNumber
    organiser_name: str = Field(min_length=1, max_length=200)
    school_unit_codes: list[SchoolUnitCode] = Field(min_length=1, max_length=100)
    requested_amount_ore: Ore
    method: str = Field(min_length=1, max_length=200)
    plan: str = Field(min_length=1, max_length=50_000)


class ApplicationEventRead(BaseModel):
    """One step of an application's history: by whom, when, in which request."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "event": "approved",
                    "state": "approved",
                    "amount_ore": 20000000,
                    "transfer_id": 431,
                    "note": None,
                    "actor": "kvf_3f9a1c2b7d4e5f60",
                    "request_id": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
                    "created_at": "2019-11-20T09:30:00Z",
                }
            ]
        },
    )

    id: int
    event: str
    state: ApplicationState
    amount_ore: int | None
    transfer_id: int | None
    note: str | None
    actor: str
    request_id: str | None
    created_at: datetime


_APPLICATION: JsonDict = {
    "id": 12,
    "call_id": 1,
    "organisation_number": "212000-1124",
    "organiser_name": "Malmö stad",
    "school_unit_codes": ["12345678", "23456789"],
    "requested_amount_ore": 20000000,
    "method": "MVP",
    "plan": "Utbilda mentorer i årskurs 7-9 hösten 2019 ...",
    "state": "paid",
    "approved_amount_ore": 20000000,
    "account": "2019.kvinnofrid.skolor.2120001124",
    "decision_note": None,
    "reserved_ore": 5000000,
    "paid_ore": 15000000,
    "used_amount_ore": None,
    "repayment_claim_ore": None,
    "repaid_ore": 0,
    "outstanding_ore": 0,
    "report": None,
    "created_at": "2019-09-12T13:00:00Z",
}


class ApplicationRead(BaseModel):
    """An application and its money: approved, still reserved on the pool, paid, used (from
    the settlement), the repayment claim, repaid and still owed (`outstanding_ore`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_APPLICATION]})

    id: int
    call_id: int
    organisation_number: str
    organiser_name: str
    school_unit_codes: list[str]
    requested_amount_ore: int
    method: str
    plan: str
    state: ApplicationState
    approved_amount_ore: int | None
    account: str | None = Field(description="The organiser's grant account, once approved.")
    decision_note: str | None = Field(
        description="The reason of a rejection, or an approval's note."
    )
    reserved_ore: int
    paid_ore: int
    used_amount_ore: int | None
    repayment_claim_ore: int | None
    repaid_ore: int
    outstanding_ore: int
    report: str | None
    created_at: datetime


class ApplicationDetail(ApplicationRead):
    """An application with its whole history, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_APPLICATION,
                    "history": [
                        {
                            "id": 5,
                            "event": "submitted",
                            "state": "submitted",
                            "amount_ore": 20000000,
                            "transfer_id": None,
                            "note": None,
                            "actor": "kvf_9a8b7c6d5e4f3a2b",
                            "request_id": "0b6c2d9e-41f7-4e5a-8d0c-3a9b1e2f4c5d",
                            "created_at": "2019-09-12T13:00:00Z",
                        }
                    ],
                }
            ]
        }
    )

    history: list[ApplicationEventRead]


class DecisionKind(StrEnum):
    approve = "approve"
    reject = "reject"


class DecisionCreate(BaseModel):
    """`approve` with `approved_amount_ore` (at most what was asked and the call's maximum;
    it is reserved on the call's pool at once), or `reject` with the `reason`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approve", "approved_amount_ore": 20000000},
                {"decision": "reject", "reason": "Metoden är inte kunskapsbaserad."},
            ],
            # What each decision takes, as JSON Schema: approve with an amount and no
            # reason, reject with a reason and no amount.
            "if": {"properties": {"decision": {"const": "approve"}}, "required": ["decision"]},
            "then": {
                "required": ["approved_amount_ore"],
                "properties": {
                    "approved_amount_ore": {"type": "integer"},
                    "reason": {"type": "null"},
                },
            },
            "else": {
                "required": ["reason"],
                "properties": {
                    "reason": {"type": "string"},
                    "approved_amount_ore": {"type": "null"},
                },
            },
        },
    )

    decision: DecisionKind
    approved_amount_ore: Ore | None = Field(default=None, description="Required to approve.")
    reason: str | None = Field(
        default=None, min_length=1, max_length=5_000, description="Required to reject."
    )
    note: str | None = Field(default=None, max_length=5_000, description="An approval's note.")


class PaymentCreate(BaseModel):
    """Pay (part of) the approved amount to the organiser's grant account."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"amount_ore": 15000000}]}
    )

    amount_ore: Ore
    note: str | None = Field(default=None, max_length=500)


class SettlementCreate(BaseModel):
    """Settle the grant on its approved use-of-funds report: the used amount is the report's."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"report": "Slutredovisning godkänd."}, {"used_amount_ore": 12000000}]
        },
    )

    used_amount_ore: OreOrZero | None = Field(
        default=None,
        description="Optional: when given, it must be the approved report's used amount.",
    )
    report: str | None = Field(
        default=None, max_length=50_000, description="A free-text note kept with the settlement."
    )


class RepaymentCreate(BaseModel):
    """Unused funds paid back to the call's pool (at most what is owed)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"amount_ore": 3000000}]}
    )

    amount_ore: Ore
    note: str | None = Field(default=None, max_length=500)
