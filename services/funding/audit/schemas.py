"""Response bodies of /audit-events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class AuditFilter:
    """Which events a list shows: in [since, until), of one action, by one client id."""

    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    actor: str | None = None


class AuditEventRead(BaseModel):
    """One change: who (client id and role), what, on which object, when, in which request."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 17,
                    "created_at": "2019-11-20T09:30:00Z",
                    "actor": "kvf_3f9a1c2b7d4e5f60",
                    "role": "admin",
                    "action": "application.approved",
                    "object_type": "application",
                    "object_id": "12",
                    "request_id": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
                    "detail": {"approved_amount_ore": 20000000, "transfer_id": 431},
                }
            ]
        },
    )

    id: int
    created_at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    request_id: str | None
    detail: dict[str, Any]
