"""Versions of a report as the API shows them."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.goals.reports.schemas import (
    NARRATIVES_EXAMPLE,
    VALUE_EXAMPLE,
    NarrativeRead,
    ReportState,
    ValueRead,
)


class VersionKind(StrEnum):
    """What made the version: a submission or an approval."""

    submitted = "submitted"
    approved = "approved"


_SUMMARY_EXAMPLE: JsonDict = {
    "report_id": 11,
    "number": 2,
    "kind": "approved",
    "state": "approved",
    "report_version": 3,
    "created_by": "kvf_3f9a1c2b7d4e5f60",
    "actor_role": "admin",
    "created_at": "2019-08-20T13:45:00Z",
}


class ReportVersionSummary(BaseModel):
    """A kept version of a report, in a list."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SUMMARY_EXAMPLE]})

    report_id: int
    number: int = Field(description="1 for the report's first kept version, then 2, 3, ...")
    kind: VersionKind = Field(description="`submitted` or `approved`: what kept it.")
    state: ReportState = Field(description="The report's state the version was kept in.")
    report_version: int = Field(description="The report's ETag version when it was kept.")
    created_by: str = Field(description="The API client that submitted or approved.")
    actor_role: str
    created_at: datetime


class ReportVersionRead(ReportVersionSummary):
    """A kept version of a report, with its values and narratives as they were."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_SUMMARY_EXAMPLE,
                    "county_code": "12",
                    "year": 2019,
                    "period": "2019H1",
                    "values": [VALUE_EXAMPLE],
                    "narratives": NARRATIVES_EXAMPLE,
                }
            ]
        }
    )

    county_code: str
    year: int
    period: str
    values: list[ValueRead]
    narratives: list[NarrativeRead]
