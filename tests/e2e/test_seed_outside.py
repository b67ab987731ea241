"""`kvf seed` as a user runs it after `make run`: the programme's facts, loaded twice."""

from __future__ import annotations

import asyncio

import httpx

from common.reference import COUNTIES
from tests.e2e.outside import kvf, token
from tests.processes import KvfUp


async def test_seed_twice_loads_the_programme_once_and_the_2019_tree_sums(
    platform: KvfUp,
) -> None:
    # The seed sends more requests than the gateway's burst allows: `kvf` waits out the 429s.
    # (Another test of this package may have seeded first: then both runs change nothing.)
    await asyncio.to_thread(kvf, platform, "seed")
    second = await asyncio.to_thread(kvf, platform, "seed")

    created = {key: value for key, value in second.items() if key.endswith("_created")}
    assert created, second
    assert set(created.values()) == {0}, second

    reader = await asyncio.to_thread(
        kvf, platform, "clients", "create", "--name", "Reader", "--role", "reader"
    )
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as gateway:
        bearer = {"Authorization": f"Bearer {await token(gateway, reader)}"}
        summary = await gateway.get("/funding/v1/summary", params={"year": 2019}, headers=bearer)
    assert summary.status_code == 200, summary.text
    accounts = {account["code"]: account for account in summary.json()["accounts"]}
    counties = [accounts[f"2019.kvinnofrid.rss.{code}"] for code in COUNTIES]
    assert sum(county["budget_ore"] for county in counties) == 900_000_000
    assert sorted({county["budget_ore"] for county in counties}) == [42_857_142, 42_857_143]

    excel = await asyncio.to_thread(kvf, platform, "report", "summary", "--year", "2019", "--excel")
    header, *rows = excel.splitlines()
    assert header.startswith("\ufeff")
    assert "code" in header.split(";")
    assert any(row.split(";")[1] == "2019.kvinnofrid.rss.12" for row in rows)
