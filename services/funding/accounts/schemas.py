"""Request and response bodies of /accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict
from pydantic.config import JsonDict

from common.input import Integral
from common.openapi import required_when
from common.reference import CountyCode, OrganisationNumber
from services.funding.money import AccountCode, NewAccountCode


class AccountKind(StrEnum):
    source = "source"
    budget = "budget"
    county = "county"
    organiser = "organiser"


Year = Annotated[int, Strict(), Field(ge=2000, le=2100, examples=[2019]), Integral]


@dataclass(frozen=True)
class AccountFilter:
    """Which accounts a list shows: those matching every filter given (None: any)."""

    year: int | None = None
    kind: AccountKind | None = None
    county_code: str | None = None
    parent_code: str | None = None


class AccountCreate(BaseModel):
    """A new account in a year's tree.

    `source` (the state's appropriation, the only kind that may go negative; a root or under
    another source), `budget` (a programme, initiative or pool), `county` (one RSS's
    allocation, with `county_code`) or `organiser` (a school organiser's grant, with
    `organisation_number`). The code begins with the year; the parent must exist, be of the
    same year, and be a `budget` account (or a `source` for a source). County and organiser
    accounts always have a parent.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "2019.kvinnofrid.rss.12",
                    "name": "RSS Skåne län",
                    "year": 2019,
                    "parent_code": "2019.kvinnofrid.rss",
                    "kind": "county",
                    "county_code": "12",
                }
            ],
            "allOf": [
                required_when("kind", ["county"], "county_code"),
                required_when("kind", ["organiser"], "organisation_number"),
                required_when("kind", ["county", "organiser"], "parent_code", only=False),
            ],
        },
    )

    code: NewAccountCode
    name: str = Field(min_length=1, max_length=200)
    year: Year
    parent_code: AccountCode | None = None
    kind: AccountKind
    county_code: CountyCode | None = None
    organisation_number: OrganisationNumber | None = None


ACCOUNT_EXAMPLE: JsonDict = {
    "code": "2019.kvinnofrid.rss.12",
    "name": "RSS Skåne län",
    "year": 2019,
    "kind": "county",
    "parent_code": "2019.kvinnofrid.rss",
    "county_code": "12",
    "organisation_number": None,
    "credited_ore": 42857143,
    "debited_ore": 0,
    "pending_ore": 0,
    "available_ore": 42857143,
    "created_at": "2019-02-06T09:00:00Z",
}


class AccountRead(BaseModel):
    """An account and its balances in öre: available = credited − debited − pending."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [ACCOUNT_EXAMPLE]}
    )

    code: str
    name: str
    year: int
    kind: AccountKind
    parent_code: str | None
    county_code: str | None
    organisation_number: str | None
    credited_ore: int = Field(description="Posted money in.")
    debited_ore: int = Field(description="Posted money out.")
    pending_ore: int = Field(description="Money reserved by pending transfers out.")
    available_ore: int = Field(description="credited − debited − pending.")
    created_at: datetime
