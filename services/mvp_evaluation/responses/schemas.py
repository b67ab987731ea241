"""What posting responses returns, and the request body's documentation."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MediaFormat(StrEnum):
    """What a batch was posted as (kept with each import)."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class ImportResult(BaseModel):
    """The batch was stored: how many respondents."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"wave_id": 1, "imported": 124}]})

    wave_id: int
    imported: int


class DryRunResult(BaseModel):
    """The batch is valid (a dry run stores nothing): how many respondents."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"wave_id": 1, "valid": 124}]})

    wave_id: int
    valid: int


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
