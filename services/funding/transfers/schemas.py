"""Request and response bodies of /transfers and /distributions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic.config import JsonDict

from common.input import Integral
from common.pagination import INT32_MAX
from services.funding.money import AccountCode, Ore


class TransferKind(StrEnum):
    appropriation = "appropriation"
    allocation = "allocation"
    grant = "grant"
    payment = "payment"
    repayment = "repayment"
    correction = "correction"


class Decision(StrEnum):
    """Which decision an appropriation or allocation carries out."""

    original = "original"
    supplementary = "supplementary"


BUDGET_MOVES = frozenset({TransferKind.appropriation, TransferKind.allocation})


class TransferState(StrEnum):
    pending = "pending"
    posted = "posted"
    voided = "voided"


@dataclass(frozen=True)
class TransferFilter:
    """Which transfers a list shows: those matching every filter given (None: any);
    `account` matches either side, `year` is the from account's."""

    account: str | None = None
    from_account: str | None = None
    to_account: str | None = None
    kind: TransferKind | None = None
    state: TransferState | None = None
    year: int | None = None


class TransferCreate(BaseModel):
    """Move `amount_ore` from one account to another of the same year.

    `pending: true` only reserves the amount (post or void it later). A `correction` names
    the posted transfer it corrects in `corrects_id` and runs between the same two accounts.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "from_account": "2019.kvinnofrid",
                    "to_account": "2019.kvinnofrid.rss",
                    "amount_ore": 900000000,
                    "kind": "allocation",
                    "pending": False,
                    "note": "RSS 2019",
                }
            ]
        },
    )

    from_account: AccountCode
    to_account: AccountCode
    amount_ore: Ore
    kind: TransferKind
    pending: bool = Field(default=False, strict=True)
    note: str | None = Field(default=None, max_length=500)
    corrects_id: Annotated[int, Strict(), Field(ge=1, le=INT32_MAX), Integral] | None = None
    decision: Decision | None = Field(
        default=None,
        description="For an appropriation or allocation: the decision it carries out, the one "
        "that set the year's budget (`original`) or a later one (`supplementary`, as the "
        "Government's June 2019 addition). Given with `decided_on`.",
    )
    decided_on: date | None = Field(
        default=None,
        description="The date of that decision; given with `decision`.",
        examples=["2019-06-05"],
    )

    @model_validator(mode="after")
    def _decision_of_a_budget_move(self) -> TransferCreate:
        if (self.decision is None) != (self.decided_on is None):
            raise ValueError("decision and decided_on are given together")
        if self.decision is not None and self.kind not in BUDGET_MOVES:
            raise ValueError("only an appropriation or allocation carries a decision")
        return self


TRANSFER_EXAMPLE: JsonDict = {
    "id": 42,
    "from_account": "2019.kvinnofrid",
    "to_account": "2019.kvinnofrid.rss",
    "amount_ore": 900000000,
    "kind": "allocation",
    "state": "posted",
    "note": "RSS 2019",
    "corrects_id": None,
    "application_id": None,
    "created_at": "2019-02-06T09:00:00Z",
    "settled_at": None,
    "decision": None,
    "decided_on": None,
}


class TransferRead(BaseModel):
    """A transfer; immutable except pending → posted or voided (`settled_at`)."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [TRANSFER_EXAMPLE]}
    )

    id: int
    from_account: str
    to_account: str
    amount_ore: int
    kind: TransferKind
    state: TransferState
    note: str | None
    corrects_id: int | None
    application_id: int | None = Field(description="The grant application it belongs to.")
    created_at: datetime
    settled_at: datetime | None = Field(description="When a pending transfer was settled.")
    decision: Decision | None = Field(
        default=None, description="The decision an appropriation or allocation carries out."
    )
    decided_on: date | None = Field(default=None, description="That decision's date.")
