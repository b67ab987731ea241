"""The summary (JSON and CSV, for Swedish Excel too) and who may read it."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.funding.support import API, Ledger
from tests.support import Schema, Tokens, refused, unchanged

RSS = "2019.kvinnofrid.rss"


@pytest.fixture
async def tree(ledger: Ledger) -> Ledger:
    """2019: kvinnofrid (10 000 000) → rss (6 000 000, of it 1 000 000 pending) → 01 and 12."""
    await ledger.funded("2019.kvinnofrid", 10_000_000)
    await ledger.open(RSS, parent="2019.kvinnofrid")
    for county in ("01", "12"):
        await ledger.open(f"{RSS}.{county}", kind="county", parent=RSS, county_code=county)
    await ledger.transferred("2019.kvinnofrid", RSS, 6_000_000)
    await ledger.transferred(RSS, f"{RSS}.01", 2_000_000)
    await ledger.transferred(RSS, f"{RSS}.12", 3_000_000)
    await ledger.transferred(RSS, f"{RSS}.12", 1_000_000, pending=True)
    await ledger.funded("2018.kvinnofrid", 5)
    return ledger


async def summary(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> httpx.Response:
    return await client.get(f"{API}/summary", params=params, headers=headers)


class TestSummary:
    async def test_json_has_the_tree_parents_first_with_its_figures(self, tree: Ledger) -> None:
        response = await summary(tree.client, tree.admin, year="2019")

        assert response.status_code == 200
        body = response.json()
        assert body["year"] == 2019
        rows = {row["code"]: row for row in body["accounts"]}
        assert [row["code"] for row in body["accounts"]] == [
            "2019.kvinnofrid",
            RSS,
            f"{RSS}.01",
            f"{RSS}.12",
            "2019.staten",
        ]
        assert [rows[code]["level"] for code in rows] == [0, 1, 2, 2, 0]
        figures = ("budget_ore", "allocated_ore", "paid_ore", "available_ore")
        assert tuple(rows[RSS][f] for f in figures) == (6_000_000, 6_000_000, 5_000_000, 0)
        assert tuple(rows[f"{RSS}.12"][f] for f in figures) == (3_000_000, 0, 0, 3_000_000)
        # Kvinnofrid passed 6 000 000 to the RSS pool, a budget: allocated, not paid out.
        assert tuple(rows["2019.kvinnofrid"][f] for f in figures) == (
            10_000_000,
            6_000_000,
            0,
            4_000_000,
        )
        assert rows[RSS]["reserved_ore"] == 1_000_000
        assert rows[f"{RSS}.12"]["county_code"] == "12"

    async def test_csv_with_accept_text_csv(self, tree: Ledger) -> None:
        response = await summary(tree.client, {**tree.admin, "Accept": "text/csv"}, year="2019")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert not response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
        assert [row["code"] for row in rows][:2] == ["2019.kvinnofrid", RSS]
        assert rows[1]["budget_ore"] == "6000000"
        assert rows[1]["budget_kr"] == "60000.00"
        assert rows[1]["available_ore"] == "0"
        assert rows[1]["available_kr"] == "0.00"
        source = next(row for row in rows if row["code"] == "2019.staten")
        assert (source["available_ore"], source["available_kr"]) == ("-10000000", "-100000.00")
        assert rows[1]["county_code"] == ""

    async def test_excel_csv_is_semicolon_separated_with_a_utf8_bom(self, tree: Ledger) -> None:
        response = await summary(tree.client, tree.admin, year="2019", excel="true")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content.startswith(b"\xef\xbb\xbf")
        text = response.content.decode("utf-8-sig")
        header, first, *_ = text.split("\r\n")
        assert header.split(";")[:3] == ["year", "code", "name"]
        assert first.split(";")[:2] == ["2019", "2019.kvinnofrid"]
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        assert {row["code"]: row["paid_ore"] for row in rows}[RSS] == "5000000"
        # Kronor with a decimal comma, as Swedish Excel reads a number.
        assert {row["code"]: row["paid_kr"] for row in rows}[RSS] == "50000,00"

    async def test_the_csv_is_safe_to_open_and_keeps_county_codes(self, tree: Ledger) -> None:
        await tree.open(
            "2019.kvinnofrid.formel", parent="2019.kvinnofrid", name="=cmd|' /C calc'!A0"
        )

        plain = await summary(tree.client, {**tree.admin, "Accept": "text/csv"}, year="2019")
        excel = await summary(tree.client, tree.admin, year="2019", excel="true")

        rows = list(csv.DictReader(io.StringIO(plain.content.decode("utf-8"))))
        assert {row["code"]: row["name"] for row in rows}["2019.kvinnofrid.formel"] == (
            "'=cmd|' /C calc'!A0"
        )
        assert {row["code"]: row["county_code"] for row in rows}[f"{RSS}.01"] == "01"
        text = excel.content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        assert {row["code"]: row["name"] for row in rows}["2019.kvinnofrid.formel"] == (
            "'=cmd|' /C calc'!A0"
        )
        assert {row["code"]: row["county_code"] for row in rows}[f"{RSS}.01"] == '="01"'
        assert {row["code"]: row["budget_ore"] for row in rows}[RSS] == "6000000"

    async def test_every_year_without_the_year(self, tree: Ledger) -> None:
        response = await summary(tree.client, tree.admin)

        years = {row["year"] for row in response.json()["accounts"]}
        assert years == {2018, 2019}

    async def test_a_wrong_year_is_422_naming_it(self, tree: Ledger, schema: Schema) -> None:
        async with unchanged(schema):
            for year in ("abc", "1999", "2019.5"):
                response = await summary(tree.client, tree.admin, year=year)

                assert response.status_code == 422, year
                refused(response, 422, "validation-error")
                assert [e["location"] for e in response.json()["errors"]] == ["query.year"]


class TestWhoReadsTheSummary:
    async def test_reader_reads_the_summary(self, tree: Ledger, tokens: Tokens) -> None:
        response = await summary(tree.client, tokens.reader, year="2019")

        assert response.status_code == 200
        assert len(response.json()["accounts"]) == 5

    async def test_rss_sees_the_budget_accounts_and_its_own_county_only(
        self, tree: Ledger, tokens: Tokens
    ) -> None:
        response = await summary(tree.client, tokens.rss("12"), year="2019")

        codes = [row["code"] for row in response.json()["accounts"]]
        assert f"{RSS}.12" in codes
        assert f"{RSS}.01" not in codes
        assert RSS in codes

    async def test_other_roles_get_403_and_no_token_401(
        self, tree: Ledger, tokens: Tokens, schema: Schema
    ) -> None:
        async with unchanged(schema):
            for headers in (tokens.evaluator, tokens.organiser("212000-1124")):
                response = await summary(tree.client, headers, year="2019")

                assert response.status_code == 403
                refused(response, 403, "forbidden")
            anonymous = await summary(tree.client, {}, year="2019")
        assert anonymous.status_code == 401
        refused(anonymous, 401, "invalid-token")
