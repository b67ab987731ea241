"""The goals service checked from outside, through a real gateway: a plan without K2 is
refused; a county reports, the admin approves, the report is locked; another county cannot
see it; progress shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.outside import admin_bearer, bearer, expect_problem
from tests.processes import KvfUp
from tests.support import expect

API = "/goals/v1"


@dataclass(frozen=True)
class Reported:
    """Skåne's 2019 plan with one indicator, and its report taken from draft to approved."""

    skane: dict[str, str]
    stockholm: dict[str, str]
    reader: dict[str, str]
    plan_id: int
    indicator_id: int
    report_url: str
    states: list[str]  # the report's state after it was written, submitted and approved


async def _plan_with_an_indicator(
    outside: httpx.AsyncClient, skane: dict[str, str]
) -> tuple[int, int]:
    plan = expect(
        await outside.post(
            f"{API}/plans",
            json={"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2"]},
            headers=skane,
        ),
        201,
    )
    indicator = {
        "goal_code": "K1",
        "name": "Kommuner med samverkansavtal",
        "measure": "count",
        "direction": "increase",
        "unit": "kommuner",
        "baseline": 10,
        "target": 33,
    }
    added = await outside.post(
        f"{API}/plans/{plan['id']}/indicators", json=indicator, headers=skane
    )
    return plan["id"], expect(added, 201)["id"]


async def _report(
    outside: httpx.AsyncClient, skane: dict[str, str], plan_id: int, indicator_id: int
) -> dict[str, Any]:
    body = {
        "plan_id": plan_id,
        "period": "2019",
        "values": [{"indicator_id": indicator_id, "value": 21}],
        "narratives": [{"goal_code": "K1", "text": "Avtal i 21 av 33 kommuner."}],
    }
    return expect(await outside.post(f"{API}/reports", json=body, headers=skane), 201)


@pytest.fixture(scope="module")
async def reported(platform: KvfUp, outside: httpx.AsyncClient) -> Reported:
    """Skåne plans and reports 2019, submits the report, and the admin approves it."""
    admin = await admin_bearer(platform, outside)
    skane = await bearer(platform, outside, "rss", "--county", "12")
    plan_id, indicator_id = await _plan_with_an_indicator(outside, skane)
    report = await _report(outside, skane, plan_id, indicator_id)
    report_url = f"{API}/reports/{report['id']}"
    submitted = expect(await outside.post(f"{report_url}/submit", headers=skane), 200)
    approved = expect(await outside.post(f"{report_url}/approve", headers=admin), 200)
    return Reported(
        skane=skane,
        stockholm=await bearer(platform, outside, "rss", "--county", "01"),
        reader=await bearer(platform, outside, "reader"),
        plan_id=plan_id,
        indicator_id=indicator_id,
        report_url=report_url,
        states=[report["state"], submitted["state"], approved["state"]],
    )


class TestGoalsFromOutside:
    async def test_a_plan_without_k2_is_refused_naming_k2(
        self, platform: KvfUp, outside: httpx.AsyncClient
    ) -> None:
        skane = await bearer(platform, outside, "rss", "--county", "12")
        without_k2 = await outside.post(
            f"{API}/plans",
            json={"county_code": "12", "year": 2019, "goal_codes": ["K1", "K3"]},
            headers=skane,
        )
        expect_problem(without_k2, 422)
        assert "K2" in without_k2.text

    async def test_a_report_goes_from_draft_through_submitted_to_approved(
        self, reported: Reported
    ) -> None:
        assert reported.states == ["draft", "submitted", "approved"]

    async def test_an_approved_report_is_locked(
        self, reported: Reported, outside: httpx.AsyncClient
    ) -> None:
        current = await outside.get(reported.report_url, headers=reported.skane)
        assert current.status_code == 200, current.text
        change = await outside.patch(
            reported.report_url,
            json={"values": [{"indicator_id": reported.indicator_id, "value": 30}]},
            headers={**reported.skane, "If-Match": current.headers["etag"]},
        )
        expect_problem(change, 409, "report-locked")

    async def test_another_county_sees_neither_the_report_nor_the_plan(
        self, reported: Reported, outside: httpx.AsyncClient
    ) -> None:
        for path in (reported.report_url, f"{API}/plans/{reported.plan_id}"):
            hidden = await outside.get(path, headers=reported.stockholm)
            assert hidden.status_code == 404, path

    async def test_progress_shows_the_approved_report_to_a_reader(
        self, reported: Reported, outside: httpx.AsyncClient
    ) -> None:
        progress = await outside.get(
            f"{API}/progress", params={"year": 2019}, headers=reported.reader
        )
        goals = {goal["goal_code"]: goal for goal in expect(progress, 200)["goals"]}
        k1 = goals["K1"]
        assert k1["counties_with_approved_report"] == 1
        values = [
            county["latest"]["value"]
            for shown in k1["indicators"]
            for county in shown["counties"]
            if county["county_code"] == "12" and county["latest"] is not None
        ]
        assert values == [21]
