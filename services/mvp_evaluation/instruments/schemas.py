"""Instruments (questionnaire versions) and their items, as the API takes and returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    Strict,
    StrictBool,
    StringConstraints,
    model_validator,
)

from common.input import Integral

InstrumentCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]{0,49}$")]
# Item and scale codes are CSV column headers, so they are lowercase identifiers.
ItemCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Bound = Annotated[int, Strict(), Field(ge=-999, le=999), Integral]
RESERVED_COLUMN = "respondent"

_ITEMS: list[JsonValue] = [
    {
        "code": "att1",
        "text": "Det är okej att skämta om att tjejer är sämre än killar.",
        "min": 1,
        "max": 5,
        "reverse": True,
        "scale": "attityd",
    },
    {
        "code": "att2",
        "text": "Jag säger ifrån när någon blir kränkt.",
        "min": 1,
        "max": 5,
        "reverse": False,
        "scale": "attityd",
    },
]


class ItemSpec(BaseModel):
    """One question: its code (the CSV column), Swedish text, answer range, direction, scale."""

    model_config = ConfigDict(
        extra="forbid", from_attributes=True, json_schema_extra={"examples": [_ITEMS[0]]}
    )

    code: ItemCode
    text: ItemText
    min: Bound
    max: Bound
    reverse: StrictBool = False
    scale: ItemCode

    @model_validator(mode="after")
    def _range_and_code(self) -> Self:
        if self.min >= self.max:
            raise ValueError(f"item {self.code}: min must be less than max")
        if self.code == RESERVED_COLUMN:
            raise ValueError(f"{RESERVED_COLUMN!r} is the respondent column, not an item code")
        return self


class InstrumentCreate(BaseModel):
    """A version of a questionnaire. Its items are fixed once a wave of it has data."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "mvp-elev", "version": 1, "items": _ITEMS}]},
    )

    code: InstrumentCode
    version: Annotated[int, Strict(), Field(ge=1, le=1_000_000), Integral]
    items: Annotated[list[ItemSpec], Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _unique_item_codes(self) -> Self:
        codes = [item.code for item in self.items]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"item codes must be unique; repeated: {', '.join(repeated)}")
        return self


class ScaleRead(BaseModel):
    """A scale, derived from the items that name it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "attityd", "items": ["att1", "att2"]}]}
    )

    code: str
    items: list[str]


class InstrumentRead(BaseModel):
    """A version of a questionnaire, its items in order and the scales they make."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "mvp-elev",
                    "version": 1,
                    "items": _ITEMS,
                    "scales": [{"code": "attityd", "items": ["att1", "att2"]}],
                    "locked": False,
                    "created_at": "2019-08-20T08:00:00Z",
                }
            ]
        }
    )

    code: str
    version: int
    items: list[ItemSpec]
    scales: list[ScaleRead]
    locked: bool = Field(description="True once a wave of this version has data.")
    created_at: datetime
