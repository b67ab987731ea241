"""What posting responses returns, and the request body's documentation."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MediaFormat(StrEnum):
    """What a batch was posted as (kept with each import)."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


IN_OTHER_SCHOOLS = (
    "How many of the batch's respondents are already in another school's waves of the same "
    "cohort (more than half: refused, 409 `respondents-of-another-school`, unless "
    "`allow_unmatched=true`)."
)
MATCHED_PRE = (
    "For a post or follow-up wave: how many of the batch's respondents are in the school's "
    "pre wave of the cohort (none: refused, 409 `unmatched-pre-wave`, unless "
    "`allow_unmatched=true`); null for a pre wave, or when the pre wave has nobody yet."
)


class ImportResult(BaseModel):
    """The batch was stored: how many respondents, and how they meet the cohort."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"wave_id": 1, "imported": 124, "in_other_schools": 0, "matched_pre": 118}]
        }
    )

    wave_id: int
    imported: int
    in_other_schools: int = Field(description=IN_OTHER_SCHOOLS)
    matched_pre: int | None = Field(description=MATCHED_PRE)


class DryRunResult(BaseModel):
    """The batch is valid (a dry run stores nothing): how many respondents, and how they
    meet the cohort."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"wave_id": 1, "valid": 124, "in_other_schools": 0, "matched_pre": None}]
        }
    )

    wave_id: int
    valid: int
    in_other_schools: int = Field(description=IN_OTHER_SCHOOLS)
    matched_pre: int | None = Field(description=MATCHED_PRE)


JSON_EXAMPLE = {
    "responses": [
        {"respondent": "A017", "answers": {"att1": 2, "att2": 4}},
        {"respondent": "A018", "answers": {"att1": 5, "att2": None}},
    ]
}

REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "JSON, CSV (comma or semicolon; UTF-8, with or without BOM; a header "
        "row with `respondent` and item codes; a blank cell is a missing answer) or XLSX "
        "(the first worksheet, laid out as the CSV).",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["responses"],
                    "additionalProperties": False,
                    "properties": {
                        "responses": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["respondent", "answers"],
                                "additionalProperties": False,
                                "properties": {
                                    "respondent": {"type": "string", "maxLength": 64},
                                    "answers": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "anyOf": [{"type": "integer"}, {"type": "null"}]
                                        },
                                    },
                                },
                            },
                        }
                    },
                },
                "example": JSON_EXAMPLE,
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": "respondent;att1;att2\nA017;2;4\nA018;5;\n",
            },
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
