"""Waves as the API takes and returns them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints
from pydantic.config import JsonDict

from common.input import Integral
from common.reference import SchoolUnitCode
from services.mvp_evaluation.instruments.schemas import InstrumentCode


class WaveKind(StrEnum):
    """When a wave is administered: before the programme, after it, or later."""

    pre = "pre"
    post = "post"
    follow_up = "follow_up"


class WaveAction(StrEnum):
    """What the wave's audit trail records."""

    locked = "locked"
    unlocked = "unlocked"
    batch_deleted = "batch_deleted"


Cohort = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-/.]{0,39}$")]

_EXAMPLE: JsonDict = {
    "school_unit_code": "12345678",
    "instrument_code": "mvp-elev",
    "instrument_version": 1,
    "kind": "pre",
    "cohort": "2019",
    "administered_on": "2019-09-16",
}


class WaveCreate(BaseModel):
    """One administration of an instrument version at a school: before (pre), after (post)
    or later (follow_up), for a cohort of pupils."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    school_unit_code: SchoolUnitCode
    instrument_code: InstrumentCode
    instrument_version: Annotated[int, Strict(), Field(ge=1, le=1_000_000), Integral]
    kind: WaveKind
    cohort: Cohort
    administered_on: date


class WaveRead(BaseModel):
    """A wave and how many respondents it holds (null and suppressed when fewer than the
    small-cell limit, for roles other than evaluator and admin)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    **_EXAMPLE,
                    "respondents": 124,
                    "suppressed": False,
                    "created_at": "2019-08-20T08:00:00Z",
                    "locked_at": None,
                    "locked_by": None,
                }
            ]
        }
    )

    id: int
    school_unit_code: str
    instrument_code: str
    instrument_version: int
    kind: WaveKind
    cohort: str
    administered_on: date
    respondents: int | None
    suppressed: bool
    created_at: datetime
    locked_at: datetime | None = Field(
        description="When the wave was locked after cleaning: no upload or batch deletion "
        "until an admin unlocks it."
    )
    locked_by: str | None = Field(description="The client that locked it.")
