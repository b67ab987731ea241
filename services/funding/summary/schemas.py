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
    "allocated_ore": 900000000,
    "paid_ore": 900000000,
    "available_ore": 0,
}


class SummaryRow(BaseModel):
    """One account of the tree: budget (posted in), allocated (posted out or reserved), paid
    (posted out) and available (budget − allocated), in öre."""

    model_config = ConfigDict(json_schema_extra={"examples": [ROW_EXAMPLE]})

    year: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    level: int = Field(description="Depth in the tree; roots are 0.")
    county_code: str | None
    organisation_number: str | None
    budget_ore: int
    allocated_ore: int
    paid_ore: int
    available_ore: int


class SummaryRead(BaseModel):
    """The funding tree of a year (or of every year), parents before their children."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"year": 2019, "accounts": [ROW_EXAMPLE]}]}
    )

    year: int | None
    accounts: list[SummaryRow]
