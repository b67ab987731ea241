"""Concurrency: however many requests run at once, no account but a source goes below zero.

The requests go through the gateway to the funding app in-process; each one has its own
session and connection from the app's pool, so they really do run at the same time against
PostgreSQL, and the rule that holds them back is PostgreSQL's.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

import httpx
import pytest

from tests.funding.support import Ledger
from tests.support import patiently

HELD = 10_000_000
STEP = 100_000
SHOTS = 200


def outcome(response: httpx.Response) -> tuple[int, str | None]:
    """(status, problem type) of a response."""
    problem = response.json().get("type") if response.is_error else None
    return response.status_code, problem


Send = Callable[[], Awaitable[httpx.Response]]


async def together(requests: Iterable[Send]) -> list[httpx.Response]:
    """Fire every request at once and wait for all of them; a request the service answers
    503 (busy, nothing done) is sent again, with its key, after Retry-After."""
    return list(await asyncio.gather(*(patiently(send) for send in requests)))


def transfer(ledger: Ledger, *args: Any, **extra: Any) -> Send:
    """A transfer that may be sent again: its Idempotency-Key is fixed now."""
    return partial(ledger.transfer, *args, headers=ledger.keyed(), **extra)


def settle(ledger: Ledger, transfer_id: int, action: str) -> Send:
    return partial(ledger.settle, transfer_id, action, headers=ledger.keyed())


@pytest.fixture
async def held(ledger: Ledger) -> Ledger:
    """2019.pool holds 10 000 000 öre; 2019.a and 2019.b receive."""
    await ledger.funded("2019.pool", HELD)
    await ledger.open("2019.a")
    await ledger.open("2019.b")
    return ledger


async def assert_ledger_balances(ledger: Ledger, code: str) -> dict[str, int]:
    """The account's balances agree with its transfers, and it is not below zero."""
    account = await ledger.account(code)
    out = await ledger.transfers(from_account=code)
    posted_out = sum(t["amount_ore"] for t in out if t["state"] == "posted")
    pending_out = sum(t["amount_ore"] for t in out if t["state"] == "pending")
    posted_in = sum(
        t["amount_ore"] for t in await ledger.transfers(to_account=code) if t["state"] == "posted"
    )
    assert account["credited_ore"] == posted_in
    assert account["debited_ore"] == posted_out
    assert account["pending_ore"] == pending_out
    assert account["available_ore"] == posted_in - posted_out - pending_out >= 0
    return account


class TestConcurrentTransfers:
    async def test_200_concurrent_transfers_exactly_100_succeed(self, held: Ledger) -> None:
        responses = await together(
            transfer(held, "2019.pool", "2019.a" if i % 2 else "2019.b", STEP) for i in range(SHOTS)
        )

        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {(201, None): 100, (409, "insufficient-funds"): 100}
        pool = await assert_ledger_balances(held, "2019.pool")
        assert pool["available_ore"] == 0
        made = await held.transfers(from_account="2019.pool")
        assert len(made) == 100
        assert sum(t["amount_ore"] for t in made) == pool["credited_ore"] == HELD
        received = await held.balances("2019.a", "2019.b")
        assert sum(b[0] for b in received.values()) == HELD

    async def test_concurrent_pending_transfers_never_reserve_more_than_held(
        self, held: Ledger
    ) -> None:
        responses = await together(
            transfer(held, "2019.pool", "2019.a", STEP, pending=bool(i % 2)) for i in range(SHOTS)
        )

        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {(201, None): 100, (409, "insufficient-funds"): 100}
        pool = await assert_ledger_balances(held, "2019.pool")
        assert pool["available_ore"] == 0
        assert pool["debited_ore"] + pool["pending_ore"] == HELD

    async def test_posting_and_voiding_concurrently_with_new_transfers(self, held: Ledger) -> None:
        """Every pending transfer is raced by a post and a void while new transfers try to
        take what the voids release: each pending settles exactly once, and the account
        never gives more than it holds."""
        first = await together(
            transfer(held, "2019.pool", "2019.a", STEP, pending=True) for _ in range(SHOTS // 2)
        )
        assert {r.status_code for r in first} == {201}
        ids = [r.json()["id"] for r in first]
        assert (await held.account("2019.pool"))["available_ore"] == 0

        settles = [settle(held, i, action) for i in ids for action in ("post", "void")]
        grab = [transfer(held, "2019.pool", "2019.b", STEP) for _ in range(SHOTS // 2)]
        responses = await together([*settles, *grab])

        settled, grabbed = responses[: len(settles)], responses[len(settles) :]
        for transfer_id, pair in zip(
            ids, zip(settled[::2], settled[1::2], strict=True), strict=True
        ):
            assert sorted(outcome(r) for r in pair) == [
                (200, None),
                (409, "transfer-not-pending"),
            ], transfer_id
        states = Counter(r.json()["state"] for r in settled if r.status_code == 200)
        assert states["posted"] + states["voided"] == len(ids)
        taken = Counter(outcome(r) for r in grabbed)
        assert set(taken) <= {(201, None), (409, "insufficient-funds")}
        assert taken[(201, None)] <= states["voided"]
        pool = await assert_ledger_balances(held, "2019.pool")
        assert pool["pending_ore"] == 0
        assert pool["available_ore"] == (states["voided"] - taken[(201, None)]) * STEP

        # What the voids released and nobody took is still there, to the öre: a second
        # round takes exactly that, and the account ends at zero.
        left = pool["available_ore"] // STEP
        second = await together(
            transfer(held, "2019.pool", "2019.b", STEP) for _ in range(left + 20)
        )
        assert Counter(outcome(r) for r in second) == Counter(
            {(201, None): left, (409, "insufficient-funds"): 20}
        )
        pool = await assert_ledger_balances(held, "2019.pool")
        assert pool["available_ore"] == 0
        posted = [
            t for t in await held.transfers(from_account="2019.pool") if t["state"] == "posted"
        ]
        assert sum(t["amount_ore"] for t in posted) == pool["credited_ore"] == HELD
