"""Small typed factories for the funding tests: accounts, money and requests via the gateway."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

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
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

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
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

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
