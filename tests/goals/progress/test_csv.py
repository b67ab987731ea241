"""Progress as CSV: one row per county × indicator with the comparison columns, as the JSON
shows it to the caller; Swedish Excel's variant; a reader's file holds approved figures only."""

from __future__ import annotations

import csv
import io

import httpx

from tests.goals.progress.support import Year, progress
from tests.goals.support import API, Goals

HEADER = (
    "year,goal_code,national_code,indicator,measure,unit,direction,county_code,county_name,"
    "period,version,value,numerator,denominator,text,baseline,target,change,vs_baseline,"
    "vs_target,national_value,national_counties,of,vs_national,pending_period,pending_value"
)


async def as_csv(goals: Goals, headers: dict[str, str], **params: str) -> httpx.Response:
    response = await goals.client.get(
        f"{API}/progress",
        params={"year": "2019", **params},
        headers={**headers, "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="kvinnofrid-progress-2019.csv"' in response.headers["content-disposition"]
    return response


def table(response: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def row(rows: list[dict[str, str]], county: str, name: str) -> dict[str, str]:
    return next(r for r in rows if r["county_code"] == county and r["indicator"] == name)


class TestCsv:
    async def test_one_row_per_county_and_indicator_as_in_the_json(
        self, goals: Goals, year: Year
    ) -> None:
        response = await as_csv(goals, goals.admin)
        assert response.text.split("\r\n")[0] == HEADER
        rows = table(response)
        body = await progress(goals, goals.admin, year=2019)
        shown = [
            (g["goal_code"], i["name"], c["county_code"])
            for g in body["goals"]
            for i in g["indicators"]
            for c in i["counties"]
        ]
        assert [(r["goal_code"], r["indicator"], r["county_code"]) for r in rows] == shown
        skane = row(rows, "12", "Avtal")
        assert (skane["county_name"], skane["period"]) == ("Skåne län", "2019H2")
        assert skane["value"] == "10"
        assert (skane["baseline"], skane["target"], skane["change"]) == ("4", "12", "6")
        assert (skane["vs_baseline"], skane["vs_target"], skane["vs_national"]) == (
            "better",
            "not_met",
            "",
        )
        andel = row(rows, "12", "Andel")
        assert (andel["value"], andel["numerator"], andel["denominator"]) == ("34.62", "9", "26")
        assert row(rows, "12", "Rutin")["value"] == "true"
        stockholm = row(rows, "01", "Avtal")
        assert (stockholm["value"], stockholm["pending_period"], stockholm["pending_value"]) == (
            "",
            "2019",
            "5",
        )

    async def test_excel_keeps_county_codes_as_text_with_decimal_commas(
        self, goals: Goals, year: Year
    ) -> None:
        response = await goals.get("/progress", goals.admin, year=2019, excel="true")
        assert response.status_code == 200
        assert response.content.startswith("\ufeff".encode())
        lines = response.text.lstrip("\ufeff").split("\r\n")
        assert lines[0] == HEADER.replace(",", ";")
        assert any('"=""01""";Stockholms län' in line for line in lines)
        assert any(";34,62;9;26;" in line for line in lines)

    async def test_a_readers_file_has_no_unapproved_figure(self, goals: Goals, year: Year) -> None:
        rows = table(await as_csv(goals, goals.reader))
        assert rows
        assert {r["county_code"] for r in rows} == {"12"}  # 01's figures await approval
        assert all(r["period"] and r["version"] for r in rows)
        assert all(r["pending_period"] == r["pending_value"] == "" for r in rows)
        assert "5" not in {r["value"] for r in rows}

    async def test_an_rss_file_has_its_own_county_only(self, goals: Goals, year: Year) -> None:
        rows = table(await as_csv(goals, goals.rss("01")))
        assert {r["county_code"] for r in rows} == {"01"}
        assert row(rows, "01", "Avtal")["pending_value"] == "5"

    async def test_the_json_stays_the_default(self, goals: Goals, year: Year) -> None:
        response = await goals.get("/progress", goals.reader, year=2019)
        assert response.headers["content-type"].startswith("application/json")
