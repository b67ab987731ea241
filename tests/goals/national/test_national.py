"""The national indicator set: defined once by an admin, taken by code into counties' plans,
and added up across counties by code (never by name) in progress."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, expect, refused, unchanged

PLANS = "K1-HANDLPLAN"
LEAD = "K2-UTVLEDARE"
DEFINITIONS = (
    {
        "code": PLANS,
        "goal_code": "K1",
        "name": "Kommuner med handlingsplan",
        "name_en": "Municipalities with an action plan",
        "measure": "count",
        "direction": "increase",
        "unit": "kommuner",
    },
    {"code": LEAD, "goal_code": "K2", "name": "Utvecklingsledare anställd", "measure": "boolean"},
)


@pytest.fixture
async def national(goals: Goals) -> list[dict[str, Any]]:
    return [
        expect(await goals.post("/national-indicators", goals.admin, body), 201)
        for body in DEFINITIONS
    ]


async def take(goals: Goals, plan_id: int, code: str, headers: dict[str, str], **refs: Any) -> Any:
    return await goals.post(
        f"/plans/{plan_id}/national-indicators", headers, {"code": code, **refs}
    )


class TestCatalogue:
    async def test_an_admin_defines_and_everyone_reads(
        self, goals: Goals, national: list[dict[str, Any]]
    ) -> None:
        assert national[0]["code"] == PLANS
        assert national[0]["name_en"] == "Municipalities with an action plan"
        for headers in (goals.admin, goals.rss("12"), goals.reader):
            listed = expect(await goals.get("/national-indicators", headers), 200)
            assert [item["code"] for item in listed["items"]] == [PLANS, LEAD]
        one = expect(await goals.get(f"/national-indicators/{LEAD}", goals.reader), 200)
        assert one["measure"] == "boolean"
        k2 = expect(await goals.get("/national-indicators", goals.admin, goal_code="k2"), 200)
        assert [item["code"] for item in k2["items"]] == [LEAD]

    async def test_a_taken_code_is_409(
        self, goals: Goals, national: list[dict[str, Any]], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.post("/national-indicators", goals.admin, DEFINITIONS[0])
            refused(response, 409, "national-indicator-exists")

    async def test_an_rss_may_not_define(self, goals: Goals, schema: Schema) -> None:
        async with unchanged(schema):
            response = await goals.post("/national-indicators", goals.rss("12"), DEFINITIONS[0])
            refused(response, 403, "forbidden")

    async def test_a_county_goal_or_a_count_without_direction_is_422(
        self, goals: Goals, schema: Schema
    ) -> None:
        own = expect(
            await goals.post("/goals", goals.admin, {"county_code": "12", "title": "Eget"}), 201
        )
        async with unchanged(schema):
            body = {**DEFINITIONS[0], "goal_code": own["code"]}
            problem = refused(
                await goals.post("/national-indicators", goals.admin, body), 422, "validation-error"
            )
            assert problem["errors"][0]["location"] == "body.goal_code"
            body = {**DEFINITIONS[0], "direction": None}
            problem = refused(
                await goals.post("/national-indicators", goals.admin, body), 422, "validation-error"
            )
            assert problem["errors"][0]["location"] == "body.direction"

    async def test_an_unknown_code_is_404(self, goals: Goals) -> None:
        refused(await goals.get("/national-indicators/K1-NONE", goals.admin), 404, "not-found")


class TestTaken:
    async def test_a_plan_takes_one_by_code_with_its_own_baseline_and_target(
        self, goals: Goals, national: list[dict[str, Any]]
    ) -> None:
        plan = await goals.plan("12")
        taken = expect(
            await take(goals, plan["id"], PLANS, goals.rss("12"), baseline=3, target=9), 201
        )
        assert (taken["national_code"], taken["name"], taken["measure"], taken["unit"]) == (
            PLANS,
            "Kommuner med handlingsplan",
            "count",
            "kommuner",
        )
        assert (taken["goal_code"], taken["baseline"], taken["target"]) == ("K1", 3, 9)
        own = await goals.indicator(plan["id"], "count", name="Eget")
        assert own["national_code"] is None
        copy = expect(
            await goals.post(f"/plans/{plan['id']}/copy", goals.admin, {"year": 2020}), 201
        )
        assert [i["national_code"] for i in copy["indicators"]] == [PLANS, None]

    async def test_taken_twice_is_409(
        self, goals: Goals, national: list[dict[str, Any]], schema: Schema
    ) -> None:
        plan = await goals.plan("12")
        expect(await take(goals, plan["id"], PLANS, goals.admin), 201)
        async with unchanged(schema):
            refused(await take(goals, plan["id"], PLANS, goals.admin), 409, "indicator-exists")

    async def test_an_unknown_code_a_goal_not_planned_or_a_wrong_baseline_is_422(
        self, goals: Goals, national: list[dict[str, Any]], schema: Schema
    ) -> None:
        plan = await goals.plan("12")
        other = {**DEFINITIONS[0], "code": "K5-SKOLOR", "goal_code": "K5"}
        expect(await goals.post("/national-indicators", goals.admin, other), 201)
        async with unchanged(schema):
            for code, refs in (("K1-NONE", {}), ("K5-SKOLOR", {}), (PLANS, {"baseline": True})):
                response = await take(goals, plan["id"], code, goals.admin, **refs)
                refused(response, 422, "validation-error")

    async def test_another_countys_rss_gets_404_and_a_locked_plan_409(
        self, goals: Goals, national: list[dict[str, Any]], schema: Schema
    ) -> None:
        plan = await goals.plan("12")
        report = await goals.report(plan["id"], "12")
        await goals.approved(report["id"], "12")
        async with unchanged(schema):
            refused(await take(goals, plan["id"], PLANS, goals.rss("01")), 404, "not-found")
            refused(await take(goals, plan["id"], PLANS, goals.admin), 409, "plan-locked")


class TestProgress:
    async def test_two_counties_make_one_national_figure_for_a_reader(
        self, goals: Goals, national: list[dict[str, Any]]
    ) -> None:
        for county, count, lead in (("12", 5, True), ("01", 7, False)):
            plan = await goals.plan(county)
            plans = expect(await take(goals, plan["id"], PLANS, goals.admin, baseline=2), 201)
            leads = expect(await take(goals, plan["id"], LEAD, goals.admin, target=True), 201)
            values = [
                {"indicator_id": plans["id"], "value": count},
                {"indicator_id": leads["id"], "value": lead},
            ]
            report = await goals.report(plan["id"], county, values=values)
            await goals.approved(report["id"], county)
        # a county's own indicator of the same name is not the national one
        own_plan = await goals.plan("03")
        own = await goals.indicator(own_plan["id"], "count", name="Kommuner med handlingsplan")
        own_report = await goals.report(
            own_plan["id"], "03", values=[{"indicator_id": own["id"], "value": 100}]
        )
        await goals.approved(own_report["id"], "03")

        body = expect(await goals.get("/progress", goals.reader, year=2019), 200)
        k1 = next(g for g in body["goals"] if g["goal_code"] == "K1")
        figures = {(i["national_code"], i["name"]): i for i in k1["indicators"]}
        national_plans = figures[(PLANS, "Kommuner med handlingsplan")]
        assert (national_plans["aggregate"]["value"], national_plans["aggregate"]["counties"]) == (
            12,
            2,
        )
        assert sorted(row["county_code"] for row in national_plans["counties"]) == ["01", "12"]
        assert figures[(None, "Kommuner med handlingsplan")]["aggregate"]["value"] == 100
        k2 = next(g for g in body["goals"] if g["goal_code"] == "K2")
        lead_figure = next(i for i in k2["indicators"] if i["national_code"] == LEAD)["aggregate"]
        assert (lead_figure["counties"], lead_figure["true_count"], lead_figure["share"]) == (
            2,
            1,
            50.0,
        )
