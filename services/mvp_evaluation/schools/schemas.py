"""Schools as the API takes and returns them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic.config import JsonDict

from common.reference import MunicipalityCode, OrganisationNumber, SchoolUnitCode


class Arm(StrEnum):
    """Where a school stands in the evaluation: it runs the programme, or it is compared."""

    intervention = "intervention"
    comparison = "comparison"


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

_EXAMPLE: JsonDict = {
    "school_unit_code": "12345678",
    "name": "Källbrinksskolan",
    "organisation_number": "212000-0142",
    "municipality_code": "0180",
    "arm": "intervention",
}


class SchoolCreate(BaseModel):
    """A school taking part in the evaluation, in the intervention or the comparison arm."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    school_unit_code: SchoolUnitCode
    name: Name
    organisation_number: OrganisationNumber
    municipality_code: MunicipalityCode
    arm: Arm


class SchoolRead(BaseModel):
    """A registered school."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{**_EXAMPLE, "created_at": "2019-08-20T08:00:00Z"}]},
    )

    school_unit_code: str
    name: str
    organisation_number: str
    municipality_code: str
    arm: Arm
    created_at: datetime
