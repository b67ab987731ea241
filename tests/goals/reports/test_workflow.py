"""A report's states: draft → submitted → approved, submitted → returned → submitted; an
approved report is locked until an admin reopens it, and every move is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.goals.support import Goals
from tests.support import Schema, refused, unchanged


@pytest.fixture
async def plan(goals: Goals) -> dict[str, Any]:
    """County 12's 2019 plan with one count indicator of K1."""
    made = await goals.plan("12")
    indicator = await goals.indicator(made["id"], "count", name="Avtal", baseline=4, target=12)
    return {**made, "indicators": [indicator]}


@pytest.fixture
async def draft(goals: Goals, plan: dict[str, Any]) -> dict[str, Any]:
    """A draft of county 12 with the value 8."""
    values = [{"indicator_id": plan["indicators"][0]["id"], "value": 8}]
    return await goals.report(plan["id"], "12", values=values)


def moves(report: dict[str, Any]) -> list[tuple[str, str | None, str, str, str | None]]:
    """The history as (action, from, to, role, comment)."""
    return [
        (e["action"], e["from_state"], e["to_state"], e["actor_role"], e["comment"])
        for e in report["history"]
    ]


class TestStates:
    async def test_draft_submitted_returned_submitted_approved(
        self, goals: Goals, draft: dict[str, Any], plan: dict[str, Any]
    ) -> None:
        rss, report_id = goals.rss("12"), draft["id"]
        submitted = await goals.moved(report_id, "submit", rss)
        assert submitted["state"] == "submitted"
        returned = await goals.moved(
            report_id, "return", goals.admin, {"comment": "Ange nämnaren för K2."}
        )
        assert returned["state"] == "returned"
        indicator = plan["indicators"][0]["id"]
        edit = await goals.client.patch(
            f"/goals/v1/reports/{report_id}",
            json={"values": [{"indicator_id": indicator, "value": 9}]},
            headers={**rss, "If-Match": f'"{returned["version"]}"'},
        )
        assert edit.status_code == 200, edit.text
        await goals.moved(report_id, "submit", rss)
        approved = await goals.moved(report_id, "approve", goals.admin)
        assert approved["state"] == "approved"
        assert moves(approved) == [
            ("create", None, "draft", "rss", None),
            ("submit", "draft", "submitted", "rss", None),
            ("return", "submitted", "returned", "admin", "Ange nämnaren för K2."),
            ("edit", "returned", "returned", "rss", None),
            ("submit", "returned", "submitted", "rss", None),
            ("approve", "submitted", "approved", "admin", None),
        ]
        assert [e["version"] for e in approved["history"]] == [1, 2, 3, 4, 5, 6]

    async def test_each_move_answers_with_the_new_etag(
        self, goals: Goals, draft: dict[str, Any]
    ) -> None:
        response = await goals.move(draft["id"], "submit", goals.rss("12"))
        assert response.status_code == 200
        assert response.headers["ETag"] == '"2"'

    async def test_a_return_needs_a_comment(
        self, goals: Goals, draft: dict[str, Any], schema: Schema
    ) -> None:
        await goals.moved(draft["id"], "submit", goals.rss("12"))
        async with unchanged(schema):
            for body in ({}, {"comment": "  "}):
                response = await goals.move(draft["id"], "return", goals.admin, body)
                refused(response, 422, "validation-error")
        again = await goals.get(f"/reports/{draft['id']}", goals.admin)
        assert again.json()["state"] == "submitted"

    @pytest.mark.parametrize("action", ["approve", "return"])
    async def test_a_draft_cannot_be_approved_or_returned(
        self, goals: Goals, draft: dict[str, Any], schema: Schema, action: str
    ) -> None:
        async with unchanged(schema):
            response = await goals.move(draft["id"], action, goals.admin, {"comment": "x"})
        refused(response, 409, "invalid-state-transition")

    async def test_a_submitted_report_cannot_be_edited_or_submitted_again(
        self, goals: Goals, draft: dict[str, Any], schema: Schema
    ) -> None:
        await goals.moved(draft["id"], "submit", goals.rss("12"))
        async with unchanged(schema):
            again = await goals.move(draft["id"], "submit", goals.rss("12"))
            edit = await goals.client.patch(
                f"/goals/v1/reports/{draft['id']}",
                json={"values": []},
                headers={**goals.rss("12"), "If-Match": '"2"'},
            )
        refused(again, 409, "invalid-state-transition")
        refused(edit, 409, "invalid-state-transition")

    async def test_a_stale_if_match_on_submit_is_412(
        self, goals: Goals, draft: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.client.post(
                f"/goals/v1/reports/{draft['id']}/submit",
                headers={**goals.rss("12"), "If-Match": '"7"'},
            )
        refused(response, 412, "precondition-failed")
        again = await goals.get(f"/reports/{draft['id']}", goals.rss("12"))
        assert again.json()["state"] == "draft"


class TestRoles:
    async def test_only_the_countys_rss_submits(
        self, goals: Goals, draft: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            for headers in (goals.admin, goals.reader):
                refused(await goals.move(draft["id"], "submit", headers), 403, "forbidden")
            another = await goals.move(draft["id"], "submit", goals.rss("01"))
            refused(another, 404, "not-found")

    async def test_only_admin_approves_returns_and_reopens(
        self, goals: Goals, draft: dict[str, Any], schema: Schema
    ) -> None:
        rss = goals.rss("12")
        await goals.moved(draft["id"], "submit", rss)
        async with unchanged(schema):
            refused(await goals.move(draft["id"], "approve", rss), 403, "forbidden")
            returned = await goals.move(draft["id"], "return", rss, {"comment": "x"})
            refused(returned, 403, "forbidden")
        await goals.moved(draft["id"], "approve", goals.admin)
        async with unchanged(schema):
            reopened = await goals.move(draft["id"], "reopen", rss, {"reason": "x"})
            refused(reopened, 403, "forbidden")
        rows = await schema.rows("SELECT state, version FROM goals.report")
        assert rows == [("approved", 3)]


class TestLocked:
    async def test_every_change_to_an_approved_report_is_409_report_locked(
        self, goals: Goals, draft: dict[str, Any], plan: dict[str, Any], schema: Schema
    ) -> None:
        approved = await goals.approved(draft["id"], "12")
        stored = await schema.rows("SELECT * FROM goals.report_value")
        indicator = plan["indicators"][0]["id"]
        async with unchanged(schema):
            edit = await goals.client.patch(
                f"/goals/v1/reports/{draft['id']}",
                json={"values": [{"indicator_id": indicator, "value": 99}]},
                headers={**goals.rss("12"), "If-Match": f'"{approved["version"]}"'},
            )
            attempts = [
                edit,
                await goals.move(draft["id"], "submit", goals.rss("12")),
                await goals.move(draft["id"], "approve", goals.admin),
                await goals.move(draft["id"], "return", goals.admin, {"comment": "x"}),
            ]
        for response in attempts:
            refused(response, 409, "report-locked")
        again = await goals.get(f"/reports/{draft['id']}", goals.admin)
        assert (again.json()["state"], again.json()["version"]) == ("approved", 3)
        assert await schema.rows("SELECT * FROM goals.report_value") == stored

    async def test_reopening_records_who_when_and_why(
        self, goals: Goals, draft: dict[str, Any]
    ) -> None:
        await goals.approved(draft["id"], "12")
        response = await goals.move(
            draft["id"], "reopen", goals.admin, {"reason": "Länet har rättat antalet avtal."}
        )
        assert response.status_code == 200, response.text
        reopened = response.json()
        assert reopened["state"] == "returned"
        event = reopened["history"][-1]
        assert event["action"] == "reopen"
        assert (event["from_state"], event["to_state"]) == ("approved", "returned")
        assert (event["actor"], event["actor_role"]) == ("kvf_test_admin", "admin")
        assert event["comment"] == "Länet har rättat antalet avtal."
        assert event["request_id"] == response.headers["X-Request-ID"]
        occurred = datetime.fromisoformat(event["occurred_at"])
        assert occurred.utcoffset() == timedelta(0)
        assert occurred >= datetime.fromisoformat(reopened["history"][-2]["occurred_at"])

    async def test_a_reopened_report_is_changed_and_submitted_again(
        self, goals: Goals, draft: dict[str, Any], plan: dict[str, Any]
    ) -> None:
        await goals.approved(draft["id"], "12")
        reopened = await goals.moved(draft["id"], "reopen", goals.admin, {"reason": "Rättelse"})
        edit = await goals.client.patch(
            f"/goals/v1/reports/{draft['id']}",
            json={"values": [{"indicator_id": plan["indicators"][0]["id"], "value": 10}]},
            headers={**goals.rss("12"), "If-Match": f'"{reopened["version"]}"'},
        )
        assert edit.status_code == 200, edit.text
        assert (await goals.approved(draft["id"], "12"))["values"][0]["value"] == 10

    async def test_reopening_to_draft(self, goals: Goals, draft: dict[str, Any]) -> None:
        await goals.approved(draft["id"], "12")
        body = {"reason": "Fel period", "to_state": "draft"}
        reopened = await goals.moved(draft["id"], "reopen", goals.admin, body)
        assert reopened["state"] == "draft"

    async def test_reopening_needs_a_reason_and_an_approved_report(
        self, goals: Goals, draft: dict[str, Any], schema: Schema
    ) -> None:
        async with unchanged(schema):
            not_approved = await goals.move(draft["id"], "reopen", goals.admin, {"reason": "x"})
        refused(not_approved, 409, "invalid-state-transition")
        await goals.approved(draft["id"], "12")
        async with unchanged(schema):
            no_reason = await goals.move(draft["id"], "reopen", goals.admin, {})
        refused(no_reason, 422, "validation-error")
        again = await goals.get(f"/reports/{draft['id']}", goals.admin)
        assert again.json()["state"] == "approved"
