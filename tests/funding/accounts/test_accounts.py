"""Accounts: the tree per year, its rules, and who may read which account."""

from __future__ import annotations

from typing import Any

import httpx

from tests.funding.support import API, Ledger, error_locations
from tests.support import Schema, Tokens, refused, unchanged

BAD_ACCOUNTS: list[tuple[dict[str, Any], str]] = [
    ({"year": 2017, "code": "2017.x"}, "body.year"),
    ({"year": 2021, "code": "2021.x"}, "body.year"),
    ({"year": 2019, "code": "2018.x"}, "body.code"),
    ({"code": "2019.Stora bokstäver"}, "body.code"),
    ({"year": "2019"}, "body.year"),
    ({"parent_code": "2019.nowhere"}, "body.parent_code"),
    ({"parent_code": "2018.kvinnofrid"}, "body.parent_code"),
    ({"kind": "county", "parent_code": "2019.b"}, "body.county_code"),
    ({"kind": "county", "county_code": "12"}, "body.parent_code"),
    ({"kind": "county", "county_code": "02", "parent_code": "2019.b"}, "body.county_code"),
    ({"county_code": "12"}, "body.county_code"),
    (
        {"kind": "organiser", "organisation_number": "212000-0143", "parent_code": "2019.b"},
        "body.organisation_number",
    ),
    (
        {"kind": "organiser", "organisation_number": "21200001", "parent_code": "2019.b"},
        "body.organisation_number",
    ),
    ({"kind": "treasury"}, "body.kind"),
]


async def _rss_tree(ledger: Ledger) -> None:
    await ledger.funded("2019.kvinnofrid", 100_000_000)
    await ledger.open("2019.kvinnofrid.rss", parent="2019.kvinnofrid")
    for county in ("01", "12"):
        await ledger.open(
            f"2019.kvinnofrid.rss.{county}",
            kind="county",
            parent="2019.kvinnofrid.rss",
            county_code=county,
        )


class TestOpeningAccounts:
    async def test_new_account_starts_at_zero_and_reads_back(self, ledger: Ledger) -> None:
        await ledger.open("2019.kvinnofrid")
        created = await ledger.open(
            "2019.kvinnofrid.rss", parent="2019.kvinnofrid", name="RSS / Regional support"
        )

        assert created["parent_code"] == "2019.kvinnofrid"
        assert (await ledger.account("2019.kvinnofrid.rss")) == created
        balances = [created[k] for k in ("credited_ore", "debited_ore", "pending_ore")]
        assert balances == [0, 0, 0]
        assert created["available_ore"] == 0

    async def test_existing_code_is_409_account_exists(
        self, ledger: Ledger, schema: Schema
    ) -> None:
        await ledger.open("2019.kvinnofrid")
        body = {"code": "2019.kvinnofrid", "name": "again", "year": 2019, "kind": "budget"}

        async with unchanged(schema):
            response = await ledger.post_account(body)

        assert response.status_code == 409
        assert response.json()["type"] == "account-exists"
        assert (await ledger.account("2019.kvinnofrid"))["name"] == "2019.kvinnofrid"

    async def test_bad_account_is_422_naming_the_field_and_nothing_is_made(
        self, ledger: Ledger, schema: Schema
    ) -> None:
        await ledger.open("2018.kvinnofrid")
        await ledger.open("2019.b")
        async with unchanged(schema):
            for change, field in BAD_ACCOUNTS:
                body = {"code": "2019.x", "name": "x", "year": 2019, "kind": "budget", **change}

                response = await ledger.post_account(body)

                assert response.status_code == 422, f"{change}: {response.text}"
                assert response.headers["content-type"] == "application/problem+json"
                refused(response, 422, "validation-error")
                assert field in error_locations(response), change
        listed = await ledger.client.get(f"{API}/accounts", headers=ledger.admin)
        assert [a["code"] for a in listed.json()["items"]] == ["2018.kvinnofrid", "2019.b"]

    async def test_organisation_number_is_normalised(self, ledger: Ledger) -> None:
        await ledger.open("2019.skolor")

        account = await ledger.open(
            "2019.skolor.2120001124",
            kind="organiser",
            parent="2019.skolor",
            organisation_number="2120001124",
        )

        assert account["organisation_number"] == "212000-1124"

    async def test_list_filters_by_year_kind_and_county(self, ledger: Ledger) -> None:
        await _rss_tree(ledger)

        response = await ledger.client.get(
            f"{API}/accounts",
            params={"year": 2019, "kind": "county", "county_code": "12"},
            headers=ledger.admin,
        )

        assert response.status_code == 200
        page = response.json()
        assert [a["code"] for a in page["items"]] == ["2019.kvinnofrid.rss.12"]
        assert (page["total"], page["limit"], page["offset"]) == (1, 20, 0)


class TestWhoSeesWhichAccount:
    async def test_rss_sees_its_county_and_gets_404_for_another(
        self, ledger: Ledger, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        await _rss_tree(ledger)
        rss12 = tokens.rss("12")

        async with unchanged(schema):
            own = await client.get(f"{API}/accounts/2019.kvinnofrid.rss.12", headers=rss12)
            other = await client.get(f"{API}/accounts/2019.kvinnofrid.rss.01", headers=rss12)
            budget = await client.get(f"{API}/accounts/2019.kvinnofrid", headers=rss12)
            listed = await client.get(f"{API}/accounts", headers=rss12)

        assert own.status_code == 200
        assert other.status_code == 404
        assert other.json()["type"] == "not-found"
        assert budget.status_code == 404
        refused(budget, 404, "not-found")
        assert [a["code"] for a in listed.json()["items"]] == ["2019.kvinnofrid.rss.12"]

    async def test_rss_may_not_open_accounts(
        self, ledger: Ledger, tokens: Tokens, schema: Schema
    ) -> None:
        body = {"code": "2019.x", "name": "x", "year": 2019, "kind": "budget"}

        async with unchanged(schema):
            response = await ledger.post_account(body, headers=tokens.rss("12"))

        assert response.status_code == 403
        refused(response, 403, "forbidden")

    async def test_organiser_sees_only_its_own_grant_account(
        self, ledger: Ledger, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        await ledger.open("2019.skolor")
        for number in ("212000-1124", "212000-2965"):
            await ledger.open(
                f"2019.skolor.{number.replace('-', '')}",
                kind="organiser",
                parent="2019.skolor",
                organisation_number=number,
            )
        malmo = tokens.organiser("212000-1124")

        async with unchanged(schema):
            listed = await client.get(f"{API}/accounts", headers=malmo)
            other = await client.get(f"{API}/accounts/2019.skolor.2120002965", headers=malmo)

        assert [a["code"] for a in listed.json()["items"]] == ["2019.skolor.2120001124"]
        assert other.status_code == 404
        refused(other, 404, "not-found")

    async def test_reader_and_evaluator_get_403_on_accounts(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        async with unchanged(schema):
            for role in ("reader", "evaluator"):
                response = await client.get(f"{API}/accounts", headers=tokens.header(role))

                assert response.status_code == 403, role
                refused(response, 403, "forbidden")
