"""The funding service checked from outside, through a real gateway, with each role's token:
the seeded tree, a concurrent overspend, replays, and another county's account."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest

from tests.e2e.outside import admin_bearer, bearer, expect_problem, keyed, kvf
from tests.processes import KvfUp
from tests.support import expect, patiently

API = "/funding/v1"
PROGRAMME = "2019.kvinnofrid"


@dataclass(frozen=True)
class Seeded:
    """The platform after `kvf seed`, and the admin's and Skåne's rss headers."""

    admin: dict[str, str]
    skane: dict[str, str]


@pytest.fixture(scope="module")
async def seeded(platform: KvfUp, outside: httpx.AsyncClient) -> Seeded:
    await asyncio.to_thread(kvf, platform, "seed")
    return Seeded(
        admin=await admin_bearer(platform, outside),
        skane=await bearer(platform, outside, "rss", "--county", "12"),
    )


async def account(outside: httpx.AsyncClient, headers: dict[str, str], code: str) -> Any:
    return expect(await outside.get(f"{API}/accounts/{code}", headers=headers), 200)


async def transfer(
    outside: httpx.AsyncClient,
    admin: dict[str, str],
    route: tuple[str, str],
    amount_ore: int,
    key: str | None = None,
) -> httpx.Response:
    """An allocation of `amount_ore` along `route` (from, to), under `key` or a fresh one."""
    body = {"from_account": route[0], "to_account": route[1], "amount_ore": amount_ore}
    return await outside.post(
        f"{API}/transfers", json={**body, "kind": "allocation"}, headers=keyed(admin, key)
    )


async def funded_pair(outside: httpx.AsyncClient, admin: dict[str, str]) -> tuple[str, str]:
    """A new account under the programme holding 1 000 000 öre, and a new child account of it
    holding nothing: (spender, receiver)."""
    spender = f"2019.e2e.{uuid.uuid4().hex[:8]}"
    receiver = f"{spender}.to"
    for code, parent_code in ((spender, PROGRAMME), (receiver, spender)):
        body = {"code": code, "name": f"E2E {code}", "year": 2019, "parent_code": parent_code}
        opened = await outside.post(
            f"{API}/accounts", json={**body, "kind": "budget"}, headers=keyed(admin)
        )
        expect(opened, 201)
    expect(await transfer(outside, admin, (PROGRAMME, spender), 1_000_000), 201)
    return spender, receiver


@contextmanager
def busy_cores(count: int) -> Iterator[None]:
    """Other processes spinning on `count` cores for the duration of the block."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


class TestFundingFromOutside:
    async def test_the_seeded_2019_tree_sums_exactly(
        self, seeded: Seeded, outside: httpx.AsyncClient
    ) -> None:
        rss = await account(outside, seeded.admin, f"{PROGRAMME}.rss")
        listed = await outside.get(
            f"{API}/accounts",
            params={"year": 2019, "kind": "county", "limit": 100},
            headers=seeded.admin,
        )
        counties = expect(listed, 200)["items"]
        assert len(counties) == 21
        assert sum(county["credited_ore"] for county in counties) == 900_000_000
        assert rss["debited_ore"] == 900_000_000
        assert rss["available_ore"] == 0

    async def test_a_concurrent_overspend_leaves_no_account_below_zero(
        self, seeded: Seeded, outside: httpx.AsyncClient
    ) -> None:
        route = await funded_pair(outside, seeded.admin)
        attempts = await asyncio.gather(
            *(transfer(outside, seeded.admin, route, 100_000) for _ in range(30))
        )
        statuses = sorted(response.status_code for response in attempts)
        assert statuses == [201] * 10 + [409] * 20
        refused = next(response for response in attempts if response.status_code == 409)
        expect_problem(refused, 409, "insufficient-funds")
        spent = await account(outside, seeded.admin, route[0])
        assert spent["available_ore"] == 0
        assert spent["debited_ore"] == 1_000_000

    async def test_a_burst_of_200_on_a_busy_machine_moves_exactly_what_there_is(
        self, seeded: Seeded, outside: httpx.AsyncClient
    ) -> None:
        """Default settings, both cores kept busy by other processes: 200 transfers at once
        from an account with room for 100. A client that waits out Retry-After (429 from the
        rate limit, 503 from a busy service) gets exactly 100 x 201 and 100 x 409, nothing
        else, and the account ends at zero."""
        route = await funded_pair(outside, seeded.admin)
        answers: list[httpx.Response] = []

        async def send(key: str) -> httpx.Response:
            answers.append(await transfer(outside, seeded.admin, route, 10_000, key))
            return answers[-1]

        with busy_cores(2):
            attempts = await asyncio.gather(
                *(patiently(partial(send, str(uuid.uuid4()))) for _ in range(200))
            )
        statuses = Counter(response.status_code for response in attempts)
        assert statuses == {201: 100, 409: 100}, statuses
        # On the way, only "wait": never "not reachable" while the service was up.
        waits = Counter(a.status_code for a in answers if a.status_code not in (201, 409))
        assert set(waits) <= {429, 503}, waits
        assert not [a for a in answers if "not reachable" in a.text], "a false 503"
        spent = await account(outside, seeded.admin, route[0])
        assert (spent["available_ore"], spent["debited_ore"]) == (0, 1_000_000)
        received = await account(outside, seeded.admin, route[1])
        assert received["credited_ore"] == 1_000_000

    async def test_a_replay_returns_the_first_response_and_moves_no_money(
        self, seeded: Seeded, outside: httpx.AsyncClient
    ) -> None:
        route = await funded_pair(outside, seeded.admin)
        key = str(uuid.uuid4())
        first = await transfer(outside, seeded.admin, route, 250_000, key)
        again = await transfer(outside, seeded.admin, route, 250_000, key)
        assert first.status_code == again.status_code == 201, first.text
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json() == first.json()
        assert (await account(outside, seeded.admin, route[1]))["available_ore"] == 250_000

    async def test_a_key_reused_with_another_body_is_refused(
        self, seeded: Seeded, outside: httpx.AsyncClient
    ) -> None:
        route = await funded_pair(outside, seeded.admin)
        key = str(uuid.uuid4())
        expect(await transfer(outside, seeded.admin, route, 250_000, key), 201)
        expect_problem(await transfer(outside, seeded.admin, route, 1, key), 422)

    async def test_another_countys_account_is_not_found_its_own_is(
        self, seeded: Seeded, outside: httpx.AsyncClient
    ) -> None:
        own = await account(outside, seeded.skane, f"{PROGRAMME}.rss.12")
        assert own["county_code"] == "12"
        hidden = await outside.get(f"{API}/accounts/{PROGRAMME}.rss.01", headers=seeded.skane)
        expect_problem(hidden, 404)
