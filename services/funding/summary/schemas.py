"""Response bodies of /summary."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

ROW_EXAMPLE: JsonDict = {
    "year": 2019,
    "code": "2019.kvinnofrid.rss",
    "name": "Regionala stödstrukturer / RSS",
    "kind": "budget",
    "parent_code": "2019.kvinnofrid",
    "level": 2,
    "county_code": None,
    "organisation_number": None,
    "budget_ore": 900000000,
    "supplementary_ore": 0,
    "allocated_ore": 900000000,
    "reserved_ore": 0,
    "paid_ore": 900000000,
    "returned_ore": 0,
    "repaid_ore": 0,
    "available_ore": 0,
}

BUDGET = (
    "What the account was given from above: appropriations and allocations into it (for a "
    "county or an organiser, what was paid to it), net of their corrections, never counting "
    "money that came back to it."
)
SUPPLEMENTARY = (
    "Of the budget, what came from a supplementary decision (the June 2019 addition); the "
    "original budget is `budget_ore` − `supplementary_ore`."
)
ALLOCATED = (
    "What the account has passed on to its children, posted or reserved, net of corrections. "
    "At every budget account it equals its children's budgets plus its open reservations."
)
RESERVED = "Of the allocated, what is reserved and not yet posted (a grant decided, not paid)."
PAID = (
    "Of the allocated, what has been paid out to a final recipient: a county's RSS or a school "
    "organiser."
)
RETURNED = "Repayments that came back to the account (unused grant money)."
REPAID = "Repayments the account sent back up (an organiser's unused grant)."
AVAILABLE = (
    "Budget − allocated + returned − repaid: what the ledger lets the account still pass on "
    "(for the state's source account, minus what it has appropriated)."
)


class SummaryRow(BaseModel):
    """One account of the tree and its money, in öre."""

    model_config = ConfigDict(json_schema_extra={"examples": [ROW_EXAMPLE]})

    year: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    level: int = Field(description="Depth in the tree; roots are 0.")
    county_code: str | None
    organisation_number: str | None
    budget_ore: int = Field(description=BUDGET)
    supplementary_ore: int = Field(description=SUPPLEMENTARY)
    allocated_ore: int = Field(description=ALLOCATED)
    reserved_ore: int = Field(description=RESERVED)
    paid_ore: int = Field(description=PAID)
    returned_ore: int = Field(description=RETURNED)
    repaid_ore: int = Field(description=REPAID)
    available_ore: int = Field(description=AVAILABLE)


class SummaryRead(BaseModel):
    """The funding tree of a year (or of every year), parents before their children."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"year": 2019, "accounts": [ROW_EXAMPLE]}]}
    )

    year: int | None
    accounts: list[SummaryRow]
