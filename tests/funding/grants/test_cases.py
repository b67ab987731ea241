"""Grants as cases: calls changed with the change kept, interest first, decisions after the
call closes, withdrawals, the applications as CSV, use-of-funds reports and follow-ups."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from tests.funding.grants.support import CaseGrants, report_body, window
from tests.funding.support import API, LUND, MALMO, POOL, error_locations
from tests.support import Schema, Tokens, expect, refused, unchanged

Grants = CaseGrants


async def call_read(grants: Grants, call_id: int) -> dict[str, Any]:
    response = await grants.client.get(f"{API}/calls/{call_id}", headers=grants.ledger.admin)
    return expect(response, 200)


class TestCallChanges:
    async def test_a_change_is_kept_with_the_earlier_value_who_when_and_why(
        self, grants: Grants
    ) -> None:
        call = await grants.call()
        later = grants.clock.now + timedelta(days=40)

        response = await grants.patch_call(
            call["id"],
            {"closes_at": later.isoformat(), "title": "Ny titel", "reason": "Förlängd."},
        )
        changes = await grants.client.get(
            f"{API}/calls/{call['id']}/changes", headers=grants.organiser(MALMO)
        )

        assert response.status_code == 200, response.text
        assert response.json()["closes_at"] == later.isoformat().replace("+00:00", "Z")
        assert response.json()["title"] == "Ny titel"
        assert (await call_read(grants, call["id"]))["title"] == "Ny titel"
        [change] = expect(changes, 200)["items"]
        assert change["before"] == {"closes_at": call["closes_at"], "title": call["title"]}
        assert set(change["after"]) == {"closes_at", "title"}
        assert change["reason"] == "Förlängd."
        assert change["actor"].startswith("kvf_test_")
        assert change["request_id"] == response.headers["X-Request-ID"]

    async def test_a_change_without_reason_or_with_null_is_422_and_changes_nothing(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()

        async with unchanged(schema):
            no_reason = await grants.patch_call(call["id"], {"title": "x"})
            null = await grants.patch_call(call["id"], {"title": None, "reason": "r"})
            unknown = await grants.patch_call(call["id"], {"eligible": "any", "reason": "r"})

        refused(no_reason, 422, "validation-error")
        assert "body.reason" in error_locations(no_reason)
        refused(null, 422, "validation-error")
        assert error_locations(null) == {"body.title"}
        refused(unknown, 422, "validation-error")
        assert await call_read(grants, call["id"]) == {**call, "is_open": True}

    async def test_a_window_outside_the_pools_year_is_422(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        body = {"title": "x", "pool_account": POOL, "max_amount_per_organiser_ore": 1}

        async with unchanged(schema):
            early = await grants.post_call(
                {**body, "opens_at": "2018-12-31T23:30:00+01:00", "closes_at": call["closes_at"]}
            )
            late = await grants.patch_call(
                call["id"], {"closes_at": "2020-01-01T00:00:01+01:00", "reason": "r"}
            )
            due = await grants.patch_call(
                call["id"], {"report_due_at": call["opens_at"], "reason": "r"}
            )

        refused(early, 422, "validation-error")
        assert error_locations(early) == {"body.opens_at"}
        refused(late, 422, "validation-error")
        assert error_locations(late) == {"body.closes_at"}
        refused(due, 422, "validation-error")
        assert error_locations(due) == {"body.report_due_at"}

    async def test_the_year_ends_at_swedish_midnight(self, grants: Grants) -> None:
        call = await grants.call()

        response = await grants.patch_call(
            call["id"], {"closes_at": "2020-01-01T00:00:00+01:00", "reason": "Till årets slut."}
        )

        assert expect(response, 200)["closes_at"] == "2019-12-31T23:00:00Z"

    async def test_with_applications_the_window_is_extended_only(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        await grants.applied(call["id"])
        earlier = (grants.clock.now + timedelta(days=2)).isoformat()
        later = (grants.clock.now + timedelta(days=60)).isoformat()

        async with unchanged(schema):
            shorter = await grants.patch_call(call["id"], {"closes_at": earlier, "reason": "r"})
            moved = await grants.patch_call(call["id"], {"opens_at": earlier, "reason": "r"})
        longer = await grants.patch_call(call["id"], {"closes_at": later, "reason": "r"})

        refused(shorter, 409, "call-has-applications")
        refused(moved, 409, "call-has-applications")
        assert longer.status_code == 200

    async def test_only_an_admin_changes_a_call(self, grants: Grants, schema: Schema) -> None:
        call = await grants.call()

        async with unchanged(schema):
            response = await grants.patch_call(
                call["id"], {"title": "x", "reason": "r"}, headers=grants.organiser(MALMO)
            )

        refused(response, 403, "forbidden")


class TestInterestFirst:
    async def test_an_application_without_interest_is_409_and_with_it_201(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call(requires_interest=True)
        interest = {"organisation_number": MALMO, "organiser_name": "Malmö stad"}

        async with unchanged(schema):
            without = await grants.apply(call["id"])
        await grants.express_interest(call["id"], interest, grants.organiser(MALMO))
        with_interest = await grants.apply(call["id"])

        problem = refused(without, 409, "interest-required")
        assert problem["organisation_number"] == MALMO
        assert call["requires_interest"] is True
        assert with_interest.status_code == 201


class TestDecisionsAfterTheCallCloses:
    async def test_a_decision_waits_until_the_call_closes_unless_rolling(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call(rolling=False)
        application = await grants.applied(call["id"])
        approve = {"decision": "approve", "approved_amount_ore": 1_000}

        async with unchanged(schema):
            early = await grants.step(application["id"], "decision", approve)
        grants.clock.advance(31)
        after = await grants.step(application["id"], "decision", approve)

        assert refused(early, 409, "call-still-open")["closes_at"]
        assert await grants.state(application["id"]) == "approved"
        assert after.status_code == 200


class TestWithdrawal:
    async def test_the_organiser_withdraws_before_a_decision(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        application = await grants.applied(call["id"])
        path = f"{API}/applications/{application['id']}/withdraw"

        async with unchanged(schema):
            no_reason = await grants.client.post(path, json={}, headers=grants.organiser(MALMO))
            other = await grants.client.post(
                path, json={"reason": "x"}, headers=grants.organiser(LUND)
            )
        withdrawn = await grants.client.post(
            path, json={"reason": "Hinner inte."}, headers=grants.organiser(MALMO)
        )
        async with unchanged(schema):
            again = await grants.client.post(
                path, json={"reason": "x"}, headers=grants.organiser(MALMO)
            )

        refused(no_reason, 422, "validation-error")
        refused(other, 404, "not-found")
        body = expect(withdrawn, 200)
        assert body["state"] == "withdrawn"
        event = body["history"][-1]
        assert (event["event"], event["note"]) == ("withdrawn", "Hinner inte.")
        assert event["actor"] == body["history"][0]["actor"]
        refused(again, 409, "invalid-application-state")

    async def test_after_a_decision_it_is_409(self, grants: Grants, schema: Schema) -> None:
        call = await grants.call()
        application = await grants.approved(call["id"], 1_000)

        async with unchanged(schema):
            response = await grants.client.post(
                f"{API}/applications/{application['id']}/withdraw",
                json={"reason": "x"},
                headers=grants.organiser(MALMO),
            )

        refused(response, 409, "invalid-application-state")
        assert await grants.state(application["id"]) == "approved"


class TestApplicationsAsCsv:
    async def test_csv_has_each_amount_in_ore_and_kronor(self, grants: Grants) -> None:
        call = await grants.call()
        approved = await grants.approved(call["id"], 15_000_050, MALMO)
        await grants.step(approved["id"], "payments", {"amount_ore": 10_000_000})
        await grants.applied(call["id"], LUND)
        admin = {**grants.ledger.admin, "Accept": "text/csv"}

        plain = await grants.client.get(f"{API}/applications", headers=admin)
        excel = await grants.client.get(
            f"{API}/applications", params={"excel": "true"}, headers=grants.ledger.admin
        )
        own = await grants.client.get(
            f"{API}/applications", headers={**grants.organiser(LUND), "Accept": "text/csv"}
        )

        assert plain.status_code == 200
        assert plain.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(plain.text)))
        assert [r["organisation_number"] for r in rows] == [MALMO, LUND]
        malmo = rows[0]
        assert malmo["school_unit_codes"] == "12345678 23456789"
        assert (malmo["approved_ore"], malmo["approved_kr"]) == ("15000050", "150000.50")
        assert (malmo["paid_ore"], malmo["paid_kr"]) == ("10000000", "100000.00")
        assert (malmo["used_ore"], malmo["used_kr"], malmo["state"]) == ("", "", "paid")
        assert rows[1]["requested_kr"] == "200000.00"
        assert excel.content.startswith("\ufeff".encode())
        excel_rows = list(csv.reader(io.StringIO(excel.text.lstrip("\ufeff")), delimiter=";"))
        assert excel_rows[1][excel_rows[0].index("approved_kr")] == "150000,50"
        assert [r["organisation_number"] for r in csv.DictReader(io.StringIO(own.text))] == [LUND]


class TestReports:
    async def test_settlement_and_the_last_part_payment_need_an_approved_report(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        application = await grants.approved(call["id"], 20_000_000)
        await grants.step(application["id"], "payments", {"amount_ore": 5_000_000})

        async with unchanged(schema):
            settle = await grants.step(application["id"], "settlement", {})
            last = await grants.step(application["id"], "payments", {"amount_ore": 15_000_000})
        part = await grants.step(application["id"], "payments", {"amount_ore": 5_000_000})
        await grants.approved_report(application["id"], 18_000_000)
        rest = await grants.step(application["id"], "payments", {"amount_ore": 10_000_000})
        settled = await grants.step(application["id"], "settlement", {"report": "Klart."})

        refused(settle, 409, "report-required")
        refused(last, 409, "report-required")
        assert part.status_code == 201
        assert rest.status_code == 201
        body = expect(settled, 200)
        assert (body["used_amount_ore"], body["repayment_claim_ore"]) == (18_000_000, 2_000_000)
        assert (body["state"], body["report"]) == ("repayment_due", "Klart.")

    async def test_a_report_is_reviewed_returned_and_given_again(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        application = await grants.approved(call["id"], 20_000_000)
        first = expect(await grants.report(application["id"]), 201)

        async with unchanged(schema):
            second = await grants.report(application["id"])
            bare_return = await grants.review(application["id"], 1, "return")
            by_organiser = await grants.client.post(
                f"{API}/applications/{application['id']}/reports/1/approve",
                json={},
                headers=grants.organiser(MALMO),
            )
            unknown = await grants.review(application["id"], 9, "approve")
        returned = await grants.review(application["id"], 1, "return", {"comment": "Elever?"})
        async with unchanged(schema):
            approve_returned = await grants.review(application["id"], 1, "approve")
        again = expect(await grants.report(application["id"], pupil_count=400), 201)
        approved = await grants.review(application["id"], 2, "approve")
        listed = await grants.client.get(
            f"{API}/applications/{application['id']}/reports", headers=grants.organiser(MALMO)
        )

        assert (first["number"], first["state"], first["late"]) == (1, "submitted", False)
        assert first["created_by"].startswith("kvf_test_")
        refused(second, 409, "report-exists")
        refused(bare_return, 422, "validation-error")
        refused(by_organiser, 403, "forbidden")
        refused(unknown, 404, "not-found")
        assert expect(returned, 200)["state"] == "returned"
        assert returned.json()["review_comment"] == "Elever?"
        refused(approve_returned, 409, "invalid-report-state")
        assert again["number"] == 2
        assert expect(approved, 200)["reviewed_by"].startswith("kvf_test_")
        assert [(r["number"], r["state"]) for r in expect_list(listed)] == [
            (1, "returned"),
            (2, "approved"),
        ]
        history = (await grants.read(application["id"])).json()["history"]
        assert [e["event"] for e in history][-4:] == [
            "reported",
            "report_returned",
            "reported",
            "report_approved",
        ]

    async def test_a_bad_report_is_refused_and_changes_nothing(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        submitted = await grants.applied(call["id"], LUND)
        application = await grants.approved(call["id"], 10_000_000)

        async with unchanged(schema):
            too_much = await grants.report(application["id"], used_amount_ore=10_000_001)
            bad_fields = await grants.report(
                application["id"], staff_count=-1, school_unit_codes=["1"], method=""
            )
            before_decision = await grants.report(submitted["id"], LUND)
            not_mine = await grants.report(application["id"], LUND)
            no_round = await grants.report(application["id"], follow_up_round=1)

        refused(too_much, 422, "validation-error")
        assert error_locations(too_much) == {"body.used_amount_ore"}
        refused(bad_fields, 422, "validation-error")
        assert error_locations(bad_fields) >= {
            "body.staff_count",
            "body.school_unit_codes.0",
            "body.method",
        }
        refused(before_decision, 409, "invalid-application-state")
        refused(not_mine, 404, "not-found")
        refused(no_round, 422, "validation-error")

    async def test_a_report_after_the_deadline_is_late(self, grants: Grants) -> None:
        due = grants.clock.now + timedelta(days=60)
        call = await grants.call(report_due_at=due.isoformat())
        application = await grants.approved(call["id"], 1_000)
        grants.clock.advance(61)

        report = expect(await grants.report(application["id"], used_amount_ore=1_000), 201)

        assert call["report_due_at"] == due.isoformat().replace("+00:00", "Z")
        assert report["late"] is True


def expect_list(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


class TestFollowUps:
    async def test_a_round_shows_who_has_and_has_not_reported(
        self, grants: Grants, schema: Schema, tokens: Tokens
    ) -> None:
        call = await grants.call()
        malmo = await grants.approved(call["id"], 1_000, MALMO)
        await grants.approved(call["id"], 1_000, LUND)
        rejected = await grants.applied(call["id"], "212000-0142")
        await grants.step(rejected["id"], "decision", {"decision": "reject", "reason": "Nej."})
        path = f"{API}/calls/{call['id']}/follow-ups"
        due = (grants.clock.now + timedelta(days=600)).isoformat()

        async with unchanged(schema):
            early = await grants.client.post(
                path, json={"title": "x", "due_at": call["opens_at"]}, headers=grants.ledger.admin
            )
            by_organiser = await grants.client.post(
                path, json={"title": "x", "due_at": due}, headers=grants.organiser(MALMO)
            )
        opened = await grants.client.post(
            path, json={"title": "Uppföljning 2021", "due_at": due}, headers=grants.ledger.admin
        )
        before = await grants.client.get(f"{path}/1", headers=grants.ledger.admin)
        report = await grants.report(malmo["id"], follow_up_round=1, used_amount_ore=1_000)
        after = await grants.client.get(f"{path}/1", headers=grants.ledger.admin)
        own = await grants.client.get(f"{path}/1", headers=grants.organiser(LUND))
        missing = await grants.client.get(f"{path}/2", headers=grants.ledger.admin)

        refused(early, 422, "validation-error")
        refused(by_organiser, 403, "forbidden")
        assert (expect(opened, 201)["round"], opened.json()["title"]) == (1, "Uppföljning 2021")
        assert (before.json()["granted"], before.json()["reported"]) == (2, 0)
        assert expect(report, 201)["follow_up_round"] == 1
        status = expect(after, 200)
        assert (status["granted"], status["reported"]) == (2, 1)
        assert [(o["organisation_number"], o["reported"]) for o in status["organisers"]] == [
            (MALMO, True),
            (LUND, False),
        ]
        assert [o["organisation_number"] for o in expect(own, 200)["organisers"]] == [LUND]
        refused(missing, 404, "not-found")
        # A follow-up report does not stand for the grant's own report.
        settle = await grants.step(malmo["id"], "settlement", {})
        refused(settle, 409, "report-required")


def test_window_helper_is_in_2019() -> None:
    assert window()["opens_at"].startswith("2019-06-30")
    assert report_body()["used_amount_ore"] == 18_000_000
