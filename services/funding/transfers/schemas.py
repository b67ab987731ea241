"""Request and response bodies of /transfers and /distributions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict
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
