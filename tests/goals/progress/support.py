"""What the progress tests share: a year of plans and reports in three counties, and reading
`GET /progress` as a user sees it."""

from __future__ import annotations

from typing import Any

from tests.goals.support import Goals
from tests.support import expect


class Year:
    """Counties 12, 01 and 03 plan 2019 with the same indicators; 12 and 01 report."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals
        self.plans: dict[str, dict[str, Any]] = {}
        self.indicators: dict[tuple[str, str], int] = {}
        self.submitted = 0  # county 01's submitted report, once made

    async def plan(
        self, county: str, goal_codes: tuple[str, ...], baselines: dict[str, Any]
    ) -> None:
        plan = await self.goals.plan(county, goal_codes)
        self.plans[county] = plan
        count, share = baselines["Avtal"], baselines["Andel"]
        made = [
            await self.goals.indicator(
                plan["id"], "count", name="Avtal", baseline=count[0], target=count[1]
            ),
            await self.goals.indicator(
                plan["id"],
                "percentage",
                goal_code="K2",
                name="Andel",
                baseline=share[0],
                target=share[1],
            ),
            await self.goals.indicator(plan["id"], "boolean", name="Rutin", target=True),
        ]
        for indicator in made:
            self.indicators[(county, indicator["name"])] = indicator["id"]

    async def report(self, county: str, period: str, **values: Any) -> int:
        entries = []
        for name, value in values.items():
            entry = {"indicator_id": self.indicators[(county, name)]}
            entry.update(value if isinstance(value, dict) else {"value": value})
            entries.append(entry)
        report = await self.goals.report(
            self.plans[county]["id"], county, period=period, values=entries
        )
        report_id: int = report["id"]
        return report_id


async def progress(goals: Goals, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await goals.get("/progress", headers, **params)
    return expect(response, 200)


def goal(body: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in body["goals"] if g["goal_code"] == code)
    return found


def indicator(body: dict[str, Any], code: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in goal(body, code)["indicators"] if i["name"] == name)
    return found


def counts(body: dict[str, Any], code: str) -> tuple[int | None, int | None, int]:
    found = goal(body, code)
    return (
        found["counties_with_plan"],
        found["counties_with_submitted_report"],
        found["counties_with_approved_report"],
    )
