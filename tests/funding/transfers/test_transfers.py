"""Transfers: money moves in whole öre, never beyond what an account has, and stays put."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter
from sqlalchemy.exc import DBAPIError

from tests.database import DatabaseRun
from tests.funding.support import API, Ledger, database_rows, error_locations
from tests.support import Schema, Tokens, expect, refused, unchanged

BAD_TRANSFERS: list[tuple[dict[str, Any], str]] = [
    ({"amount_ore": 1.5}, "body.amount_ore"),
    ({"amount_ore": 100.25}, "body.amount_ore"),
    ({"amount_ore": "100"}, "body.amount_ore"),
    ({"amount_ore": -100}, "body.amount_ore"),
    ({"amount_ore": 0}, "body.amount_ore"),
    ({"amount_ore": True}, "body.amount_ore"),
    ({"amount_ore": None}, "body.amount_ore"),
    ({"amount_ore": 2**53}, "body.amount_ore"),
    ({"amount_ore": 2**53 + 1}, "body.amount_ore"),
    ({"amount_ore": 10**30}, "body.amount_ore"),
    ({"from_account": "2019.nowhere"}, "body.from_account"),
    ({"to_account": "2019.nowhere"}, "body.to_account"),
    ({"to_account": "2019.a"}, "body.to_account"),
    ({"to_account": "2018.c"}, "body.to_account"),
    ({"kind": "gift"}, "body.kind"),
    ({"pending": "yes"}, "body.pending"),
    ({"kind": "correction"}, "body.corrects_id"),
    ({"corrects_id": 1}, "body.corrects_id"),
    ({"surprise": 1}, "body.surprise"),
]


@pytest.fixture
async def funded(funded: Ledger) -> Ledger:
    """The funded 2019.a and empty 2019.b of every funding test, and 2018.c."""
    await funded.open("2018.c")
    return funded


REWRITES = [
    "UPDATE funding.transfer SET amount_ore = 1",
    "UPDATE funding.transfer SET state = 'voided'",
    "DELETE FROM funding.transfer",
    "DELETE FROM funding.account WHERE code = '2019.b'",
    "UPDATE funding.account SET kind = 'source' WHERE code = '2019.b'",
    "DELETE FROM funding.audit_event",
]


class TestTransfers:
    async def test_posted_transfer_moves_the_amount(self, funded: Ledger) -> None:
        response = await funded.transfer("2019.a", "2019.b", 2_500_000, note="RSS")

        assert response.status_code == 201
        body = response.json()
        assert body["state"] == "posted"
        assert (body["from_account"], body["to_account"], body["amount_ore"]) == (
            "2019.a",
            "2019.b",
            2_500_000,
        )
        assert body["created_at"].endswith("Z")
        assert await funded.balances("2019.a", "2019.b") == {
            "2019.a": (10_000_000, 2_500_000, 0, 7_500_000),
            "2019.b": (2_500_000, 0, 0, 2_500_000),
        }

    async def test_overspend_is_409_insufficient_funds_and_changes_nothing(
        self, funded: Ledger, schema: Schema
    ) -> None:
        before = await funded.balances("2019.a", "2019.b")

        async with unchanged(schema):
            response = await funded.transfer("2019.a", "2019.b", 10_000_001)

        assert response.status_code == 409
        problem = response.json()
        assert problem["type"] == "insufficient-funds"
        assert problem["available_ore"] == 10_000_000
        # Kronor as a person writes them, beside the öre fields.
        assert problem["detail"] == (
            "Account 2019.a has 100 000,00 kr available; 100 000,01 kr were asked for."
        )
        assert await funded.balances("2019.a", "2019.b") == before
        assert len(await funded.transfers(account="2019.b")) == 0

    async def test_an_amount_written_with_a_zero_fraction_is_that_integer(
        self, funded: Ledger
    ) -> None:
        """In JSON and JSON Schema 100.0 is the integer 100; 100.25 is refused above."""
        before = await funded.account("2019.b")
        body = {"from_account": "2019.a", "to_account": "2019.b", "amount_ore": 100.0}
        body["kind"] = "allocation"
        response = await funded.client.post(f"{API}/transfers", json=body, headers=funded.keyed())
        assert expect(response, 201)["amount_ore"] == 100
        after = await funded.account("2019.b")
        assert after["credited_ore"] == before["credited_ore"] + 100

    async def test_source_account_may_go_negative(self, funded: Ledger) -> None:
        staten = await funded.account("2019.staten")

        assert staten["available_ore"] == -10_000_000
        assert staten["kind"] == "source"

    async def test_bad_transfer_is_422_naming_the_field_and_balances_are_unchanged(
        self, funded: Ledger, schema: Schema
    ) -> None:
        before = await funded.balances("2019.a", "2019.b", "2018.c")
        async with unchanged(schema):
            for change, field in BAD_TRANSFERS:
                body = {"from_account": "2019.a", "to_account": "2019.b", "amount_ore": 100}
                body |= {"kind": "allocation", **change}

                response = await funded.client.post(
                    f"{API}/transfers", json=body, headers=funded.keyed()
                )

                assert response.status_code == 422, f"{change}: {response.text}"
                assert response.json()["type"] == "validation-error", change
                assert field in error_locations(response), change
        assert await funded.balances("2019.a", "2019.b", "2018.c") == before
        assert await funded.transfers(account="2019.b") == []

    async def test_an_amount_of_two_to_the_53_minus_one_is_accepted(self, ledger: Ledger) -> None:
        await ledger.open("2019.staten", kind="source")
        await ledger.open("2019.b")

        response = await ledger.transfer("2019.staten", "2019.b", 2**53 - 1, kind="appropriation")

        assert response.status_code == 201
        assert (await ledger.account("2019.b"))["available_ore"] == 2**53 - 1

    async def test_transfers_are_readable_by_id_and_listed_oldest_first(
        self, funded: Ledger, schema: Schema
    ) -> None:
        first = await funded.transferred("2019.a", "2019.b", 1)
        second = await funded.transferred("2019.a", "2019.b", 2)

        one = await funded.client.get(f"{API}/transfers/{first['id']}", headers=funded.admin)
        listed = await funded.transfers(from_account="2019.a")

        assert one.json() == first
        assert [t["id"] for t in listed] == [first["id"], second["id"]]
        async with unchanged(schema):
            missing = await funded.client.get(f"{API}/transfers/999999", headers=funded.admin)
        assert missing.status_code == 404
        refused(missing, 404, "not-found")


class TestPendingTransfers:
    async def test_pending_reserves_and_post_moves_it(self, funded: Ledger) -> None:
        pending = await funded.transferred("2019.a", "2019.b", 4_000_000, pending=True)
        assert pending["state"] == "pending"
        assert await funded.balances("2019.a", "2019.b") == {
            "2019.a": (10_000_000, 0, 4_000_000, 6_000_000),
            "2019.b": (0, 0, 0, 0),
        }

        posted = await funded.settle(pending["id"], "post")

        assert posted.status_code == 200
        assert posted.json()["state"] == "posted"
        assert posted.json()["settled_at"] is not None
        assert await funded.balances("2019.a", "2019.b") == {
            "2019.a": (10_000_000, 4_000_000, 0, 6_000_000),
            "2019.b": (4_000_000, 0, 0, 4_000_000),
        }

    async def test_void_releases_the_reservation(self, funded: Ledger) -> None:
        pending = await funded.transferred("2019.a", "2019.b", 4_000_000, pending=True)

        voided = await funded.settle(pending["id"], "void")

        assert voided.json()["state"] == "voided"
        assert await funded.balances("2019.a", "2019.b") == {
            "2019.a": (10_000_000, 0, 0, 10_000_000),
            "2019.b": (0, 0, 0, 0),
        }

    async def test_a_reservation_counts_against_what_is_available(
        self, funded: Ledger, schema: Schema
    ) -> None:
        await funded.transferred("2019.a", "2019.b", 9_000_000, pending=True)
        before = await funded.balances("2019.a", "2019.b")

        async with unchanged(schema):
            response = await funded.transfer("2019.a", "2019.b", 1_000_001)

        assert response.status_code == 409
        assert response.json()["type"] == "insufficient-funds"
        assert await funded.balances("2019.a", "2019.b") == before

    async def test_settling_twice_is_409_transfer_not_pending(
        self, funded: Ledger, schema: Schema
    ) -> None:
        pending = await funded.transferred("2019.a", "2019.b", 1_000, pending=True)
        expect(await funded.settle(pending["id"], "void"), 200)
        before = await funded.balances("2019.a", "2019.b")

        async with unchanged(schema):
            again = await funded.settle(pending["id"], "post")

        assert again.status_code == 409
        assert again.json()["type"] == "transfer-not-pending"
        assert await funded.balances("2019.a", "2019.b") == before


class TestCorrections:
    async def test_correction_reverses_part_of_a_posted_transfer(self, funded: Ledger) -> None:
        original = await funded.transferred("2019.a", "2019.b", 3_000_000)

        correction = await funded.transfer(
            "2019.b", "2019.a", 1_000_000, kind="correction", corrects_id=original["id"]
        )

        assert correction.status_code == 201
        assert correction.json()["corrects_id"] == original["id"]
        assert (await funded.account("2019.b"))["available_ore"] == 2_000_000
        unchanged = await funded.client.get(
            f"{API}/transfers/{original['id']}", headers=funded.admin
        )
        assert unchanged.json() == original

    async def test_reversing_more_than_the_original_is_422(
        self, funded: Ledger, schema: Schema
    ) -> None:
        original = await funded.transferred("2019.a", "2019.b", 3_000_000)
        await funded.transferred(
            "2019.b", "2019.a", 2_000_000, kind="correction", corrects_id=original["id"]
        )

        async with unchanged(schema):
            response = await funded.transfer(
                "2019.b", "2019.a", 1_000_001, kind="correction", corrects_id=original["id"]
            )

        assert response.status_code == 422
        refused(response, 422, "validation-error")
        assert error_locations(response) == {"body.amount_ore"}

    async def test_correction_between_other_accounts_is_422(
        self, funded: Ledger, schema: Schema
    ) -> None:
        await funded.open("2019.d")
        original = await funded.transferred("2019.a", "2019.b", 3_000_000)

        async with unchanged(schema):
            response = await funded.transfer(
                "2019.a", "2019.d", 1, kind="correction", corrects_id=original["id"]
            )

        assert response.status_code == 422
        refused(response, 422, "validation-error")
        assert error_locations(response) == {"body.to_account"}


class TestDatabaseGuards:
    async def test_check_constraint_refuses_an_overspend_even_from_sql(
        self, funded: Ledger, test_run: DatabaseRun, database: str
    ) -> None:
        url = test_run.role_url(database, "funding")

        with pytest.raises(DBAPIError, match="no_overspend"):
            await database_rows(
                url, "UPDATE funding.account SET debited_ore = 10000001 WHERE code = '2019.a'"
            )
        assert (await funded.account("2019.a"))["available_ore"] == 10_000_000

    async def test_transfers_accounts_and_audit_cannot_be_rewritten(
        self, funded: Ledger, test_run: DatabaseRun, database: str
    ) -> None:
        url = test_run.role_url(database, "funding")
        for statement in REWRITES:
            with pytest.raises(DBAPIError, match=r"immutable|never|append-only"):
                await database_rows(url, statement)
        assert len(await funded.transfers()) == 1


class TestTransferScoping:
    async def test_rss_sees_its_county_transfers_only(
        self, ledger: Ledger, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        await ledger.funded("2019.rss", 2_000)
        for county in ("01", "12"):
            await ledger.open(
                f"2019.rss.{county}", kind="county", parent="2019.rss", county_code=county
            )
        ids = {}
        for county in ("01", "12"):
            made = await ledger.transferred("2019.rss", f"2019.rss.{county}", 1_000)
            ids[county] = made["id"]
        rss12 = tokens.rss("12")

        async with unchanged(schema):
            listed = await client.get(f"{API}/transfers", headers=rss12)
            other = await client.get(f"{API}/transfers/{ids['01']}", headers=rss12)
            own = await client.get(f"{API}/transfers/{ids['12']}", headers=rss12)

        assert [t["id"] for t in listed.json()["items"]] == [ids["12"]]
        assert other.status_code == 404
        refused(other, 404, "not-found")
        assert own.status_code == 200

    async def test_only_admin_moves_money(
        self, funded: Ledger, tokens: Tokens, schema: Schema
    ) -> None:
        headers = {**tokens.rss("12"), "Idempotency-Key": "rss-1"}

        async with unchanged(schema):
            response = await funded.transfer("2019.a", "2019.b", 1, headers=headers)

        assert response.status_code == 403
        refused(response, 403, "forbidden")


class TestOneStatement:
    @pytest.mark.parametrize(
        "at",
        [
            datetime(2019, 6, 10, 8, 0, 0, tzinfo=UTC),
            datetime(2019, 6, 10, 8, 0, 0, 120_000, tzinfo=UTC),
            datetime(2019, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        ],
    )
    async def test_times_written_in_the_database_read_as_the_service_writes_them(
        self, test_run: DatabaseRun, database: str, at: datetime
    ) -> None:
        """POST /transfers stores its response from inside PostgreSQL; its times must be the
        text every other response has for them."""
        [row] = await database_rows(
            test_run.role_url(database, "funding"), "SELECT funding.rfc3339(:at)", at=at
        )

        assert row[0] == TypeAdapter(datetime).dump_python(at, mode="json")


class TestDecisions:
    async def test_a_supplementary_allocation_keeps_its_decision_and_date(
        self, funded: Ledger
    ) -> None:
        made = await funded.transferred(
            "2019.a", "2019.b", 700, decision="supplementary", decided_on="2019-06-01"
        )

        assert (made["decision"], made["decided_on"]) == ("supplementary", "2019-06-01")
        [listed] = await funded.transfers(account="2019.b")
        assert (listed["decision"], listed["decided_on"]) == ("supplementary", "2019-06-01")

    @pytest.mark.parametrize(
        "extra",
        [
            {"decision": "supplementary"},
            {"decided_on": "2019-06-01"},
            {"decision": "later", "decided_on": "2019-06-01"},
            {"decision": "original", "decided_on": "2019-06-01", "kind": "payment"},
        ],
    )
    async def test_a_decision_without_its_date_or_on_another_kind_is_422(
        self, funded: Ledger, schema: Schema, extra: dict[str, Any]
    ) -> None:
        async with unchanged(schema):
            response = await funded.transfer("2019.a", "2019.b", 700, **extra)

        refused(response, 422, "validation-error")
