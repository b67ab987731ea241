"""Idempotency keys on transfers: a retry replays the first response and moves no money."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.database import DatabaseRun
from tests.funding.support import API, Ledger, database_rows
from tests.support import Schema, refused, unchanged

TRANSFER = {"from_account": "2019.a", "to_account": "2019.b", "amount_ore": 1_000, "kind": "grant"}


class TestReplays:
    async def test_a_retry_replays_the_first_response_and_moves_no_money(
        self, funded: Ledger
    ) -> None:
        headers = funded.keyed("retry-1")
        first = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        after_first = await funded.balances("2019.a", "2019.b")

        retry = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)

        assert first.status_code == retry.status_code == 201
        assert "Idempotent-Replayed" not in first.headers
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert await funded.balances("2019.a", "2019.b") == after_first
        assert len(await funded.transfers(from_account="2019.a")) == 1

    async def test_the_same_key_with_another_body_is_422_and_moves_nothing(
        self, funded: Ledger, schema: Schema
    ) -> None:
        headers = funded.keyed("retry-2")
        await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        after_first = await funded.balances("2019.a", "2019.b")

        async with unchanged(schema):
            other = await funded.client.post(
                f"{API}/transfers", json={**TRANSFER, "amount_ore": 2_000}, headers=headers
            )

        assert other.status_code == 422
        assert other.json()["type"] == "idempotency-key-reused"
        assert await funded.balances("2019.a", "2019.b") == after_first

    async def test_a_refused_request_stores_nothing_and_may_be_retried(
        self, funded: Ledger, schema: Schema
    ) -> None:
        headers = funded.keyed("retry-3")
        async with unchanged(schema):
            refusal = await funded.client.post(
                f"{API}/transfers", json={**TRANSFER, "amount_ore": 10_000_001}, headers=headers
            )
        await funded.transferred("2019.staten", "2019.a", 1, kind="appropriation")

        retried = await funded.client.post(
            f"{API}/transfers", json={**TRANSFER, "amount_ore": 10_000_001}, headers=headers
        )

        assert refusal.status_code == 409
        refused(refusal, 409, "insufficient-funds")
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried.headers

    async def test_keys_belong_to_their_client(self, funded: Ledger, tokens: Any) -> None:
        await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=funded.keyed("mine"))

        other_admin = {**tokens.admin, "Idempotency-Key": "mine"}
        response = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=other_admin)

        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
        assert len(await funded.transfers(from_account="2019.a")) == 2

    async def test_50_concurrent_identical_retries_have_one_effect(self, funded: Ledger) -> None:
        headers = funded.keyed("burst")

        responses = await asyncio.gather(
            *(
                funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
                for _ in range(50)
            )
        )

        first = [
            r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
        ]
        assert len(first) == 1
        for response in responses:
            if response.status_code == 201:
                assert response.json() == first[0].json()
            else:
                assert response.status_code == 409
                assert response.json()["type"] == "idempotency-key-in-flight"
        later = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        assert later.headers["Idempotent-Replayed"] == "true"
        assert later.json() == first[0].json()
        assert [t["id"] for t in await funded.transfers(from_account="2019.a")] == [
            first[0].json()["id"]
        ]
        assert await funded.balances("2019.a", "2019.b") == {
            "2019.a": (10_000_000, 1_000, 0, 9_999_000),
            "2019.b": (1_000, 0, 0, 1_000),
        }

    async def test_an_expired_key_makes_a_new_transfer(
        self, funded: Ledger, test_run: DatabaseRun, database: str
    ) -> None:
        headers = funded.keyed("expires")
        first = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        await database_rows(
            test_run.role_url(database, "funding"),
            "UPDATE funding.idempotency_key SET expires_at = now() - interval '1 second'",
        )

        again = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        replayed = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)

        assert first.status_code == again.status_code == 201
        assert "Idempotent-Replayed" not in again.headers
        assert again.json()["id"] != first.json()["id"]
        assert replayed.headers["Idempotent-Replayed"] == "true"
        assert replayed.json() == again.json()
        assert (await funded.account("2019.b"))["credited_ore"] == 2_000
