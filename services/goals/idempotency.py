"""Idempotency keys on the service's POSTs: required on the bulk import (it ingests data),
accepted on every other POST."""

from typing import Any

from fastapi import Request

from common.idempotency import idempotency_dependency, json_fingerprint
from services.goals.models import idempotency_key

IDEMPOTENCY: Any = idempotency_dependency(idempotency_key, required=False)
"""Route default argument giving the request's `Idempotency` (the key is optional)."""

IDEMPOTENCY_REQUIRED: Any = idempotency_dependency(idempotency_key, required=True)
"""The same for a POST that ingests data: without a key it is 400 idempotency-key-required."""


def request_fingerprint(request: Request, payload: Any, **flags: Any) -> str:
    """The request's fingerprint: its body and the flags (dry_run, partial) that change it."""
    return json_fingerprint(request, {"body": payload, "flags": flags})
