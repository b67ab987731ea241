"""Batches and the wave's lock, as the API takes and returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.mvp_evaluation.responses.schemas import MediaFormat
from services.mvp_evaluation.waves.schemas import WaveAction

Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\x00]*$"),
    Field(
        description="Why, in a sentence (kept in the wave's audit trail).", examples=["Fel skola"]
    ),
]


class BatchRead(BaseModel):
    """One accepted upload: who sent it, when, which file, and its rows (the wave's positions
    `first_position` to `first_position + rows − 1`). A deleted batch stays listed with who
    deleted it, when and why; its respondents are gone."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "wave_id": 3,
                    "client_id": "kvf_evaluator_su",
                    "created_at": "2019-09-20T10:15:00Z",
                    "file_name": "wave1_12345678_pre.csv",
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "format": "csv",
                    "first_position": 1,
                    "rows": 29,
                    "deleted_at": None,
                    "deleted_by": None,
                    "delete_reason": None,
                }
            ]
        },
    )

    id: int
    wave_id: int
    client_id: str = Field(description="Who posted it.")
    created_at: datetime
    file_name: str | None = Field(description="The file's name, as the upload gave it.")
    sha256: str | None = Field(description="The body's SHA-256, hex.")
    format: MediaFormat
    first_position: int
    rows: int
    deleted_at: datetime | None
    deleted_by: str | None
    delete_reason: str | None


class LockCreate(BaseModel):
    """Lock a wave after cleaning, saying why if you like."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Tvättad"}]}
    )

    reason: Reason | None = None


class UnlockCreate(BaseModel):
    """Unlock a wave (admins only): why is required."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Ny omgång från skolan"}]}
    )

    reason: Reason


class WaveEventRead(BaseModel):
    """One entry of a wave's audit trail."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    wave_id: int
    action: WaveAction
    batch_id: int | None
    actor: str
    role: str
    reason: str | None
    request_id: str | None
    created_at: datetime
