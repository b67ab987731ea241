"""One OpenAPI document for the whole platform: the gateway's own and every service's."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from copy import deepcopy
from typing import Any

from fastapi import FastAPI

from common.openapi import operations
from common.problems import PROBLEM_JSON
from gateway.upstream import Busy, NoAnswer, Unreachable, Upstream

logger = logging.getLogger("kvf.gateway.openapi")
REF_PREFIX = "#/components/"
PROBLEM_SCHEMA = "#/components/schemas/Problem"


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    """A copy of `node` whose `$ref`s point at the renamed components."""
    if isinstance(node, dict):
        return {
            key: renames.get(value, value) if key == "$ref" else _rename_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def _prefix_for(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("_", "-").split("-"))


def merge_document(base: dict[str, Any], service: str, document: dict[str, Any]) -> dict[str, Any]:
    """Add one service's paths (its own prefix only) and components to `base`, in place.

    A component whose name is taken by a different definition is renamed with the service's
    prefix (`FundingAccountRead`); identical ones are shared.
    """
    merged_components = base.setdefault("components", {})
    renames: dict[str, str] = {}
    # Until nothing changes: a component equal in text to the base's but pointing at a renamed
    # one differs in meaning, so it must be renamed too.
    changed = True
    while changed:
        changed = False
        for kind, items in document.get("components", {}).items():
            existing = merged_components.get(kind, {})
            for name, definition in items.items():
                ref = f"{REF_PREFIX}{kind}/{name}"
                if ref in renames or name not in existing:
                    continue
                if existing[name] != _rename_refs(definition, renames):
                    renames[ref] = f"{REF_PREFIX}{kind}/{_prefix_for(service)}{name}"
                    changed = True
    document = _rename_refs(document, renames)
    for kind, items in document.get("components", {}).items():
        target = merged_components.setdefault(kind, {})
        for name, definition in items.items():
            new_name = renames.get(f"{REF_PREFIX}{kind}/{name}", f"{REF_PREFIX}{kind}/{name}")
            target[new_name.rsplit("/", 1)[1]] = definition
    prefix = f"/{service}/"
    for path, item in document.get("paths", {}).items():
        if path.startswith(prefix):
            base.setdefault("paths", {})[path] = item
    known_tags = {tag["name"] for tag in base.get("tags", [])}
    for tag in document.get("tags", []):
        if tag["name"] not in known_tags:
            base.setdefault("tags", []).append(tag)
    return base


GATEWAY_ANSWERS = {
    "429": "Too many requests: wait `Retry-After` seconds / För många anrop (problem+json)",
    "503": "The service is unavailable or overloaded / Tjänsten är inte tillgänglig (problem+json)",
    "504": "The service did not answer in time / Tjänsten svarade inte i tid (problem+json)",
}


_TYPES = {"429": "too-many-requests", "503": "service-unavailable", "504": "gateway-timeout"}


def declare_gateway_answers(document: dict[str, Any]) -> None:
    """What the gateway itself may answer to any operation: 429 with `Retry-After`, 503, 504."""
    for operation in operations(document):
        for status, description in GATEWAY_ANSWERS.items():
            response = operation["responses"].setdefault(status, {"description": description})
            example = {
                "type": _TYPES[status],
                "title": description.split(": ")[0].split(" / ")[0],
                "status": int(status),
                "detail": description.removesuffix(" (problem+json)"),
                "instance": "/funding/v1/transfers",
                "request_id": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
            }
            response["content"] = {
                PROBLEM_JSON: {"schema": {"$ref": PROBLEM_SCHEMA}, "example": example}
            }
            headers = response.setdefault("headers", {})
            for name in ("X-Request-ID", "traceparent") + (
                ("Retry-After",) if status != "504" else ()
            ):
                headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})


class MergedOpenAPI:
    """Fetches each upstream's document and merges them, cached for a short while."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._cached: dict[str, Any] | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def _fetch(self, name: str, upstream: Upstream) -> dict[str, Any] | None:
        try:
            status, body = await upstream.get("/openapi.json", seconds=5.0)
            document = json.loads(body) if status == 200 else None
        except (Busy, Unreachable, NoAnswer, ValueError):
            document = None
        if not isinstance(document, dict):
            logger.warning("upstream openapi unavailable", extra={"upstream": name})
            return None
        return document

    async def document(self, app: FastAPI) -> dict[str, Any]:
        async with self._lock:
            if self._cached is not None and time.monotonic() < self._expires:
                return self._cached
            clients: dict[str, Upstream] = app.state.upstreams
            names = list(clients)
            fetched = await asyncio.gather(*(self._fetch(n, clients[n]) for n in names))
            merged = deepcopy(app.openapi())
            missing = []
            for name, document in zip(names, fetched, strict=True):
                if document is None:
                    missing.append(name)
                else:
                    merge_document(merged, name, document)
            declare_gateway_answers(merged)
            if missing:
                merged["info"]["x-unavailable"] = missing
            else:
                self._cached, self._expires = merged, time.monotonic() + self.ttl
            return merged
