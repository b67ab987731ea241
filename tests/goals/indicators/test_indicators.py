"""Indicators of a plan's goals, and the values of each measure in a report."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, refused, unchanged


class TestIndicators:
    @pytest.mark.parametrize(
        ("measure", "baseline", "target"),
        [
            ("count", 4, 12),
            ("percentage", 25, 75.5),
            ("boolean", False, True),
            ("text", "Ingen rutin", "En gemensam rutin i länet"),
        ],
    )
    async def test_each_measure_keeps_baseline_and_target_of_its_kind(
        self, goals: Goals, measure: str, baseline: Any, target: Any
    ) -> None:
        plan = await goals.plan("12")
        made = await goals.indicator(
            plan["id"], measure, unit="kommuner", baseline=baseline, target=target
        )
        assert made["measure"] == measure
        assert (made["baseline"], made["target"]) == (baseline, target)
        assert made["unit"] == "kommuner"
        assert made["direction"] == ("increase" if measure in ("count", "percentage") else None)
        again = await goals.get(f"/plans/{plan['id']}", goals.rss("12"))
        assert again.json()["indicators"] == [made]

    async def test_direction_decrease_is_kept(self, goals: Goals) -> None:
        plan = await goals.plan("12")
        made = await goals.indicator(plan["id"], "count", direction="decrease", baseline=30)
        assert made["direction"] == "decrease"

    @pytest.mark.parametrize(
        ("measure", "baseline"),
        [
            ("count", 4.5),
            ("count", -1),
            ("count", "fyra"),
            ("percentage", 101),
            ("percentage", 12.345),
            ("percentage", True),
            ("boolean", 1),
            ("text", 3),
        ],
    )
    async def test_a_baseline_of_the_wrong_kind_is_422_and_nothing_is_saved(
        self, goals: Goals, schema: Schema, measure: str, baseline: Any
    ) -> None:
        plan = await goals.plan("12")
        body = {"goal_code": "K1", "name": "x", "measure": measure, "baseline": baseline}
        if measure in ("count", "percentage"):
            body["direction"] = "increase"
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/indicators", goals.admin, body)
        problem = refused(response, 422, "validation-error")
        assert problem["errors"][0]["location"] == "body.baseline"
        assert problem["detail"].startswith("The baseline of indicator 'x' does not fit")
        assert await schema.count("indicator") == 0

    async def test_a_count_needs_a_direction(self, goals: Goals, schema: Schema) -> None:
        plan = await goals.plan("12")
        body = {"goal_code": "K1", "name": "x", "measure": "count"}
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/indicators", goals.admin, body)
        problem = refused(response, 422, "validation-error")
        assert problem["errors"][0]["location"] == "body.direction"

    async def test_an_unknown_measure_is_422(self, goals: Goals, schema: Schema) -> None:
        plan = await goals.plan("12")
        body = {"goal_code": "K1", "name": "x", "measure": "ratio"}
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/indicators", goals.admin, body)
        refused(response, 422, "validation-error")

    async def test_the_goal_must_be_in_the_plan(self, goals: Goals, schema: Schema) -> None:
        plan = await goals.plan("12")
        body = {"goal_code": "K4", "name": "x", "measure": "text"}
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/indicators", goals.admin, body)
        assert refused(response, 422, "validation-error")["errors"][0] == {
            "location": "body.goal_code",
            "message": "not a goal of the plan",
            "value": "K4",
        }

    async def test_a_second_indicator_of_the_same_name_and_goal_is_409_indicator_exists(
        self, goals: Goals, schema: Schema
    ) -> None:
        plan = await goals.plan("12")
        await goals.indicator(plan["id"], "text", name="Rutin")
        body = {"goal_code": "K1", "name": "Rutin", "measure": "text"}
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/indicators", goals.admin, body)
        problem = refused(response, 409, "indicator-exists")
        assert (
            problem["detail"] == f"Goal K1 of plan {plan['id']} already has an indicator 'Rutin'."
        )

    async def test_an_rss_adds_indicators_to_its_own_plan_only(
        self, goals: Goals, schema: Schema
    ) -> None:
        plan = await goals.plan("01")
        body = {"goal_code": "K1", "name": "x", "measure": "text"}
        path = f"/plans/{plan['id']}/indicators"
        async with unchanged(schema):
            refused(await goals.post(path, goals.rss("12"), body), 404, "not-found")
            refused(await goals.get(path, goals.rss("12")), 404, "not-found")
        assert await schema.count("indicator") == 0
        assert (await goals.post(path, goals.rss("01"), body)).status_code == 201
        listed = await goals.get(path, goals.rss("01"))
        assert [i["name"] for i in listed.json()["items"]] == ["x"]


class TestValuesOfEachMeasure:
    async def test_each_measure_takes_its_own_kind_of_value(self, goals: Goals) -> None:
        plan = await goals.plan("12")
        count = await goals.indicator(plan["id"], "count", name="Avtal")
        share = await goals.indicator(plan["id"], "percentage", name="Andel")
        flag = await goals.indicator(plan["id"], "boolean", name="Rutin finns")
        note = await goals.indicator(plan["id"], "text", name="Kommentar")
        report = await goals.report(
            plan["id"],
            "12",
            values=[
                {"indicator_id": count["id"], "value": 8},
                {"indicator_id": share["id"], "numerator": 9, "denominator": 26},
                {"indicator_id": flag["id"], "value": True},
                {"indicator_id": note["id"], "text": "Arbetet har kommit igång."},
            ],
        )
        shown = {value["name"]: value for value in report["values"]}
        assert shown["Avtal"]["value"] == 8
        assert shown["Andel"]["value"] == 34.62  # 9/26, derived, rounded to two decimals
        assert (shown["Andel"]["numerator"], shown["Andel"]["denominator"]) == (9, 26)
        assert shown["Rutin finns"]["value"] is True
        assert shown["Kommentar"]["text"] == "Arbetet har kommit igång."
        assert shown["Kommentar"]["value"] is None

    @pytest.mark.parametrize(
        ("measure", "value"),
        [
            ("count", {"value": 2.5}),
            ("count", {"value": True}),
            ("count", {"text": "åtta"}),
            ("percentage", {"value": 34.6}),
            ("percentage", {"numerator": 27, "denominator": 26}),
            ("percentage", {"numerator": 1, "denominator": 0}),
            ("boolean", {"value": "ja"}),
            ("text", {"value": 3}),
            ("text", {"text": "   "}),
        ],
    )
    async def test_a_value_of_the_wrong_kind_is_422_naming_the_indicator(
        self, goals: Goals, schema: Schema, measure: str, value: dict[str, Any]
    ) -> None:
        plan = await goals.plan("12")
        indicator = await goals.indicator(plan["id"], measure, name="Mätetal")
        async with unchanged(schema):
            response = await goals.create_report(
                plan["id"], "12", values=[{"indicator_id": indicator["id"], **value}]
            )
        problem = refused(response, 422, "validation-error")
        named = f'indicator {indicator["id"]} "Mätetal"'
        assert named in problem["detail"]
        assert problem["errors"][0]["location"] == "body.values[0]"
        assert problem["errors"][0]["message"].startswith(f"{named} is a")
        assert await schema.count("report") == 0

    async def test_an_indicator_of_another_plan_is_422(self, goals: Goals, schema: Schema) -> None:
        other = await goals.plan("01")
        foreign = await goals.indicator(other["id"], "count")
        plan = await goals.plan("12")
        async with unchanged(schema):
            response = await goals.create_report(
                plan["id"], "12", values=[{"indicator_id": foreign["id"], "value": 1}]
            )
        problem = refused(response, 422, "validation-error")
        assert "not an indicator of the report's plan" in problem["detail"]
