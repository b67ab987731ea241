"""The goals service checked from outside, through a real gateway: a plan without K2 is
refused; a county reports, the admin approves, the report is locked; another county cannot
see it; progress shows it."""

from __future__ import annotations

import httpx

from tests.e2e.outside import admin_bearer, bearer
from tests.processes import KvfUp
from tests.support import expect

API = "/goals/v1"


async def test_goals_from_outside(platform: KvfUp) -> None:
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=30) as gateway:
        admin = await admin_bearer(platform, gateway)
        skane = await bearer(platform, gateway, "rss", "--county", "12")
        stockholm = await bearer(platform, gateway, "rss", "--county", "01")
        reader = await bearer(platform, gateway, "reader")

        without_k2 = await gateway.post(
            f"{API}/plans",
            json={"county_code": "12", "year": 2019, "goal_codes": ["K1", "K3"]},
            headers=skane,
        )
        assert without_k2.status_code == 422, without_k2.text
        assert without_k2.headers["content-type"].startswith("application/problem+json")
        assert "K2" in without_k2.text

        plan = expect(
            await gateway.post(
                f"{API}/plans",
                json={"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2"]},
                headers=skane,
            ),
            201,
        )
        indicator = expect(
            await gateway.post(
                f"{API}/plans/{plan['id']}/indicators",
                json={
                    "goal_code": "K1",
                    "name": "Kommuner med samverkansavtal",
                    "measure": "count",
                    "direction": "increase",
                    "unit": "kommuner",
                    "baseline": 10,
                    "target": 33,
                },
                headers=skane,
            ),
            201,
        )
        report = expect(
            await gateway.post(
                f"{API}/reports",
                json={
                    "plan_id": plan["id"],
                    "period": "2019",
                    "values": [{"indicator_id": indicator["id"], "value": 21}],
                    "narratives": [{"goal_code": "K1", "text": "Avtal i 21 av 33 kommuner."}],
                },
                headers=skane,
            ),
            201,
        )
        assert report["state"] == "draft"
        report_url = f"{API}/reports/{report['id']}"

        submitted = await gateway.post(f"{report_url}/submit", headers=skane)
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["state"] == "submitted"
        approved = await gateway.post(f"{report_url}/approve", headers=admin)
        assert approved.status_code == 200, approved.text
        assert approved.json()["state"] == "approved"

        current = await gateway.get(report_url, headers=skane)
        assert current.status_code == 200, current.text
        change = await gateway.patch(
            report_url,
            json={"values": [{"indicator_id": indicator["id"], "value": 30}]},
            headers={**skane, "If-Match": current.headers["etag"]},
        )
        assert change.status_code == 409, change.text
        assert change.json()["type"].endswith("report-locked")

        for path in (report_url, f"{API}/plans/{plan['id']}"):
            hidden = await gateway.get(path, headers=stockholm)
            assert hidden.status_code == 404, path

        progress = await gateway.get(f"{API}/progress", params={"year": 2019}, headers=reader)
        assert progress.status_code == 200, progress.text
        goals = {goal["goal_code"]: goal for goal in progress.json()["goals"]}
        k1 = goals["K1"]
        assert k1["counties_with_approved_report"] == 1
        values = [
            county["latest"]["value"]
            for shown in k1["indicators"]
            for county in shown["counties"]
            if county["county_code"] == "12" and county["latest"] is not None
        ]
        assert values == [21]
