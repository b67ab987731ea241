"""Versions of a report: each submission and approval keeps the values and narratives as they
were; reopening and editing make new versions and never change one; progress reads the latest
approved version."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, expect, refused, unchanged


@pytest.fixture
async def plan(goals: Goals) -> dict[str, Any]:
    """County 12's 2019 plan with one count indicator of K1."""
    made = await goals.plan("12")
    indicator = await goals.indicator(made["id"], "count", name="Avtal", baseline=4, target=12)
    return {**made, "indicators": [indicator]}


@pytest.fixture
async def approved(goals: Goals, plan: dict[str, Any]) -> dict[str, Any]:
    """County 12's 2019 report, approved with the value 15 and a K1 narrative."""
    values = [{"indicator_id": plan["indicators"][0]["id"], "value": 15}]
    narratives = [{"goal_code": "K1", "text": "Avtal i femton kommuner."}]
    report = await goals.report(plan["id"], "12", values=values, narratives=narratives)
    return await goals.approved(report["id"], "12")


def shown(version: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """A version's values and narratives, as (indicator, value) and (goal, text)."""
    return (
        [(v["indicator_id"], v["value"]) for v in version["values"]],
        [(n["goal_code"], n["text"]) for n in version["narratives"]],
    )


async def reopen_and_edit(
    goals: Goals, report: dict[str, Any], indicator_id: int, value: int
) -> dict[str, Any]:
    reopened = await goals.moved(
        report["id"], "reopen", goals.admin, {"reason": "Länet har rättat antalet."}
    )
    return await goals.edited(
        reopened, "12", values=[{"indicator_id": indicator_id, "value": value}]
    )


class TestVersions:
    async def test_submission_and_approval_each_keep_a_version(
        self, goals: Goals, approved: dict[str, Any], plan: dict[str, Any]
    ) -> None:
        listed = expect(await goals.get(f"/reports/{approved['id']}/versions", goals.admin), 200)
        assert listed["total"] == 2
        assert [
            (v["number"], v["kind"], v["state"], v["report_version"]) for v in listed["items"]
        ] == [
            (1, "submitted", "submitted", 2),
            (2, "approved", "approved", 3),
        ]
        assert [v["actor_role"] for v in listed["items"]] == ["rss", "admin"]
        one = expect(await goals.get(f"/reports/{approved['id']}/versions/2", goals.admin), 200)
        indicator = plan["indicators"][0]["id"]
        assert shown(one) == ([(indicator, 15)], [("K1", "Avtal i femton kommuner.")])
        assert (one["county_code"], one["year"], one["period"]) == ("12", 2019, "2019")

    async def test_reopen_and_edit_make_a_new_version_and_keep_the_approved_one(
        self, goals: Goals, approved: dict[str, Any], plan: dict[str, Any], schema: Schema
    ) -> None:
        indicator = plan["indicators"][0]["id"]
        edited = await reopen_and_edit(goals, approved, indicator, 17)
        assert await schema.rows("SELECT count(*) FROM goals.report_version") == [(2,)]
        await goals.approved(edited["id"], "12")
        listed = expect(await goals.get(f"/reports/{approved['id']}/versions", goals.admin), 200)
        assert [v["kind"] for v in listed["items"]] == [
            "submitted",
            "approved",
            "submitted",
            "approved",
        ]
        first = expect(await goals.get(f"/reports/{approved['id']}/versions/2", goals.admin), 200)
        latest = expect(await goals.get(f"/reports/{approved['id']}/versions/4", goals.admin), 200)
        assert shown(first)[0] == [(indicator, 15)]
        assert shown(latest)[0] == [(indicator, 17)]

    async def test_a_missing_version_is_404(self, goals: Goals, approved: dict[str, Any]) -> None:
        response = await goals.get(f"/reports/{approved['id']}/versions/3", goals.admin)
        refused(response, 404, "not-found")

    async def test_a_draft_has_no_versions(self, goals: Goals, plan: dict[str, Any]) -> None:
        report = await goals.report(plan["id"], "12")
        listed = expect(await goals.get(f"/reports/{report['id']}/versions", goals.rss("12")), 200)
        assert listed["items"] == []
        assert listed["total"] == 0

    async def test_a_refused_move_keeps_no_version(
        self, goals: Goals, approved: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.move(approved["id"], "approve", goals.admin)
            refused(response, 409, "report-locked")


class TestScoping:
    async def test_another_countys_rss_gets_404(
        self, goals: Goals, approved: dict[str, Any]
    ) -> None:
        rss = goals.rss("01")
        refused(await goals.get(f"/reports/{approved['id']}/versions", rss), 404, "not-found")
        refused(await goals.get(f"/reports/{approved['id']}/versions/1", rss), 404, "not-found")

    async def test_the_own_rss_reads_every_version(
        self, goals: Goals, approved: dict[str, Any]
    ) -> None:
        listed = expect(
            await goals.get(f"/reports/{approved['id']}/versions", goals.rss("12")), 200
        )
        assert listed["total"] == 2

    async def test_a_reader_sees_approved_versions_only(
        self, goals: Goals, approved: dict[str, Any], plan: dict[str, Any]
    ) -> None:
        listed = expect(await goals.get(f"/reports/{approved['id']}/versions", goals.reader), 200)
        assert [(v["number"], v["kind"]) for v in listed["items"]] == [(2, "approved")]
        assert listed["total"] == 1
        response = await goals.get(f"/reports/{approved['id']}/versions/1", goals.reader)
        refused(response, 404, "not-found")
        expect(await goals.get(f"/reports/{approved['id']}/versions/2", goals.reader), 200)

    async def test_a_reader_gets_404_for_a_report_never_approved(
        self, goals: Goals, plan: dict[str, Any]
    ) -> None:
        report = await goals.report(plan["id"], "12")
        await goals.moved(report["id"], "submit", goals.rss("12"))
        refused(
            await goals.get(f"/reports/{report['id']}/versions", goals.reader), 404, "not-found"
        )

    async def test_without_a_token_it_is_401(self, goals: Goals, approved: dict[str, Any]) -> None:
        response = await goals.client.get(f"/goals/v1/reports/{approved['id']}/versions")
        refused(response, 401, "invalid-token")


class TestProgress:
    async def test_progress_keeps_the_approved_value_while_the_report_is_reopened(
        self, goals: Goals, approved: dict[str, Any], plan: dict[str, Any]
    ) -> None:
        indicator = plan["indicators"][0]["id"]
        edited = await reopen_and_edit(goals, approved, indicator, 17)
        await goals.moved(edited["id"], "submit", goals.rss("12"))
        progress = expect(await goals.get("/progress", goals.admin, year=2019), 200)
        row = latest_row(progress)
        assert (row["latest"]["value"], row["latest"]["version"]) == (15, 2)
        assert row["pending"]["value"] == 17
        await goals.moved(edited["id"], "approve", goals.admin)
        progress = expect(await goals.get("/progress", goals.reader, year=2019), 200)
        row = latest_row(progress)
        assert (row["latest"]["value"], row["latest"]["version"]) == (17, 4)


def latest_row(progress: dict[str, Any]) -> dict[str, Any]:
    """County 12's row of the K1 indicator "Avtal"."""
    goal = next(g for g in progress["goals"] if g["goal_code"] == "K1")
    indicator = next(i for i in goal["indicators"] if i["name"] == "Avtal")
    row: dict[str, Any] = indicator["counties"][0]
    assert row["county_code"] == "12"
    return row
