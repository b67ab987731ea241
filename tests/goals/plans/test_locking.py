"""What was approved is locked: a plan with an approved report refuses new indicators (409
plan-locked), and the next year's plan starts from a copy of it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, expect, refused, unchanged


@pytest.fixture
async def plan(goals: Goals) -> dict[str, Any]:
    """County 12's 2019 plan (K1, K2, K5) with a count indicator of K1."""
    made = await goals.plan("12", ("K1", "K2", "K5"))
    indicator = await goals.indicator(made["id"], "count", name="Avtal", baseline=4, target=12)
    return {**made, "indicators": [indicator]}


async def approve(goals: Goals, plan: dict[str, Any]) -> dict[str, Any]:
    values = [{"indicator_id": plan["indicators"][0]["id"], "value": 8}]
    report = await goals.report(plan["id"], "12", values=values)
    return await goals.approved(report["id"], "12")


NEW = {"goal_code": "K2", "name": "Ny", "measure": "boolean"}


class TestLocked:
    async def test_a_plan_with_an_approved_report_refuses_a_new_indicator(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        await approve(goals, plan)
        async with unchanged(schema):
            for headers in (goals.admin, goals.rss("12")):
                response = await goals.post(f"/plans/{plan['id']}/indicators", headers, NEW)
                problem = refused(response, 409, "plan-locked")
                assert problem["plan_id"] == plan["id"]
        shown = expect(await goals.get(f"/plans/{plan['id']}", goals.admin), 200)
        assert [i["name"] for i in shown["indicators"]] == ["Avtal"]

    async def test_it_stays_locked_when_the_report_is_reopened(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        report = await approve(goals, plan)
        await goals.moved(report["id"], "reopen", goals.admin, {"reason": "Rättelse."})
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/indicators", goals.admin, NEW)
            refused(response, 409, "plan-locked")

    async def test_a_submitted_report_does_not_lock(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        report = await goals.report(plan["id"], "12")
        await goals.moved(report["id"], "submit", goals.rss("12"))
        response = await goals.post(f"/plans/{plan['id']}/indicators", goals.admin, NEW)
        expect(response, 201)

    async def test_another_countys_rss_gets_404_before_the_lock(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        await approve(goals, plan)
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/indicators", goals.rss("01"), NEW)
            refused(response, 404, "not-found")


class TestCopy:
    async def test_the_next_year_starts_from_a_copy(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        await approve(goals, plan)
        response = await goals.post(f"/plans/{plan['id']}/copy", goals.rss("12"), {"year": 2020})
        copy = expect(response, 201)
        assert (copy["county_code"], copy["year"]) == ("12", 2020)
        assert copy["goal_codes"] == ["K1", "K2", "K5"]
        assert [
            (i["goal_code"], i["name"], i["measure"], i["baseline"], i["target"], i["plan_id"])
            for i in copy["indicators"]
        ] == [("K1", "Avtal", "count", 4, 12, copy["id"])]
        assert copy["indicators"][0]["id"] != plan["indicators"][0]["id"]
        added = await goals.post(f"/plans/{copy['id']}/indicators", goals.admin, NEW)
        expect(added, 201)
        old = expect(await goals.get(f"/plans/{plan['id']}", goals.admin), 200)
        assert len(old["indicators"]) == 1

    async def test_a_year_taken_is_409_and_changes_nothing(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        await goals.plan("12", year=2020)
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/copy", goals.admin, {"year": 2020})
            refused(response, 409, "plan-exists")

    async def test_an_earlier_year_is_422(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/copy", goals.admin, {"year": 2019})
            problem = refused(response, 422, "validation-error")
        assert problem["errors"][0]["location"] == "body.year"

    async def test_another_countys_rss_gets_404(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.post(
                f"/plans/{plan['id']}/copy", goals.rss("01"), {"year": 2020}
            )
            refused(response, 404, "not-found")

    async def test_a_reader_is_403(
        self, goals: Goals, plan: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.post(f"/plans/{plan['id']}/copy", goals.reader, {"year": 2020})
            refused(response, 403, "forbidden")
