"""`kvf seed`, goals part: the national indicator set for K1 and K2 through the goals API;
a second run changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import httpx

from common.auth import Role
from kvf.seed import _request
from kvf.seed_goals import NATIONAL_INDICATORS, plan
from tests.support import Tokens


async def run(client: httpx.AsyncClient, headers: Mapping[str, str]) -> Counter[str]:
    """Drive the plan with an async client, as `seed_async` drives the funding plan."""
    counts: Counter[str] = Counter()
    steps = plan(counts)
    try:
        call = next(steps)
        while True:
            response = await client.request(call.method, call.path, **_request(call, headers))
            call = steps.send(response)
    except StopIteration:
        return counts


async def national(client: httpx.AsyncClient, headers: Mapping[str, str]) -> list[Any]:
    response = await client.get(
        "/goals/v1/national-indicators", params={"limit": 100}, headers=headers
    )
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


class TestSeedGoals:
    async def test_seed_twice_loads_the_national_set_once(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        first = await run(client, tokens.admin)
        loaded = await national(client, tokens.admin)
        second = await run(client, tokens.admin)

        assert first == Counter({"national_indicators_created": len(NATIONAL_INDICATORS)})
        assert second == Counter({"unchanged": len(NATIONAL_INDICATORS)})
        assert await national(client, tokens.admin) == loaded
        assert {item["goal_code"] for item in loaded} == {"K1", "K2"}
        by_code = {item["code"]: item for item in loaded}
        assert by_code["K2-UTVLEDARE"]["measure"] == "boolean"
        assert (by_code["K1-HANDLPLAN"]["measure"], by_code["K1-HANDLPLAN"]["unit"]) == (
            "count",
            "kommuner",
        )
        assert by_code["K1-FORUM"]["measure"] == "boolean"
        assert by_code["K1-ANDELHANDLPLAN"]["denominator"] == "Kommuner i länet"

    async def test_a_reader_sees_the_seeded_set(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await run(client, tokens.admin)
        seen = await national(client, tokens.header(Role.reader))
        assert sorted(item["code"] for item in seen) == sorted(
            spec["code"] for spec in NATIONAL_INDICATORS
        )
