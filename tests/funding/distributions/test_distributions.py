"""Distributions: one amount over many accounts, to the öre, all transfers or none."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from common.reference import COUNTIES
from services.funding.distributions.service import largest_remainder
from tests.funding.support import API, Ledger, error_locations
from tests.support import Schema, refused, unchanged

RSS = "2019.kvinnofrid.rss"
NINE_MSEK = 900_000_000

BAD_DISTRIBUTIONS: list[tuple[dict[str, Any], str]] = [
    ({"key": "weights"}, "body.targets.0.weight"),
    ({"key": "thirds"}, "body.key"),
    ({"targets": []}, "body.targets"),
    (
        {"targets": [{"account": f"{RSS}.01"}, {"account": "2019.nowhere"}]},
        "body.targets.1.account",
    ),
    ({"targets": [{"account": f"{RSS}.01"}, {"account": f"{RSS}.01"}]}, "body.targets.1.account"),
    ({"targets": [{"account": f"{RSS}.01", "weight": 2}]}, "body.targets.0.weight"),
    ({"targets": [{"account": RSS}]}, "body.targets.0.account"),
    ({"targets": [{"account": "2018.other"}]}, "body.targets.0.account"),
    ({"from_account": "2019.nowhere"}, "body.from_account"),
    ({"amount_ore": 20}, "body.amount_ore"),  # fewer öre than targets
    ({"amount_ore": -1}, "body.amount_ore"),
    ({"amount_ore": 1.5}, "body.amount_ore"),
    ({"amount_ore": 2**53}, "body.amount_ore"),
    ({"kind": "correction"}, "body.kind"),
]


@pytest.fixture
async def counties(ledger: Ledger) -> Ledger:
    """2019.kvinnofrid.rss holds 9 MSEK; one county account under it for each of the 21."""
    await ledger.funded(RSS, NINE_MSEK)
    for code in COUNTIES:
        await ledger.open(f"{RSS}.{code}", kind="county", parent=RSS, county_code=code)
    return ledger


def equal_split(codes: list[str], amount_ore: int = NINE_MSEK) -> dict[str, Any]:
    return {
        "from_account": RSS,
        "amount_ore": amount_ore,
        "key": "equal",
        "targets": [{"account": f"{RSS}.{code}"} for code in codes],
    }


class TestLargestRemainder:
    def test_parts_sum_to_the_whole_and_ties_go_to_the_earlier(self) -> None:
        assert largest_remainder(900_000_000, [1] * 21) == [42_857_143] * 18 + [42_857_142] * 3
        assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
        assert largest_remainder(100, [1, 2, 3]) == [17, 33, 50]
        assert largest_remainder(7, [5, 1, 1]) == [5, 1, 1]
        assert largest_remainder(1, [1, 1]) == [1, 0]

    def test_the_largest_remainder_wins_over_position(self) -> None:
        # 10 × 1/7 = 1.43, 10 × 2/7 = 2.86, 10 × 4/7 = 5.71: the öre left over goes to the
        # second part, whose remainder (.86) is the largest.
        assert largest_remainder(10, [1, 2, 4]) == [1, 3, 6]


class TestDistributions:
    async def test_9_msek_over_the_21_counties_in_the_targets_order(self, counties: Ledger) -> None:
        codes = list(COUNTIES)

        response = await counties.distribute(equal_split(codes))

        assert response.status_code == 201
        transfers = response.json()["transfers"]
        assert [t["to_account"] for t in transfers] == [f"{RSS}.{code}" for code in codes]
        amounts = [t["amount_ore"] for t in transfers]
        assert amounts == [42_857_143] * 18 + [42_857_142] * 3
        assert sum(amounts) == NINE_MSEK
        assert {t["state"] for t in transfers} == {"posted"}
        assert {t["kind"] for t in transfers} == {"allocation"}
        assert (await counties.account(RSS))["available_ore"] == 0
        balances = await counties.balances(*(f"{RSS}.{code}" for code in codes))
        assert [b[0] for b in balances.values()] == amounts

    async def test_ties_follow_the_order_given(self, counties: Ledger) -> None:
        codes = list(reversed(list(COUNTIES)))

        response = await counties.distribute(equal_split(codes))

        by_county = {t["to_account"][-2:]: t["amount_ore"] for t in response.json()["transfers"]}
        smaller = sorted(code for code, amount in by_county.items() if amount == 42_857_142)
        assert smaller == ["01", "03", "04"]  # the last three of the order given

    async def test_weights_split_in_proportion(self, counties: Ledger) -> None:
        body = {
            "from_account": RSS,
            "amount_ore": 100,
            "key": "weights",
            "targets": [
                {"account": f"{RSS}.01", "weight": 1},
                {"account": f"{RSS}.03", "weight": 2},
                {"account": f"{RSS}.04", "weight": 3},
            ],
        }

        response = await counties.distribute(body)

        assert response.status_code == 201
        assert [t["amount_ore"] for t in response.json()["transfers"]] == [17, 33, 50]
        assert (await counties.account(RSS))["available_ore"] == NINE_MSEK - 100

    async def test_overspend_is_409_and_no_transfer_is_made(
        self, counties: Ledger, schema: Schema
    ) -> None:
        before = await counties.balances(RSS, f"{RSS}.01", f"{RSS}.25")

        async with unchanged(schema):
            response = await counties.distribute(equal_split(list(COUNTIES), NINE_MSEK + 1))

        assert response.status_code == 409
        assert response.json()["type"] == "insufficient-funds"
        assert await counties.balances(RSS, f"{RSS}.01", f"{RSS}.25") == before
        assert await counties.transfers(from_account=RSS) == []

    async def test_bad_distribution_is_422_naming_the_field_and_moves_nothing(
        self, counties: Ledger, schema: Schema
    ) -> None:
        await counties.open("2018.other")
        before = await counties.balances(RSS, f"{RSS}.01")
        async with unchanged(schema):
            for change, field in BAD_DISTRIBUTIONS:
                response = await counties.distribute({**equal_split(list(COUNTIES)), **change})

                assert response.status_code == 422, response.text
                refused(response, 422, "validation-error")
                assert field in error_locations(response), (change, response.json())
        assert await counties.balances(RSS, f"{RSS}.01") == before
        assert await counties.transfers(from_account=RSS) == []


class TestRetries:
    async def test_50_concurrent_distribution_retries_have_one_effect(self, funded: Ledger) -> None:
        await funded.open("2019.c")
        body = {
            "from_account": "2019.a",
            "amount_ore": 1_001,
            "key": "equal",
            "targets": [{"account": "2019.b"}, {"account": "2019.c"}],
        }
        headers = funded.keyed("burst-distribution")

        responses = await asyncio.gather(
            *(
                funded.client.post(f"{API}/distributions", json=body, headers=headers)
                for _ in range(50)
            )
        )

        assert set(Counter(r.status_code for r in responses)) <= {201, 409}
        for response in responses:
            if response.status_code == 409:
                refused(response, 409, "idempotency-key-in-flight")
        assert (
            sum(
                1
                for r in responses
                if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
            )
            == 1
        )
        assert await funded.balances("2019.b", "2019.c") == {
            "2019.b": (501, 0, 0, 501),
            "2019.c": (500, 0, 0, 500),
        }
