"""`kvf seed`: the programme's facts through the API; a second run changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from common.reference import COUNTIES
from kvf.seed import CALL_TITLE, SCHOOL_POOL, seed, seed_async
from tests.support import Tokens

API = "/funding/v1"
MSEK = 100_000_000


async def _everything(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """What the seed leaves behind, as the API shows it."""

    async def every(path: str) -> list[Any]:
        items: list[Any] = []
        while True:
            response = await client.get(
                f"{API}/{path}", params={"limit": 100, "offset": len(items)}, headers=headers
            )
            assert response.status_code == 200, response.text
            items += response.json()["items"]
            if len(items) >= response.json()["total"]:
                return items

    return {
        "accounts": await every("accounts"),
        "transfers": await every("transfers"),
        "calls": await every("calls"),
    }


class TestSeed:
    async def test_seed_twice_loads_the_facts_once(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        admin = tokens.admin

        first = await seed_async(client, admin)
        loaded = await _everything(client, admin)
        second = await seed_async(client, admin)

        assert first["accounts_created"] == 2 * (5 + 21) + 1
        assert first["distributions_created"] == 2
        assert first["calls_created"] == 1
        assert first["unchanged"] == 0
        assert second == {
            "accounts_created": 0,
            "transfers_created": 0,
            "distributions_created": 0,
            "calls_created": 0,
            "calls_changed": 0,
            "national_indicators_created": 0,
            "unchanged": sum(first.values()),
        }
        assert await _everything(client, admin) == loaded
        other_admin = await seed_async(client, tokens.admin)  # another client: other keys
        assert other_admin == second
        assert await _everything(client, admin) == loaded

    async def test_the_facts_and_the_2019_tree_sums_exactly(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await seed_async(client, tokens.admin)

        response = await client.get(f"{API}/summary", params={"year": 2019}, headers=tokens.reader)

        rows = {row["code"]: row for row in response.json()["accounts"]}
        budget = {code: row["budget_ore"] for code, row in rows.items()}
        supplement = {code: row["supplementary_ore"] for code, row in rows.items()}
        # The June 2019 supplement runs through the agreement and kvinnofrid to the pool.
        assert budget["2019.overenskommelse"] == 32 * MSEK
        assert supplement["2019.overenskommelse"] == 7 * MSEK
        assert budget["2019.kvinnofrid"] == 27 * MSEK
        assert supplement["2019.kvinnofrid"] == 7 * MSEK
        assert budget["2019.jamstalldhet"] == 5 * MSEK
        assert budget["2019.kvinnofrid.rss"] == 9 * MSEK
        assert budget[SCHOOL_POOL] == 7 * MSEK == supplement[SCHOOL_POOL]
        assert rows["2019.staten"]["allocated_ore"] == 32 * MSEK
        assert rows["2019.overenskommelse"]["allocated_ore"] == 32 * MSEK
        counties = [budget[f"2019.kvinnofrid.rss.{code}"] for code in COUNTIES]
        assert counties == [42_857_143] * 18 + [42_857_142] * 3
        assert sum(counties) == 9 * MSEK == rows["2019.kvinnofrid.rss"]["paid_ore"]
        assert rows["2019.kvinnofrid.rss"]["available_ore"] == 0
        assert rows["2019.overenskommelse"]["available_ore"] == 0
        assert rows["2019.kvinnofrid"]["available_ore"] == 11 * MSEK
        assert rows["2019.kvinnofrid"]["allocated_ore"] == 16 * MSEK
        # Double entry: what the state gave is exactly what the programme's accounts hold.
        assert rows["2019.staten"]["available_ore"] == -32 * MSEK
        held = sum(row["available_ore"] for row in rows.values() if row["kind"] != "source")
        assert held == 32 * MSEK
        assert all(row["available_ore"] >= 0 for row in rows.values() if row["kind"] != "source")

        await self._assert_2018(client, tokens)
        await self._assert_call(client, tokens)

    async def test_a_database_seeded_the_old_way_is_corrected_not_rewritten(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        """Before, the supplement was an appropriation straight from the state to the pool."""
        await seed_async(client, tokens.admin)
        [supplement] = [
            t
            for t in (await _everything(client, tokens.admin))["transfers"]
            if t["decision"] == "supplementary" and t["to_account"] == SCHOOL_POOL
        ]
        old = await client.post(
            f"{API}/transfers",
            json={
                "from_account": "2019.staten",
                "to_account": SCHOOL_POOL,
                "amount_ore": 7 * MSEK,
                "kind": "appropriation",
                "note": "Förstärkning juni 2019",
            },
            headers={**tokens.admin, "Idempotency-Key": "old-seed-supplement"},
        )
        assert old.status_code == 201, old.text
        history = (await _everything(client, tokens.admin))["transfers"]

        counts = await seed_async(client, tokens.admin)
        again = await seed_async(client, tokens.admin)

        assert counts["transfers_created"] == 1
        assert again["transfers_created"] == 0
        after = (await _everything(client, tokens.admin))["transfers"]
        assert [t for t in after if t["id"] in {h["id"] for h in history}] == history
        [correction] = [t for t in after if t["kind"] == "correction"]
        assert correction["corrects_id"] == old.json()["id"]
        assert (correction["from_account"], correction["to_account"]) == (
            SCHOOL_POOL,
            "2019.staten",
        )
        assert supplement["id"] in {t["id"] for t in after}
        response = await client.get(f"{API}/summary", params={"year": 2019}, headers=tokens.admin)
        rows = {row["code"]: row for row in response.json()["accounts"]}
        assert rows[SCHOOL_POOL]["budget_ore"] == 7 * MSEK
        assert rows["2019.overenskommelse"]["budget_ore"] == 32 * MSEK
        assert rows["2019.staten"]["available_ore"] == -32 * MSEK

    async def test_a_call_seeded_before_interest_was_required_is_changed_with_a_reason(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await seed_async(client, tokens.admin)
        [call] = (await _everything(client, tokens.admin))["calls"]
        undo = await client.patch(
            f"{API}/calls/{call['id']}",
            json={"requires_interest": False, "reason": "as the old seed left it"},
            headers=tokens.admin,
        )
        assert undo.status_code == 200, undo.text

        counts = await seed_async(client, tokens.admin)

        assert counts["calls_changed"] == 1
        [after] = (await _everything(client, tokens.admin))["calls"]
        assert after["requires_interest"] is True
        changes = await client.get(f"{API}/calls/{call['id']}/changes", headers=tokens.admin)
        assert [c["after"] for c in changes.json()["items"]][-1] == {"requires_interest": True}

    async def _assert_2018(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        """2018: the agreement and the RSS split, no school pool; nothing for 2020."""
        response = await client.get(f"{API}/summary", params={"year": 2018}, headers=tokens.reader)

        budget = {row["code"]: row["budget_ore"] for row in response.json()["accounts"]}
        assert budget["2018.overenskommelse"] == 25 * MSEK
        assert sum(budget[f"2018.kvinnofrid.rss.{code}"] for code in COUNTIES) == 9 * MSEK
        assert "2018.kvinnofrid.skolor" not in budget
        nothing = await client.get(f"{API}/summary", params={"year": 2020}, headers=tokens.admin)
        assert nothing.json()["accounts"] == []

    async def _assert_call(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        """The school grants call of June 2019, with its window and limits."""
        response = await client.get(f"{API}/calls", headers=tokens.admin)

        [call] = response.json()["items"]
        assert call["title"] == CALL_TITLE
        assert call["pool_account"] == SCHOOL_POOL
        assert call["opens_at"] == "2019-06-09T22:00:00Z"  # 10 June 2019, Swedish time
        assert call["closes_at"] == "2019-09-30T22:00:00Z"  # to the end of 30 September
        assert call["max_amount_per_organiser_ore"] == 200_000 * 100
        assert (call["min_schools"], call["max_schools"]) == (1, 2)
        assert call["eligible"] == "municipal"
        assert call["is_open"] is False
        # An expression of interest came first; decisions after the call closed.
        assert (call["requires_interest"], call["rolling"]) == (True, False)


class _ThroughLoop(httpx.BaseTransport):
    """A sync transport that sends each request with an async client on the test's loop,
    so the sync `seed` of `kvf seed` can run (in a thread) against the in-process gateway."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=request.read()
            )
            response = await self.client.send(forwarded)
            return httpx.Response(
                response.status_code, headers=response.headers, content=await response.aread()
            )

        return asyncio.run_coroutine_threadsafe(send(), self.loop).result(timeout=60)


class TestSeedCommand:
    async def test_the_sync_seed_of_kvf_seed_loads_the_same_and_then_nothing(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        admin = tokens.admin
        transport = _ThroughLoop(client, asyncio.get_running_loop())

        with httpx.Client(transport=transport, base_url="http://testserver") as sync:
            first = await asyncio.to_thread(seed, sync, admin)
            loaded = await _everything(client, admin)
            second = await asyncio.to_thread(seed, sync, admin)

        assert first["accounts_created"] == 2 * (5 + 21) + 1
        assert first["calls_created"] == 1
        assert second["unchanged"] == sum(first.values())
        assert await _everything(client, admin) == loaded
