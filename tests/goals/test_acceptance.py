"""Issue 5 as it is checked from outside, through the gateway: a plan without K2 is refused;
a county reports, the admin approves, the report is locked; another county cannot see it;
progress shows it."""

from __future__ import annotations

from tests.goals.support import Goals
from tests.support import Schema, expect, refused, unchanged


class TestCountyReportsAndTheAdminApproves:
    async def test_the_whole_story(self, goals: Goals, schema: Schema) -> None:
        gavleborg = goals.rss("21")
        async with unchanged(schema):
            without_k2 = await goals.post(
                "/plans", gavleborg, {"county_code": "21", "year": 2019, "goal_codes": ["K1", "K5"]}
            )
        assert "K2" in refused(without_k2, 422, "validation-error")["detail"]

        plan = await goals.plan("21", ("K1", "K2", "K5"), headers=gavleborg)
        made = await goals.post(
            f"/plans/{plan['id']}/indicators",
            gavleborg,
            {
                "goal_code": "K5",
                "name": "Skolor som arbetar med MVP",
                "measure": "count",
                "direction": "increase",
                "unit": "skolor",
                "baseline": 2,
                "target": 10,
            },
        )
        indicator = expect(made, 201)
        report = await goals.report(
            plan["id"],
            "21",
            period="2019",
            values=[{"indicator_id": indicator["id"], "value": 7}],
            narratives=[{"goal_code": "K5", "text": "MVP har införts i sju skolor."}],
        )
        await goals.moved(report["id"], "submit", gavleborg)
        approved = await goals.moved(report["id"], "approve", goals.admin)
        assert approved["state"] == "approved"

        async with unchanged(schema):
            locked = await goals.client.patch(
                f"/goals/v1/reports/{report['id']}",
                json={"values": [{"indicator_id": indicator["id"], "value": 8}]},
                headers={**gavleborg, "If-Match": f'"{approved["version"]}"'},
            )
            refused(locked, 409, "report-locked")
            for path in (f"/reports/{report['id']}", f"/plans/{plan['id']}"):
                refused(await goals.get(path, goals.rss("01")), 404, "not-found")

        progress = expect(await goals.get("/progress", goals.reader, year=2019), 200)
        k5 = next(g for g in progress["goals"] if g["goal_code"] == "K5")
        assert k5["counties_with_approved_report"] == 1
        row = k5["indicators"][0]["counties"][0]
        assert (row["county_code"], row["baseline"], row["target"]) == ("21", 2, 10)
        assert (row["latest"]["value"], row["change"], row["target_reached"]) == (7, 5, False)
