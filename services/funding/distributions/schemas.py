"""Request and response bodies of /distributions."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from common.input import Integral
from services.funding.money import AccountCode, Ore
from services.funding.transfers.schemas import TRANSFER_EXAMPLE, TransferKind, TransferRead


class DistributionKey(StrEnum):
    equal = "equal"
    weights = "weights"


class DistributionTarget(BaseModel):
    """One receiving account; `weight` (a positive integer) only with key `weights`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"account": "2019.kvinnofrid.rss.01", "weight": 3}]},
    )

    account: AccountCode
    weight: Annotated[int, Strict(), Field(ge=1, le=1_000_000_000), Integral] | None = None


class DistributionCreate(BaseModel):
    """Split `amount_ore` from one account over the targets, to the öre."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "from_account": "2019.kvinnofrid.rss",
                    "amount_ore": 900000000,
                    "key": "equal",
                    "targets": [
                        {"account": "2019.kvinnofrid.rss.01"},
                        {"account": "2019.kvinnofrid.rss.03"},
                    ],
                    "kind": "allocation",
                    "note": "RSS 2019",
                }
            ],
            # Key `weights`: every target has a weight; key `equal`: none has.
            "if": {"properties": {"key": {"const": "weights"}}, "required": ["key"]},
            "then": {
                "properties": {
                    "targets": {
                        "items": {
                            "required": ["weight"],
                            "properties": {"weight": {"type": "integer"}},
                        }
                    }
                }
            },
            "else": {
                "properties": {"targets": {"items": {"properties": {"weight": {"type": "null"}}}}}
            },
        },
    )

    from_account: AccountCode
    amount_ore: Ore
    key: DistributionKey
    targets: list[DistributionTarget] = Field(min_length=1, max_length=500)
    kind: TransferKind = TransferKind.allocation
    note: str | None = Field(default=None, max_length=500)


class DistributionRead(BaseModel):
    """The distribution's transfers, one per target in the targets' order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from_account": "2019.kvinnofrid.rss",
                    "amount_ore": 900000000,
                    "key": "equal",
                    "transfers": [
                        {**TRANSFER_EXAMPLE, "to_account": "2019.kvinnofrid.rss.01"},
                    ],
                }
            ]
        }
    )

    from_account: str
    amount_ore: int
    key: DistributionKey
    transfers: list[TransferRead]
