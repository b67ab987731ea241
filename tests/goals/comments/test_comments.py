"""A conversation on a report: comments by the county's RSS and the admin, on the report or
on one value, kept with who and when; never visible to another county or a reader."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, expect, refused, unchanged


@pytest.fixture
async def report(goals: Goals) -> dict[str, Any]:
    """County 12's submitted 2019 report with one count indicator of K1."""
    plan = await goals.plan("12")
    indicator = await goals.indicator(plan["id"], "count", name="Avtal")
    values = [{"indicator_id": indicator["id"], "value": 8}]
    made = await goals.report(plan["id"], "12", values=values)
    await goals.moved(made["id"], "submit", goals.rss("12"))
    return {**made, "indicator_id": indicator["id"]}


class TestConversation:
    async def test_admin_and_rss_talk_about_a_report_and_a_value(
        self, goals: Goals, report: dict[str, Any], schema: Schema
    ) -> None:
        path = f"/reports/{report['id']}/comments"
        question = {"text": "Hur räknades kommunerna?", "indicator_id": report["indicator_id"]}
        asked = expect(await goals.post(path, goals.admin, question), 201)
        assert (asked["author"], asked["author_role"], asked["indicator_id"]) == (
            "kvf_test_admin",
            "admin",
            report["indicator_id"],
        )
        assert asked["created_at"]
        answer = {"text": "  Kommuner med antaget avtal.  "}
        answered = expect(await goals.post(path, goals.rss("12"), answer), 201)
        assert (answered["text"], answered["author_role"], answered["indicator_id"]) == (
            "Kommuner med antaget avtal.",
            "rss",
            None,
        )
        for headers in (goals.admin, goals.rss("12")):
            listed = expect(await goals.get(path, headers), 200)
            assert [c["id"] for c in listed["items"]] == [asked["id"], answered["id"]]
        on_value = expect(
            await goals.get(path, goals.admin, indicator_id=report["indicator_id"]), 200
        )
        assert [c["id"] for c in on_value["items"]] == [asked["id"]]
        assert await schema.rows(
            "SELECT author, author_role FROM goals.report_comment ORDER BY id"
        ) == [("kvf_test_admin", "admin"), ("kvf_test_rss_12", "rss")]

    async def test_an_approved_report_takes_comments(
        self, goals: Goals, report: dict[str, Any]
    ) -> None:
        await goals.moved(report["id"], "approve", goals.admin)
        response = await goals.post(
            f"/reports/{report['id']}/comments", goals.admin, {"text": "Bra."}
        )
        expect(response, 201)

    async def test_another_plans_indicator_is_422(
        self, goals: Goals, report: dict[str, Any], schema: Schema
    ) -> None:
        other = await goals.plan("01")
        foreign = await goals.indicator(other["id"], "count", name="Avtal")
        body = {"text": "Fel?", "indicator_id": foreign["id"]}
        async with unchanged(schema):
            response = await goals.post(f"/reports/{report['id']}/comments", goals.admin, body)
            problem = refused(response, 422, "validation-error")
        assert problem["errors"][0]["location"] == "body.indicator_id"

    async def test_an_empty_comment_is_422(
        self, goals: Goals, report: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.post(
                f"/reports/{report['id']}/comments", goals.admin, {"text": " "}
            )
            refused(response, 422, "validation-error")


class TestScoping:
    async def test_another_countys_rss_gets_404_and_writes_nothing(
        self, goals: Goals, report: dict[str, Any], schema: Schema
    ) -> None:
        path = f"/reports/{report['id']}/comments"
        await goals.post(path, goals.admin, {"text": "Hej."})
        async with unchanged(schema):
            refused(await goals.get(path, goals.rss("01")), 404, "not-found")
            refused(await goals.post(path, goals.rss("01"), {"text": "Hej."}), 404, "not-found")

    async def test_a_reader_is_403(
        self, goals: Goals, report: dict[str, Any], schema: Schema
    ) -> None:
        path = f"/reports/{report['id']}/comments"
        async with unchanged(schema):
            refused(await goals.get(path, goals.reader), 403, "forbidden")
            refused(await goals.post(path, goals.reader, {"text": "Hej."}), 403, "forbidden")

    async def test_a_missing_report_is_404(self, goals: Goals, schema: Schema) -> None:
        async with unchanged(schema):
            response = await goals.post("/reports/999999/comments", goals.admin, {"text": "Hej."})
            refused(response, 404, "not-found")
