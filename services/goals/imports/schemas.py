"""Bulk import of report values: rows in, a DHIS2-style import summary out."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.config import JsonDict

from services.goals.indicators.measures import Scalar
from services.goals.reports.schemas import PERIOD_PATTERN


class ConflictType(StrEnum):
    """Why a row was not imported."""

    invalid_row = "invalid-row"
    unknown_plan = "unknown-plan"
    invalid_period = "invalid-period"
    unknown_indicator = "unknown-indicator"
    duplicate_row = "duplicate-row"
    invalid_value = "invalid-value"
    report_locked = "report-locked"


class ImportStatus(StrEnum):
    """`success`: no conflicts; `warning`: conflicts, the other rows imported (partial);
    `error`: every row a conflict, nothing imported."""

    success = "success"
    warning = "warning"
    error = "error"


class ImportRow(BaseModel):
    """One value of one county's report: the plan by county and year, the report by period."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    county_code: str = Field(pattern=r"^[0-9]{2}$")
    year: int = Field(ge=2018, le=2100)
    period: str = Field(pattern=PERIOD_PATTERN)
    indicator_id: int = Field(ge=1)
    value: Scalar = None
    numerator: Scalar = None
    denominator: Scalar = None
    text: Scalar = None


class ImportConflict(BaseModel):
    """A row that was not imported, and why."""

    row: int = Field(description="The row's number among the data rows, from 1.")
    type: ConflictType
    field: str | None = Field(
        default=None,
        description="The field that is wrong, if one is; for a value of the wrong kind the "
        "fields the indicator's measure takes (`value`, `numerator+denominator` or `text`).",
    )
    value: JsonValue = Field(
        default=None,
        description="What was given: the field's value, or for a value of the wrong kind the "
        "value fields given.",
    )
    reason: str


class ImportSummary(BaseModel):
    """What the import did (or, in a dry run, would do): every row is imported (a new value),
    updated (a changed value), ignored (unchanged, or a conflict when partial) or rejected."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "warning",
                    "dry_run": False,
                    "partial": True,
                    "imported": 40,
                    "updated": 2,
                    "ignored": 1,
                    "conflicts": [
                        {
                            "row": 17,
                            "type": "report-locked",
                            "field": "period",
                            "value": "2019H1",
                            "reason": "report 11 (county 12, 2019H1) is approved and locked",
                        }
                    ],
                }
            ]
        }
    )

    status: ImportStatus = Field(
        description="`success`: no conflicts; `warning`: conflicts, the other rows imported "
        "(partial); `error`: every row a conflict, nothing imported."
    )
    dry_run: bool
    partial: bool
    imported: int
    updated: int
    ignored: int
    conflicts: list[ImportConflict]


CSV_COLUMNS = (
    "county_code",
    "year",
    "period",
    "indicator_id",
    "value",
    "numerator",
    "denominator",
    "text",
)
MAX_ROWS = 100_000
"""The most rows one import takes."""
CSV_EXAMPLE = (
    "county_code;year;period;indicator_id;value;numerator;denominator;text\n"
    "12;2019;2019H1;7;8;;;\n"
    "12;2019;2019H1;8;;9;26;\n"
)
JSON_EXAMPLE: JsonDict = {
    "rows": [
        {"county_code": "12", "year": 2019, "period": "2019H1", "indicator_id": 7, "value": 8},
        {
            "county_code": "12",
            "year": 2019,
            "period": "2019H1",
            "indicator_id": 8,
            "numerator": 9,
            "denominator": 26,
        },
    ]
}
REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": 'JSON `{"rows": [...]}`, or CSV with a header row (comma or semicolon, '
        "UTF-8 with or without BOM).",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["rows"],
                    "additionalProperties": False,
                    "properties": {
                        "rows": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_ROWS,
                            "items": ImportRow.model_json_schema(),
                        }
                    },
                },
                "example": JSON_EXAMPLE,
            },
            "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        },
    }
}
