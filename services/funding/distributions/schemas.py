"""Request and response bodies of /distributions."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

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
    weight: int | None = Field(default=None, strict=True, ge=1, le=1_000_000_000)


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
            ]
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
