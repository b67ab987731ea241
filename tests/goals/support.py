"""Small typed factories for the goals tests: plans, indicators and reports via the gateway;
and the check of a refusal: its status, its problem type, and nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from common.auth import Role
from tests.support import Schema, Tokens, expect

API = "/goals/v1"


class Goals:
    """The goals API as its users call it through the gateway, one client per role and county
    (so that history entries and idempotency keys name the same client throughout a test)."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens
        self.admin = tokens.header(Role.admin, client_id="kvf_test_admin")
        self.reader = tokens.header(Role.reader, client_id="kvf_test_reader")

    def rss(self, county_code: str) -> dict[str, str]:
        return self.tokens.header(
            Role.rss, county_code=county_code, client_id=f"kvf_test_rss_{county_code}"
        )

    async def get(self, path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
        return await self.client.get(f"{API}{path}", headers=headers, params=params)

    async def post(
        self,
        path: str,
        headers: dict[str, str],
        body: Any = None,
        **params: Any,
    ) -> httpx.Response:
        return await self.client.post(f"{API}{path}", json=body, headers=headers, params=params)

    async def plan(
        self,
        county_code: str = "12",
        goal_codes: tuple[str, ...] = ("K1", "K2"),
        *,
        year: int = 2019,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """A plan that must be made."""
        body = {"county_code": county_code, "year": year, "goal_codes": list(goal_codes)}
        response = await self.post("/plans", headers or self.admin, body)
        return expect(response, 201)

    async def indicator(
        self,
        plan_id: int,
        measure: str = "count",
        *,
        goal_code: str = "K1",
        name: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """An indicator that must be made; count and percentage default to `increase`."""
        body: dict[str, Any] = {"goal_code": goal_code, "name": name or f"{measure} indicator"}
        body["measure"] = measure
        if measure in ("count", "percentage"):
            body["direction"] = "increase"
        body.update(fields)
        response = await self.post(f"/plans/{plan_id}/indicators", self.admin, body)
        return expect(response, 201)

    async def create_report(
        self,
        plan_id: int,
        county_code: str,
        period: str = "2019",
        values: list[dict[str, Any]] | None = None,
        narratives: list[dict[str, Any]] | None = None,
        idempotency: dict[str, str] | None = None,
        **params: Any,
    ) -> httpx.Response:
        body = {
            "plan_id": plan_id,
            "period": period,
            "values": values or [],
            "narratives": narratives or [],
        }
        headers = {**self.rss(county_code), **(idempotency or {})}
        return await self.post("/reports", headers, body, **params)

    async def report(self, plan_id: int, county_code: str, **fields: Any) -> dict[str, Any]:
        """A draft report that must be made."""
        response = await self.create_report(plan_id, county_code, **fields)
        return expect(response, 201)

    async def move(
        self, report_id: int, action: str, headers: dict[str, str], body: Any = None
    ) -> httpx.Response:
        return await self.post(f"/reports/{report_id}/{action}", headers, body)

    async def moved(
        self, report_id: int, action: str, headers: dict[str, str], body: Any = None
    ) -> dict[str, Any]:
        """A move that must succeed."""
        response = await self.move(report_id, action, headers, body)
        return expect(response, 200)

    async def edited(
        self, report: dict[str, Any], county_code: str, **changes: Any
    ) -> dict[str, Any]:
        """A PATCH of the report at its current version, as its county's RSS, that must pass."""
        response = await self.client.patch(
            f"{API}/reports/{report['id']}",
            json=changes,
            headers={**self.rss(county_code), "If-Match": f'"{report["version"]}"'},
        )
        return expect(response, 200)

    async def approved(self, report_id: int, county_code: str) -> dict[str, Any]:
        """Submit (as the county) and approve (as admin)."""
        await self.moved(report_id, "submit", self.rss(county_code))
        return await self.moved(report_id, "approve", self.admin)


@asynccontextmanager
async def unchanged(schema: Schema) -> AsyncIterator[None]:
    """The block must leave every table of the schema as it found it."""
    before = await schema.counts()
    yield
    assert await schema.counts() == before
