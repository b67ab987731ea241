"""Small typed factories for the funding tests: accounts, money and requests via the gateway."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.support import expect

API = "/funding/v1"
_keys = itertools.count(1)


def new_key(prefix: str = "test") -> str:
    """A fresh Idempotency-Key."""
    return f"{prefix}-{next(_keys)}"


class Ledger:
    """The funding API as an admin uses it, with one admin client for the whole test."""

    def __init__(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        self.client = client
        self.admin = admin

    def keyed(self, key: str | None = None) -> dict[str, str]:
        return {**self.admin, "Idempotency-Key": key or new_key()}

    async def open(
        self,
        code: str,
        *,
        kind: str = "budget",
        parent: str | None = None,
        name: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Open an account (the year is the code's first part); it must succeed."""
        body = {
            "code": code,
            "name": name or code,
            "year": int(code.split(".")[0]),
            "kind": kind,
            "parent_code": parent,
            **extra,
        }
        response = await self.client.post(f"{API}/accounts", json=body, headers=self.admin)
        return expect(response, 201)

    async def transfer(
        self,
        from_account: str,
        to_account: str,
        amount_ore: Any,
        *,
        kind: str = "allocation",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        body = {
            "from_account": from_account,
            "to_account": to_account,
            "amount_ore": amount_ore,
            "kind": kind,
            **extra,
        }
        return await self.client.post(
            f"{API}/transfers", json=body, headers=headers or self.keyed()
        )

    async def funded(self, code: str, amount_ore: int, *, parent: str | None = None) -> None:
        """A budget account holding `amount_ore`, appropriated from its year's source."""
        year = code.split(".")[0]
        source = f"{year}.staten"
        if (await self.client.get(f"{API}/accounts/{source}", headers=self.admin)).is_error:
            await self.open(source, kind="source")
        await self.open(code, parent=parent)
        response = await self.transfer(source, code, amount_ore, kind="appropriation")
        assert response.status_code == 201, response.text

    async def account(self, code: str) -> dict[str, Any]:
        response = await self.client.get(f"{API}/accounts/{code}", headers=self.admin)
        return expect(response, 200)

    async def balances(self, *codes: str) -> dict[str, tuple[int, int, int, int]]:
        """(credited, debited, pending, available) of each account."""
        result = {}
        for code in codes:
            a = await self.account(code)
            result[code] = (
                a["credited_ore"],
                a["debited_ore"],
                a["pending_ore"],
                a["available_ore"],
            )
        return result

    async def transfers(self, **params: Any) -> list[dict[str, Any]]:
        """Every transfer matching the filters (all pages)."""
        items: list[dict[str, Any]] = []
        while True:
            response = await self.client.get(
                f"{API}/transfers",
                params={**params, "limit": 100, "offset": len(items)},
                headers=self.admin,
            )
            assert response.status_code == 200, response.text
            page = response.json()
            items += page["items"]
            if len(items) >= page["total"]:
                return items


async def database_rows(url: Any, sql: str, **params: Any) -> list[Any]:
    """Run one statement as the funding service's own role; its rows (if any)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


def error_locations(response: httpx.Response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["location"] for error in response.json().get("errors") or []}


MALMO = "212000-1124"
LUND = "212000-2965"
POOL = "2019.skolor"


def window(*, opened_days_ago: float = 1, closes_in_days: float = 30) -> dict[str, str]:
    """A call window relative to now: `opens_at` and `closes_at` as RFC 3339."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    return {
        "opens_at": (now - timedelta(days=opened_days_ago)).isoformat(),
        "closes_at": (now + timedelta(days=closes_in_days)).isoformat(),
    }


def application_body(number: str = MALMO, **extra: Any) -> dict[str, Any]:
    """A valid application from the organiser `number`."""
    return {
        "organisation_number": number,
        "organiser_name": f"Kommun {number}",
        "school_unit_codes": ["12345678", "23456789"],
        "requested_amount_ore": 20_000_000,
        "method": "MVP",
        "plan": "Utbilda mentorer i årskurs 7-9.",
        **extra,
    }


class Grants:
    """The grants API: an admin's calls and decisions, organisers' applications."""

    def __init__(self, ledger: Ledger, organiser: Any) -> None:
        self.ledger = ledger
        self.client = ledger.client
        self.organiser = organiser  # organisation number -> that organiser's headers

    async def call(
        self,
        *,
        pool_ore: int = 50_000_000,
        pool: str = POOL,
        when: dict[str, str] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A call paid from a pool holding `pool_ore`, open now unless `when` says otherwise."""
        await self.ledger.funded(pool, pool_ore)
        body = {
            "title": "Utvecklingsmedel 2019",
            "pool_account": pool,
            "max_amount_per_organiser_ore": 20_000_000,
            **(when or window()),
            **extra,
        }
        response = await self.client.post(f"{API}/calls", json=body, headers=self.ledger.admin)
        return expect(response, 201)

    async def apply(self, call_id: int, number: str = MALMO, **extra: Any) -> httpx.Response:
        return await self.client.post(
            f"{API}/calls/{call_id}/applications",
            json=application_body(number, **extra),
            headers=self.organiser(number),
        )

    async def applied(self, call_id: int, number: str = MALMO, **extra: Any) -> dict[str, Any]:
        response = await self.apply(call_id, number, **extra)
        return expect(response, 201)

    async def step(
        self,
        application_id: int,
        step: str,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST /applications/{id}/{step} (decision, payments, settlement, repayments)."""
        return await self.client.post(
            f"{API}/applications/{application_id}/{step}",
            json=body,
            headers=headers or self.ledger.keyed(),
        )

    async def approved(self, call_id: int, amount_ore: int, number: str = MALMO) -> dict[str, Any]:
        """An application from `number`, approved for `amount_ore`."""
        application = await self.applied(call_id, number)
        response = await self.step(
            application["id"],
            "decision",
            {"decision": "approve", "approved_amount_ore": amount_ore},
        )
        return expect(response, 200)

    async def read(self, application_id: int, headers: dict[str, str] | None = None) -> Any:
        return await self.client.get(
            f"{API}/applications/{application_id}", headers=headers or self.ledger.admin
        )
