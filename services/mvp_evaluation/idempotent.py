"""Idempotent POSTs whose status depends on the outcome (201 created, 200 unchanged)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse, Response

from common.idempotency import Idempotency


async def run_with_status(
    idem: Idempotency, fingerprint: str, effect: Callable[[], Awaitable[tuple[int, Any]]]
) -> Response:
    """Replay the stored response, or run `effect` and store its status and body."""
    replayed = await idem.replay(fingerprint)
    if replayed is not None:
        return replayed
    status, result = await effect()
    body = jsonable_encoder(result)
    await idem.save(fingerprint, status, body)
    return JSONResponse(body, status_code=status)
