"""Reports: drafts of a plan for a period, edited with ETag / If-Match, dry runs, scope."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, refused, unchanged


@pytest.fixture
async def plan(goals: Goals) -> dict[str, Any]:
    """County 12's 2019 plan with a count and a percentage indicator of K1."""
    made = await goals.plan("12", ("K1", "K2", "K5"))
    await goals.indicator(made["id"], "count", name="Avtal", baseline=4, target=12)
    await goals.indicator(made["id"], "percentage", name="Andel", baseline=25, target=50)
    response = await goals.get(f"/plans/{made['id']}", goals.admin)
    body: dict[str, Any] = response.json()
    return body


def ids(plan: dict[str, Any]) -> tuple[int, int]:
    count, share = plan["indicators"]
    return count["id"], share["id"]


def values(report: dict[str, Any]) -> dict[int, Any]:
    return {value["indicator_id"]: value["value"] for value in report["values"]}


class TestCreate:
    async def test_the_county_writes_a_draft(self, goals: Goals, plan: dict[str, Any]) -> None:
        count, share = ids(plan)
        response = await goals.create_report(
            plan["id"],
            "12",
            "2019H1",
            values=[
                {"indicator_id": count, "value": 8},
                {"indicator_id": share, "numerator": 1, "denominator": 3},
            ],
            narratives=[{"goal_code": "K1", "text": "Samverkansavtal i åtta kommuner."}],
        )
        assert response.status_code == 201, response.text
        report = response.json()
        assert response.headers["ETag"] == '"1"'
        assert (report["state"], report["version"], report["period"]) == ("draft", 1, "2019H1")
        assert (report["plan_id"], report["county_code"], report["year"]) == (
            plan["id"],
            "12",
            2019,
        )
        assert values(report) == {count: 8, share: 33.33}
        assert report["narratives"] == [
            {"goal_code": "K1", "text": "Samverkansavtal i åtta kommuner."}
        ]
        assert [(e["action"], e["to_state"], e["actor"]) for e in report["history"]] == [
            ("create", "draft", "kvf_test_rss_12")
        ]
        again = await goals.get(f"/reports/{report['id']}", goals.rss("12"))
        assert again.json() == report
        assert again.headers["ETag"] == '"1"'

    @pytest.mark.parametrize("period", ["2019", "2019H1", "2019H2"])
    async def test_the_three_periods_of_a_year(
        self, goals: Goals, plan: dict[str, Any], period: str
    ) -> None:
        report = await goals.report(plan["id"], "12", period=period)
        assert report["period"] == period

    @pytest.mark.parametrize("period", ["2020", "2019H3", "2019Q1", "19"])
    async def test_a_period_outside_the_plans_year_is_422(
        self, goals: Goals, plan: dict[str, Any], schema: Schema, period: str
    ) -> None:
        async with unchanged(schema):
            response = await goals.create_report(plan["id"], "12", period)
        refused(response, 422, "validation-error")
        assert await schema.count("report") == 0

    async def test_a_second_report_for_a_period_is_409_report_exists(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        first = await goals.report(plan["id"], "12", period="2019H1")
        async with unchanged(schema):
            response = await goals.create_report(plan["id"], "12", "2019H1")
        problem = refused(response, 409, "report-exists")
        assert problem["report_id"] == first["id"]
        assert problem["detail"] == f"Plan {plan['id']} already has a report for 2019H1."

    async def test_a_narrative_of_a_goal_outside_the_plan_is_422(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.create_report(
                plan["id"], "12", narratives=[{"goal_code": "K3", "text": "x"}]
            )
        problem = refused(response, 422, "validation-error")
        assert "K3 is not a goal of the report's plan" in problem["detail"]

    async def test_only_the_countys_rss_writes_reports(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        body = {"plan_id": plan["id"], "period": "2019"}
        async with unchanged(schema):
            for headers in (goals.admin, goals.reader, goals.rss("01")):
                refused(await goals.post("/reports", headers, body), 403, "forbidden")
        assert await schema.count("report") == 0

    async def test_an_unknown_plan_is_422(self, goals: Goals, schema: Schema) -> None:
        async with unchanged(schema):
            response = await goals.create_report(999, "12")
        problem = refused(response, 422, "validation-error")
        assert problem["errors"][0]["location"] == "body.plan_id"


class TestDryRun:
    async def test_a_dry_run_shows_the_report_and_saves_nothing(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        count, _ = ids(plan)
        before = await schema.counts()
        response = await goals.create_report(
            plan["id"],
            "12",
            values=[{"indicator_id": count, "value": 8}],
            narratives=[{"goal_code": "K2", "text": "Uppföljning pågår."}],
            idempotency={"Idempotency-Key": "dry-run-1"},
            dry_run="true",
        )
        assert response.status_code == 200, response.text
        preview = response.json()
        assert preview["dry_run"] is True
        assert preview["id"] is None
        assert (preview["state"], preview["period"]) == ("draft", "2019")
        assert values(preview) == {count: 8}
        assert preview["narratives"] == [{"goal_code": "K2", "text": "Uppföljning pågår."}]
        assert "ETag" not in response.headers
        assert await schema.counts() == before

    async def test_a_dry_run_with_a_bad_value_is_the_same_422(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        count, _ = ids(plan)
        async with unchanged(schema):
            response = await goals.create_report(
                plan["id"], "12", values=[{"indicator_id": count, "value": -1}], dry_run="true"
            )
        problem = refused(response, 422, "validation-error")
        assert f'indicator {count} "Avtal"' in problem["detail"]
        assert await schema.count("report") == 0

    async def test_a_dry_run_of_an_edit_shows_the_result_and_changes_nothing(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        count, share = ids(plan)
        report = await goals.report(plan["id"], "12", values=[{"indicator_id": count, "value": 8}])
        before = await schema.rows("SELECT * FROM goals.report_value")
        response = await goals.client.patch(
            f"/goals/v1/reports/{report['id']}",
            params={"dry_run": "true"},
            json={"values": [{"indicator_id": share, "numerator": 1, "denominator": 2}]},
            headers={**goals.rss("12"), "If-Match": '"1"'},
        )
        assert response.status_code == 200, response.text
        assert response.json()["dry_run"] is True
        assert values(response.json()) == {count: 8, share: 50.0}
        assert await schema.rows("SELECT * FROM goals.report_value") == before
        again = await goals.get(f"/reports/{report['id']}", goals.rss("12"))
        assert (again.json()["version"], values(again.json())) == (1, {count: 8})


async def patch(
    goals: Goals, report_id: int, body: Any, if_match: str | None, county: str = "12"
) -> Any:
    headers = {**goals.rss(county), **({"If-Match": if_match} if if_match else {})}
    return await goals.client.patch(f"/goals/v1/reports/{report_id}", json=body, headers=headers)


class TestEdit:
    async def test_an_edit_with_the_current_etag_makes_a_new_version(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        count, share = ids(plan)
        report = await goals.report(plan["id"], "12", values=[{"indicator_id": count, "value": 8}])
        response = await patch(
            goals,
            report["id"],
            {
                "values": [
                    {"indicator_id": count, "value": 9},
                    {"indicator_id": share, "numerator": 3, "denominator": 4},
                ],
                "narratives": [{"goal_code": "K5", "text": "MVP i tre skolor."}],
            },
            '"1"',
        )
        assert response.status_code == 200, response.text
        edited = response.json()
        assert response.headers["ETag"] == '"2"'
        assert edited["version"] == 2
        assert values(edited) == {count: 9, share: 75.0}
        assert edited["narratives"] == [{"goal_code": "K5", "text": "MVP i tre skolor."}]
        assert [e["action"] for e in edited["history"]] == ["create", "edit"]

    async def test_a_stale_etag_is_412_and_changes_nothing(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        count, _ = ids(plan)
        report = await goals.report(plan["id"], "12", values=[{"indicator_id": count, "value": 8}])
        first = await patch(
            goals, report["id"], {"values": [{"indicator_id": count, "value": 9}]}, '"1"'
        )
        assert first.status_code == 200
        async with unchanged(schema):
            stale = await patch(
                goals, report["id"], {"values": [{"indicator_id": count, "value": 10}]}, '"1"'
            )
        problem = refused(stale, 412, "precondition-failed")
        assert problem["current_version"] == 2
        again = await goals.get(f"/reports/{report['id']}", goals.rss("12"))
        assert (again.json()["version"], values(again.json())) == (2, {count: 9})

    async def test_an_edit_that_changes_nothing_makes_no_new_version(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        report = await goals.report(plan["id"], "12")
        response = await patch(goals, report["id"], {"values": [], "narratives": []}, '"1"')
        assert response.status_code == 200
        assert response.headers["ETag"] == '"1"'
        assert [e["action"] for e in response.json()["history"]] == ["create"]

    async def test_an_edit_without_if_match_is_428(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        report = await goals.report(plan["id"], "12")
        async with unchanged(schema):
            response = await patch(goals, report["id"], {"values": []}, None)
        refused(response, 428, "precondition-required")

    async def test_an_entry_without_a_value_removes_it(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        count, _ = ids(plan)
        report = await goals.report(
            plan["id"],
            "12",
            values=[{"indicator_id": count, "value": 8}],
            narratives=[{"goal_code": "K1", "text": "x"}],
        )
        response = await patch(
            goals,
            report["id"],
            {
                "values": [{"indicator_id": count}],
                "narratives": [{"goal_code": "K1", "text": None}],
            },
            '"1"',
        )
        assert response.status_code == 200, response.text
        assert (response.json()["values"], response.json()["narratives"]) == ([], [])

    async def test_a_bad_value_in_an_edit_is_422_naming_the_indicator(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        _, share = ids(plan)
        report = await goals.report(plan["id"], "12")
        async with unchanged(schema):
            response = await patch(
                goals, report["id"], {"values": [{"indicator_id": share, "value": 50}]}, '"1"'
            )
        problem = refused(response, 422, "validation-error")
        assert f'indicator {share} "Andel"' in problem["detail"]

    async def test_only_the_countys_rss_edits(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        report = await goals.report(plan["id"], "12")
        path = f"/goals/v1/reports/{report['id']}"
        async with unchanged(schema):
            as_admin = await goals.client.patch(
                path, json={}, headers={**goals.admin, "If-Match": '"1"'}
            )
            as_another = await patch(goals, report["id"], {}, '"1"', county="01")
        refused(as_admin, 403, "forbidden")
        refused(as_another, 404, "not-found")


class TestCountyScope:
    async def test_another_countys_report_is_404_for_an_rss(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        report = await goals.report(plan["id"], "12")
        path = f"/reports/{report['id']}"
        async with unchanged(schema):
            refused(await goals.get(path, goals.rss("01")), 404, "not-found")
            refused(await goals.move(report["id"], "submit", goals.rss("01")), 404, "not-found")
        assert (await goals.get(path, goals.rss("12"))).status_code == 200
        assert (await goals.get(path, goals.admin)).status_code == 200

    async def test_an_rss_lists_its_own_countys_reports_only(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        other = await goals.plan("01")
        theirs = await goals.report(other["id"], "01")
        ours = await goals.report(plan["id"], "12")
        listed = await goals.get("/reports", goals.rss("12"))
        assert [r["id"] for r in listed.json()["items"]] == [ours["id"]]
        everything = await goals.get("/reports", goals.admin)
        assert {r["id"] for r in everything.json()["items"]} == {ours["id"], theirs["id"]}
        assert (await goals.get("/reports", goals.rss("12"), county_code="01")).json()["total"] == 0


class TestList:
    async def test_reports_by_state_and_period(self, goals: Goals, plan: dict[str, Any]) -> None:
        first = await goals.report(plan["id"], "12", period="2019H1")
        second = await goals.report(plan["id"], "12", period="2019H2")
        await goals.moved(second["id"], "submit", goals.rss("12"))
        submitted = await goals.get("/reports", goals.admin, state="submitted")
        assert [(r["id"], r["state"]) for r in submitted.json()["items"]] == [
            (second["id"], "submitted")
        ]
        by_period = await goals.get("/reports", goals.rss("12"), period="2019H1")
        assert [r["id"] for r in by_period.json()["items"]] == [first["id"]]


class TestConcurrentEdits:
    async def test_two_edits_of_the_same_version_one_wins_the_other_is_412(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        count, _ = ids(plan)
        report = await goals.report(plan["id"], "12")
        first, second = await asyncio.gather(
            patch(goals, report["id"], {"values": [{"indicator_id": count, "value": 1}]}, '"1"'),
            patch(goals, report["id"], {"values": [{"indicator_id": count, "value": 2}]}, '"1"'),
        )
        assert sorted([first.status_code, second.status_code]) == [200, 412]
        winner, loser = (first, second) if first.status_code == 200 else (second, first)
        refused(loser, 412, "precondition-failed")
        again = await goals.get(f"/reports/{report['id']}", goals.rss("12"))
        assert again.json()["version"] == 2
        assert values(again.json()) == values(winner.json())
