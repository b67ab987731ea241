"""Money and identifiers as the funding API takes them: integer öre, account codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, Strict, StringConstraints

from common.input import Integral

MAX_ORE = 2**53 - 1
"""The largest amount accepted: every client (JavaScript included) reads it exactly."""

Ore = Annotated[
    int,
    Strict(),
    Field(
        ge=1,
        le=MAX_ORE,
        description="An amount in öre (100 öre = 1 krona): a JSON integer, 1 to 2^53 - 1.",
        examples=[42857143],
    ),
    Integral,
]
OreOrZero = Annotated[
    int,
    Strict(),
    Field(
        ge=0,
        le=MAX_ORE,
        description="An amount in öre, 0 to 2^53 - 1 (a JSON integer).",
        examples=[15000000],
    ),
    Integral,
]

CODE_PATTERN = r"^[0-9]{4}(\.[a-z0-9]+([_-][a-z0-9]+)*)+$"
NewAccountCode = Annotated[
    str,
    StringConstraints(max_length=100, pattern=CODE_PATTERN),
    Field(
        description="The account's code: its year, then dot-separated lowercase parts.",
        examples=["2019.kvinnofrid.rss.12"],
    ),
]
AccountCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    Field(description="The code of an existing account.", examples=["2019.kvinnofrid.rss"]),
]


def kronor(ore: int) -> str:
    """An amount as a person writes it in Swedish: `150 000,00 kr` (a space between
    thousands, a decimal comma). Exact: integer arithmetic, never a float."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{cents:02d} kr"


def kronor_figure(ore: int) -> Decimal:
    """Kronor as an exact decimal number with two places (`150000.00`), for a CSV column beside
    the öre one (`common.csvfile` writes it with a decimal comma in the Excel variant)."""
    return Decimal(ore).scaleb(-2)
