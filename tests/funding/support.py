"""Small typed factories for the funding tests: accounts, money and grants through the gateway;
and the check of a refusal: its status, its problem type, and nothing changed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.support import Tokens, expect

API = "/funding/v1"
MALMO = "212000-1124"
LUND = "212000-2965"
POOL = "2019.skolor"
_keys = itertools.count(1)


def new_key(prefix: str = "test") -> str:
    """A fresh Idempotency-Key."""
    return f"{prefix}-{next(_keys)}"


def error_locations(response: httpx.Response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["location"] for error in response.json().get("errors") or []}


async def database_rows(url: URL | str, sql: str, **params: Any) -> list[Any]:
    """Run one statement as the funding service's own role; its rows (if any)."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


def window(*, opened_days_ago: float = 1, closes_in_days: float = 30) -> dict[str, str]:
    """A call window relative to now: `opens_at` and `closes_at` as RFC 3339."""
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


class Ledger:
    """The funding API's accounts, transfers and distributions as an admin uses them, with
    one admin client for the whole test (idempotency keys are per client)."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens
        self.admin = tokens.admin

    def keyed(self, key: str | None = None) -> dict[str, str]:
        """The admin's headers with an Idempotency-Key (a fresh one unless given)."""
        return {**self.admin, "Idempotency-Key": key or new_key()}

    async def post_account(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(f"{API}/accounts", json=body, headers=headers or self.admin)

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
        return expect(await self.post_account(body), 201)

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

    async def transferred(
        self, from_account: str, to_account: str, amount_ore: int, **extra: Any
    ) -> dict[str, Any]:
        """A transfer that must be made."""
        return expect(await self.transfer(from_account, to_account, amount_ore, **extra), 201)

    async def settle(
        self, transfer_id: int, action: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST /transfers/{id}/post or /void."""
        return await self.client.post(
            f"{API}/transfers/{transfer_id}/{action}", headers=headers or self.keyed()
        )

    async def distribute(self, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        return await self.client.post(f"{API}/distributions", json=body, headers=self.keyed(key))

    async def funded(self, code: str, amount_ore: int, *, parent: str | None = None) -> None:
        """A budget account holding `amount_ore`, appropriated from its year's source."""
        year = code.split(".")[0]
        source = f"{year}.staten"
        if (await self.client.get(f"{API}/accounts/{source}", headers=self.admin)).is_error:
            await self.open(source, kind="source")
        await self.open(code, parent=parent)
        await self.transferred(source, code, amount_ore, kind="appropriation")

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
            page = expect(response, 200)
            items += page["items"]
            if len(items) >= page["total"]:
                return items


class Grants:
    """The grants API: an admin's calls and decisions, organisers' interests, applications and
    settlements (one client per organiser for the whole test: keys are per client)."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger | None = None
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.ledger = ledger or Ledger(client, tokens)
        self._organisers: dict[str, dict[str, str]] = {}

    def organiser(self, number: str) -> dict[str, str]:
        """The headers of the organiser `number` (the same client throughout the test)."""
        if number not in self._organisers:
            self._organisers[number] = self.tokens.organiser(number)
        return self._organisers[number]

    async def post_call(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"{API}/calls", json=body, headers=headers or self.ledger.admin
        )

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
        return expect(await self.post_call(body), 201)

    async def express_interest(
        self, call_id: int, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.post(
            f"{API}/calls/{call_id}/interests", json=body, headers=headers
        )

    async def apply(self, call_id: int, number: str = MALMO, **extra: Any) -> httpx.Response:
        return await self.client.post(
            f"{API}/calls/{call_id}/applications",
            json=application_body(number, **extra),
            headers=self.organiser(number),
        )

    async def applied(self, call_id: int, number: str = MALMO, **extra: Any) -> dict[str, Any]:
        """An application that must be submitted."""
        return expect(await self.apply(call_id, number, **extra), 201)

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

    async def read(
        self, application_id: int, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.get(
            f"{API}/applications/{application_id}", headers=headers or self.ledger.admin
        )

    async def state(self, application_id: int) -> str:
        """The application's state now, as an admin reads it."""
        state: str = expect(await self.read(application_id), 200)["state"]
        return state
