"""The funding service checked from outside, through a real gateway, with each role's token:
the seeded tree, a concurrent overspend, replays, and another county's account."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.e2e.outside import admin_bearer, bearer, kvf
from tests.processes import KvfUp
from tests.support import expect

API = "/funding/v1"


async def account(gateway: httpx.AsyncClient, headers: dict[str, str], code: str) -> Any:
    return expect(await gateway.get(f"{API}/accounts/{code}", headers=headers), 200)


async def open_account(
    gateway: httpx.AsyncClient, admin: dict[str, str], code: str, parent_code: str
) -> None:
    response = await gateway.post(
        f"{API}/accounts",
        json={
            "code": code,
            "name": f"E2E {code}",
            "year": 2019,
            "parent_code": parent_code,
            "kind": "budget",
        },
        headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text


async def transfer(
    gateway: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any], key: str
) -> httpx.Response:
    return await gateway.post(
        f"{API}/transfers", json=body, headers={**admin, "Idempotency-Key": key}
    )


async def test_funding_from_outside(platform: KvfUp) -> None:
    await asyncio.to_thread(kvf, platform, "seed")
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=30) as gateway:
        admin = await admin_bearer(platform, gateway)
        skane = await bearer(platform, gateway, "rss", "--county", "12")

        # The seeded 2019 tree sums exactly.
        rss = await account(gateway, admin, "2019.kvinnofrid.rss")
        listed = await gateway.get(
            f"{API}/accounts",
            params={"year": 2019, "kind": "county", "limit": 100},
            headers=admin,
        )
        assert listed.status_code == 200, listed.text
        counties = listed.json()["items"]
        assert len(counties) == 21
        assert sum(county["credited_ore"] for county in counties) == 900_000_000
        assert rss["debited_ore"] == 900_000_000
        assert rss["available_ore"] == 0

        # A concurrent overspend attempt leaves no account below zero.
        suffix = uuid.uuid4().hex[:8]
        spender, receiver = f"2019.e2e.{suffix}", f"2019.e2e.{suffix}.to"
        await open_account(gateway, admin, spender, "2019.kvinnofrid")
        await open_account(gateway, admin, receiver, spender)
        funded = await transfer(
            gateway,
            admin,
            {
                "from_account": "2019.kvinnofrid",
                "to_account": spender,
                "amount_ore": 1_000_000,
                "kind": "allocation",
            },
            str(uuid.uuid4()),
        )
        assert funded.status_code == 201, funded.text
        attempts = await asyncio.gather(
            *(
                transfer(
                    gateway,
                    admin,
                    {
                        "from_account": spender,
                        "to_account": receiver,
                        "amount_ore": 100_000,
                        "kind": "allocation",
                    },
                    str(uuid.uuid4()),
                )
                for _ in range(30)
            )
        )
        statuses = sorted(response.status_code for response in attempts)
        assert statuses == [201] * 10 + [409] * 20
        refused = next(response for response in attempts if response.status_code == 409)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("insufficient-funds")
        spent = await account(gateway, admin, spender)
        assert spent["available_ore"] == 0
        assert spent["debited_ore"] == 1_000_000

        # A replay returns the first response and moves no money.
        key = str(uuid.uuid4())
        back = {
            "from_account": receiver,
            "to_account": spender,
            "amount_ore": 250_000,
            "kind": "allocation",
        }
        first = await transfer(gateway, admin, back, key)
        again = await transfer(gateway, admin, back, key)
        assert first.status_code == again.status_code == 201, first.text
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json() == first.json()
        assert (await account(gateway, admin, spender))["available_ore"] == 250_000
        other_body = await transfer(gateway, admin, {**back, "amount_ore": 1}, key)
        assert other_body.status_code == 422

        # Another county's account is not found; its own is.
        assert (await account(gateway, skane, "2019.kvinnofrid.rss.12"))["county_code"] == "12"
        hidden = await gateway.get(f"{API}/accounts/2019.kvinnofrid.rss.01", headers=skane)
        assert hidden.status_code == 404
        assert hidden.headers["content-type"].startswith("application/problem+json")
