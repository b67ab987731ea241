"""Reporting periods with deadlines, and the 21 counties' reporting status, as JSON and CSV."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, expect, refused, unchanged

PAST = {"period": "2019H1", "deadline": "2019-08-31T23:59:59Z"}
FUTURE = {"period": "2099", "deadline": "2099-12-31T23:59:59+01:00"}


@pytest.fixture
async def counties(goals: Goals) -> dict[str, Any]:
    """2019: county 12 approved, 01 submitted, 03 a draft, 04 a plan only, the rest nothing."""
    expect(await goals.post("/reporting-periods", goals.admin, PAST), 201)
    made: dict[str, Any] = {}
    for county in ("12", "01", "03", "04"):
        made[county] = await goals.plan(county)
    approved = await goals.report(made["12"]["id"], "12", period="2019H1")
    await goals.approved(approved["id"], "12")
    submitted = await goals.report(made["01"]["id"], "01", period="2019H1")
    await goals.moved(submitted["id"], "submit", goals.rss("01"))
    await goals.report(made["03"]["id"], "03", period="2019H1")
    await goals.report(made["04"]["id"], "04", period="2019H2")  # another period
    return made


class TestPeriods:
    async def test_an_admin_opens_a_period_once(self, goals: Goals, schema: Schema) -> None:
        opened = expect(await goals.post("/reporting-periods", goals.admin, PAST), 201)
        assert (opened["period"], opened["deadline"]) == ("2019H1", "2019-08-31T23:59:59Z")
        async with unchanged(schema):
            refused(
                await goals.post("/reporting-periods", goals.admin, PAST),
                409,
                "reporting-period-exists",
            )
            refused(
                await goals.post("/reporting-periods", goals.rss("12"), FUTURE), 403, "forbidden"
            )
            no_zone = {"period": "2019", "deadline": "2019-12-31T23:59:59"}
            refused(
                await goals.post("/reporting-periods", goals.admin, no_zone),
                422,
                "validation-error",
            )
        listed = expect(await goals.get("/reporting-periods", goals.rss("12")), 200)
        assert [p["period"] for p in listed["items"]] == ["2019H1"]


class TestStatus:
    async def test_the_21_counties_past_the_deadline(
        self, goals: Goals, counties: dict[str, Any]
    ) -> None:
        status = expect(await goals.get("/reporting-status", goals.admin, period="2019H1"), 200)
        assert (status["past_deadline"], status["counties_total"]) == (True, 21)
        states = {row["county_code"]: (row["state"], row["stage"]) for row in status["counties"]}
        assert len(states) == 21
        assert states["12"] == ("approved", "approved")
        assert states["01"] == ("submitted", "submitted")
        assert states["03"] == ("overdue", "draft")
        assert states["04"] == ("overdue", "plan")
        assert states["05"] == ("overdue", "no_plan")
        assert status["counts"] == {
            "no_plan": 0,
            "plan": 0,
            "draft": 0,
            "submitted": 1,
            "returned": 0,
            "approved": 1,
            "overdue": 19,
        }
        row = next(r for r in status["counties"] if r["county_code"] == "12")
        assert row["county_name"] == "Skåne län"

    async def test_before_the_deadline_nobody_is_overdue(self, goals: Goals) -> None:
        expect(await goals.post("/reporting-periods", goals.admin, FUTURE), 201)
        status = expect(await goals.get("/reporting-status", goals.admin, period="2099"), 200)
        assert status["past_deadline"] is False
        assert status["counts"]["no_plan"] == 21
        assert status["counts"]["overdue"] == 0

    async def test_csv_and_excel(self, goals: Goals, counties: dict[str, Any]) -> None:
        response = await goals.client.get(
            "/goals/v1/reporting-status",
            params={"period": "2019H1"},
            headers={**goals.admin, "Accept": "text/csv"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        lines = response.text.split("\r\n")
        assert lines[0] == "period,deadline,county_code,county_name,state,stage,plan_id,report_id"
        assert len([line for line in lines[1:] if line]) == 21
        twelve = next(line for line in lines if ",12," in line)
        assert twelve.startswith("2019H1,2019-08-31T23:59:59Z,12,")
        assert ",approved,approved," in twelve
        excel = await goals.get("/reporting-status", goals.admin, period="2019H1", excel="true")
        assert excel.status_code == 200
        assert excel.content.startswith("\ufeff".encode())
        assert '"=""01""";' in excel.text

    async def test_an_rss_sees_its_own_row_and_a_reader_nothing(
        self, goals: Goals, counties: dict[str, Any]
    ) -> None:
        status = expect(await goals.get("/reporting-status", goals.rss("03"), period="2019H1"), 200)
        assert [row["county_code"] for row in status["counties"]] == ["03"]
        assert status["counties_total"] == 1
        refused(
            await goals.get("/reporting-status", goals.reader, period="2019H1"), 403, "forbidden"
        )

    async def test_a_period_not_opened_is_404(self, goals: Goals) -> None:
        refused(
            await goals.get("/reporting-status", goals.admin, period="2019H2"), 404, "not-found"
        )
        refused(
            await goals.get("/reporting-status", goals.admin, period="19"), 422, "validation-error"
        )
