"""Progress of 21: every count of counties is out of the 21, and the counties that are missing
a plan, a submitted or an approved report are named, as far as the caller may know them."""

from __future__ import annotations

from typing import Any

from common.reference import COUNTIES
from tests.goals.progress.support import Year, counts, goal, progress
from tests.goals.support import Goals


def codes(listed: list[dict[str, Any]]) -> list[str]:
    return [county["county_code"] for county in listed]


def others(*present: str) -> list[str]:
    return [code for code in COUNTIES if code not in present]


class TestOfTwentyOne:
    async def test_admin_sees_each_count_of_21_and_the_counties_missing(
        self, goals: Goals, year: Year
    ) -> None:
        k1 = goal(await progress(goals, goals.admin, year=2019), "K1")
        assert k1["of"] == 21
        assert codes(k1["counties_without_plan"]) == others("12", "01", "03")
        assert codes(k1["counties_without_submitted_report"]) == others("12", "01")
        assert codes(k1["counties_without_approved_report"]) == others("12")
        assert {"county_code": "03", "county_name": "Uppsala län"} in k1[
            "counties_without_submitted_report"
        ]
        missing = (
            len(k1["counties_without_plan"]),
            len(k1["counties_without_submitted_report"]),
            len(k1["counties_without_approved_report"]),
        )
        assert counts({"goals": [k1]}, "K1") == tuple(21 - n for n in missing)

    async def test_a_goal_nobody_planned_names_all_21(self, goals: Goals, year: Year) -> None:
        k3 = goal(await progress(goals, goals.admin, year=2019), "K3")
        assert codes(k3["counties_without_plan"]) == list(COUNTIES)
        assert len(k3["counties_without_approved_report"]) == 21

    async def test_each_figure_says_how_many_of_21_it_covers(
        self, goals: Goals, year: Year
    ) -> None:
        body = await progress(goals, goals.reader, year=2019)
        figures = [i["aggregate"] for g in body["goals"] for i in g["indicators"] if i["aggregate"]]
        assert figures
        assert all(figure["of"] == 21 and 1 <= figure["counties"] <= 21 for figure in figures)

    async def test_a_reopened_report_still_counts_as_submitted(self, goals: Goals) -> None:
        plan = await goals.plan("05")
        report = await goals.report(plan["id"], "05")
        await goals.approved(report["id"], "05")
        await goals.moved(report["id"], "reopen", goals.admin, {"reason": "Rättelse."})
        k1 = goal(await progress(goals, goals.admin, year=2019), "K1")
        assert counts({"goals": [k1]}, "K1") == (1, 1, 1)
        assert "05" not in codes(k1["counties_without_submitted_report"])


class TestWhoKnowsWhichCounties:
    async def test_a_reader_is_told_only_who_has_no_approved_report(
        self, goals: Goals, year: Year
    ) -> None:
        k1 = goal(await progress(goals, goals.reader, year=2019), "K1")
        assert k1["counties_without_plan"] is None
        assert k1["counties_without_submitted_report"] is None
        assert codes(k1["counties_without_approved_report"]) == others("12")

    async def test_an_rss_is_not_told_other_counties_plans_or_submissions(
        self, goals: Goals, year: Year
    ) -> None:
        k1 = goal(await progress(goals, goals.rss("03"), year=2019), "K1")
        assert k1["counties_without_plan"] is None
        assert k1["counties_without_submitted_report"] is None
        assert codes(k1["counties_without_approved_report"]) == others("12")
        assert k1["of"] == 21
