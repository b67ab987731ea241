"""A grant after the application: decision, payments, settlement and repayment.

The money is the ledger's: an approval is a pending reservation on the call's pool, so the
approvals can never promise more than the pool holds; payments never exceed what was
approved; the unused part of what was paid is a claim, paid back to the pool.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from tests.funding.grants.support import CaseGrants as Grants
from tests.funding.support import API, LUND, MALMO, POOL, error_locations
from tests.support import Schema, refused, unchanged

GRANT_ACCOUNT = f"{POOL}.2120001124"


async def pool_and_grant(grants: Grants) -> dict[str, tuple[int, int, int, int]]:
    return await grants.ledger.balances(POOL, GRANT_ACCOUNT)


def problem_type(response: httpx.Response) -> Any:
    return response.json()["type"]


class TestDecisions:
    async def test_approval_reserves_the_amount_on_the_pool(self, grants: Grants) -> None:
        call = await grants.call(pool_ore=50_000_000)
        application = await grants.applied(call["id"])

        response = await grants.step(
            application["id"],
            "decision",
            {"decision": "approve", "approved_amount_ore": 15_000_000},
        )

        assert response.status_code == 200
        approved = response.json()
        assert approved["state"] == "approved"
        assert approved["approved_amount_ore"] == approved["reserved_ore"] == 15_000_000
        assert approved["account"] == GRANT_ACCOUNT
        assert await pool_and_grant(grants) == {
            POOL: (50_000_000, 0, 15_000_000, 35_000_000),
            GRANT_ACCOUNT: (0, 0, 0, 0),
        }
        event = approved["history"][-1]
        assert (event["event"], event["amount_ore"]) == ("approved", 15_000_000)
        reservation = await grants.client.get(
            f"{API}/transfers/{event['transfer_id']}", headers=grants.ledger.admin
        )
        assert reservation.json()["state"] == "pending"
        assert reservation.json()["kind"] == "grant"
        assert reservation.json()["application_id"] == application["id"]

    async def test_approvals_never_exceed_the_pool(self, grants: Grants, schema: Schema) -> None:
        call = await grants.call(pool_ore=30_000_000)
        await grants.approved(call["id"], 20_000_000, MALMO)
        lund = await grants.applied(call["id"], LUND)
        before = await grants.ledger.balances(POOL)

        async with unchanged(schema):
            response = await grants.step(
                lund["id"], "decision", {"decision": "approve", "approved_amount_ore": 10_000_001}
            )

        assert response.status_code == 409
        assert problem_type(response) == "insufficient-funds"
        assert (await grants.read(lund["id"])).json()["state"] == "submitted"
        assert await grants.ledger.balances(POOL) == before

    async def test_concurrent_approvals_never_exceed_the_pool(self, grants: Grants) -> None:
        numbers = ["212000-1124", "212000-2965", "212000-0142", "212000-1355", "212000-0001"]
        call = await grants.call(pool_ore=50_000_000)
        applications = [await grants.applied(call["id"], number) for number in numbers]

        responses = await asyncio.gather(
            *(
                grants.step(
                    a["id"], "decision", {"decision": "approve", "approved_amount_ore": 20_000_000}
                )
                for a in applications
            )
        )

        outcomes = Counter(
            (r.status_code, None if r.status_code == 200 else problem_type(r)) for r in responses
        )
        assert outcomes == {(200, None): 2, (409, "insufficient-funds"): 3}
        pool = (await grants.ledger.balances(POOL))[POOL]
        assert pool == (50_000_000, 0, 40_000_000, 10_000_000)

    async def test_approving_more_than_asked_or_the_maximum_is_422(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call(max_amount_per_organiser_ore=20_000_000)
        application = await grants.applied(call["id"], requested_amount_ore=12_000_000)
        before = await grants.ledger.balances(POOL)

        async with unchanged(schema):
            for amount in (12_000_001, 20_000_001, 0, -5, 1.5):
                response = await grants.step(
                    application["id"],
                    "decision",
                    {"decision": "approve", "approved_amount_ore": amount},
                )

                assert response.status_code == 422, amount
                refused(response, 422, "validation-error")
                assert error_locations(response) == {"body.approved_amount_ore"}, amount
        assert await grants.ledger.balances(POOL) == before
        assert (await grants.read(application["id"])).json()["state"] == "submitted"

    async def test_rejection_keeps_the_reason_and_decides_once(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        application = await grants.applied(call["id"])

        async with unchanged(schema):
            no_reason = await grants.step(application["id"], "decision", {"decision": "reject"})
        rejected = await grants.step(
            application["id"], "decision", {"decision": "reject", "reason": "Ej kunskapsbaserad."}
        )
        async with unchanged(schema):
            again = await grants.step(
                application["id"], "decision", {"decision": "approve", "approved_amount_ore": 1}
            )

        assert no_reason.status_code == 422
        refused(no_reason, 422, "validation-error")
        assert error_locations(no_reason) == {"body.reason"}
        assert rejected.status_code == 200
        assert rejected.json()["state"] == "rejected"
        assert rejected.json()["decision_note"] == "Ej kunskapsbaserad."
        assert again.status_code == 409
        assert problem_type(again) == "invalid-application-state"
        assert (await grants.ledger.balances(POOL))[POOL][2] == 0

    async def test_only_admin_decides(self, grants: Grants, schema: Schema) -> None:
        call = await grants.call()
        application = await grants.applied(call["id"])
        headers = {**grants.organiser(MALMO), "Idempotency-Key": "self-approval"}

        async with unchanged(schema):
            response = await grants.step(
                application["id"],
                "decision",
                {"decision": "approve", "approved_amount_ore": 20_000_000},
                headers=headers,
            )

        assert response.status_code == 403
        refused(response, 403, "forbidden")
        assert (await grants.read(application["id"])).json()["state"] == "submitted"

    async def test_a_reservation_is_settled_through_the_application_only(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        approved = await grants.approved(call["id"], 20_000_000)
        reservation = approved["history"][-1]["transfer_id"]

        async with unchanged(schema):
            response = await grants.ledger.settle(reservation, "post")

        assert response.status_code == 409
        assert problem_type(response) == "managed-by-application"


class TestPayments:
    async def test_payments_take_from_the_reservation_up_to_the_approved_amount(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call(pool_ore=50_000_000)
        application = await grants.approved(call["id"], 20_000_000)

        first = await grants.step(application["id"], "payments", {"amount_ore": 15_000_000})
        async with unchanged(schema):
            too_much = await grants.step(application["id"], "payments", {"amount_ore": 5_000_001})
        after_refusal = await pool_and_grant(grants)
        await grants.approved_report(application["id"], 20_000_000)  # the last payment needs it
        rest = await grants.step(application["id"], "payments", {"amount_ore": 5_000_000})
        async with unchanged(schema):
            beyond = await grants.step(application["id"], "payments", {"amount_ore": 1})

        assert first.status_code == 201
        assert (first.json()["paid_ore"], first.json()["reserved_ore"]) == (15_000_000, 5_000_000)
        assert first.json()["state"] == "paid"
        assert too_much.status_code == 409
        assert problem_type(too_much) == "exceeds-approved-amount"
        assert after_refusal == {
            POOL: (50_000_000, 15_000_000, 5_000_000, 30_000_000),
            GRANT_ACCOUNT: (15_000_000, 0, 0, 15_000_000),
        }
        assert rest.status_code == 201
        assert (rest.json()["paid_ore"], rest.json()["reserved_ore"]) == (20_000_000, 0)
        assert beyond.status_code == 409
        refused(beyond, 409, "exceeds-approved-amount")
        assert await pool_and_grant(grants) == {
            POOL: (50_000_000, 20_000_000, 0, 30_000_000),
            GRANT_ACCOUNT: (20_000_000, 0, 0, 20_000_000),
        }

    async def test_no_payment_before_approval(self, grants: Grants, schema: Schema) -> None:
        call = await grants.call()
        application = await grants.applied(call["id"])

        async with unchanged(schema):
            response = await grants.step(application["id"], "payments", {"amount_ore": 1})

        assert response.status_code == 409
        assert problem_type(response) == "invalid-application-state"

    async def test_concurrent_payments_never_exceed_the_approved_amount(
        self, grants: Grants
    ) -> None:
        call = await grants.call(pool_ore=50_000_000)
        application = await grants.approved(call["id"], 20_000_000)
        await grants.approved_report(application["id"], 20_000_000)  # the last payment needs it

        responses = await asyncio.gather(
            *(
                grants.step(application["id"], "payments", {"amount_ore": 2_000_000})
                for _ in range(12)
            )
        )

        assert Counter(r.status_code for r in responses) == {201: 10, 409: 2}
        for response in responses:
            if response.status_code == 409:
                refused(response, 409, "exceeds-approved-amount")
        read = (await grants.read(application["id"])).json()
        assert (read["paid_ore"], read["reserved_ore"]) == (20_000_000, 0)
        assert (await pool_and_grant(grants))[POOL] == (50_000_000, 20_000_000, 0, 30_000_000)


class TestSettlement:
    async def test_settlement_releases_the_rest_and_claims_back_the_unused_part(
        self, grants: Grants
    ) -> None:
        call = await grants.call(pool_ore=50_000_000)
        application = await grants.approved(call["id"], 20_000_000)
        await grants.step(application["id"], "payments", {"amount_ore": 15_000_000})
        await grants.approved_report(application["id"], 12_000_000)

        settled = await grants.step(
            application["id"],
            "settlement",
            {"used_amount_ore": 12_000_000, "report": "40 mentorer utbildade."},
            headers={**grants.organiser(MALMO), "Idempotency-Key": "settle-1"},
        )

        assert settled.status_code == 200
        body = settled.json()
        assert body["state"] == "repayment_due"
        assert (body["used_amount_ore"], body["repayment_claim_ore"]) == (12_000_000, 3_000_000)
        assert (body["reserved_ore"], body["outstanding_ore"]) == (0, 3_000_000)
        assert body["report"] == "40 mentorer utbildade."
        assert await pool_and_grant(grants) == {
            POOL: (50_000_000, 15_000_000, 0, 35_000_000),
            GRANT_ACCOUNT: (15_000_000, 0, 0, 15_000_000),
        }

    async def test_repayments_go_back_to_the_pool_up_to_the_claim(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call(pool_ore=50_000_000)
        application = await grants.approved(call["id"], 20_000_000)
        await grants.step(application["id"], "payments", {"amount_ore": 15_000_000})
        await grants.approved_report(application["id"], 12_000_000)
        await grants.step(application["id"], "settlement", {})

        async with unchanged(schema):
            too_much = await grants.step(application["id"], "repayments", {"amount_ore": 3_000_001})
        part = await grants.step(application["id"], "repayments", {"amount_ore": 1_000_000})
        rest = await grants.step(application["id"], "repayments", {"amount_ore": 2_000_000})
        async with unchanged(schema):
            after = await grants.step(application["id"], "repayments", {"amount_ore": 1})

        assert too_much.status_code == 409
        assert problem_type(too_much) == "exceeds-repayment-claim"
        assert part.status_code == 201
        assert (part.json()["repaid_ore"], part.json()["outstanding_ore"]) == (
            1_000_000,
            2_000_000,
        )
        assert part.json()["state"] == "repayment_due"
        assert rest.json()["state"] == "closed"
        assert (rest.json()["repaid_ore"], rest.json()["outstanding_ore"]) == (3_000_000, 0)
        assert after.status_code == 409
        refused(after, 409, "invalid-application-state")
        assert await pool_and_grant(grants) == {
            POOL: (53_000_000, 15_000_000, 0, 38_000_000),
            GRANT_ACCOUNT: (15_000_000, 3_000_000, 0, 12_000_000),
        }
        repayments = await grants.ledger.transfers(kind="repayment")
        assert [(t["from_account"], t["to_account"]) for t in repayments] == [
            (GRANT_ACCOUNT, POOL),
            (GRANT_ACCOUNT, POOL),
        ]

    async def test_all_used_closes_the_application(self, grants: Grants) -> None:
        call = await grants.call()
        application = await grants.approved(call["id"], 20_000_000)
        await grants.step(application["id"], "payments", {"amount_ore": 20_000_000})
        await grants.approved_report(application["id"], 20_000_000)

        settled = await grants.step(application["id"], "settlement", {})

        assert settled.json()["state"] == "closed"
        assert settled.json()["repayment_claim_ore"] == 0

    async def test_a_used_amount_other_than_the_reports_is_422_and_changes_nothing(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        application = await grants.approved(call["id"], 20_000_000)
        await grants.step(application["id"], "payments", {"amount_ore": 10_000_000})
        await grants.approved_report(application["id"], 10_000_000)
        before = await pool_and_grant(grants)

        async with unchanged(schema):
            for used in (10_000_001, 9_999_999, -1, 1.5, "5"):
                body = {"used_amount_ore": used}
                response = await grants.step(application["id"], "settlement", body)

                assert response.status_code == 422, used
                refused(response, 422, "validation-error")
                assert "body.used_amount_ore" in error_locations(response)
        assert await pool_and_grant(grants) == before
        assert (await grants.read(application["id"])).json()["state"] == "paid"

    async def test_another_organiser_cannot_settle(self, grants: Grants, schema: Schema) -> None:
        call = await grants.call()
        application = await grants.approved(call["id"], 20_000_000)
        headers = {**grants.organiser(LUND), "Idempotency-Key": "not-mine"}

        async with unchanged(schema):
            response = await grants.step(
                application["id"], "settlement", {"used_amount_ore": 0}, headers=headers
            )

        assert response.status_code == 404
        refused(response, 404, "not-found")
        assert (await grants.read(application["id"])).json()["state"] == "approved"


class TestHistory:
    async def test_every_step_is_kept_with_who_when_and_request_id(self, grants: Grants) -> None:
        call = await grants.call(pool_ore=50_000_000)
        submitted = await grants.apply(call["id"])
        application_id = submitted.json()["id"]
        steps = [
            submitted,
            await grants.step(
                application_id,
                "decision",
                {"decision": "approve", "approved_amount_ore": 20_000_000},
            ),
            await grants.step(application_id, "payments", {"amount_ore": 20_000_000}),
            await grants.report(application_id, used_amount_ore=19_000_000),
            await grants.review(application_id, 1, "approve"),
            await grants.step(
                application_id,
                "settlement",
                {"used_amount_ore": 19_000_000},
                headers={**grants.organiser(MALMO), "Idempotency-Key": "settle"},
            ),
            await grants.step(application_id, "repayments", {"amount_ore": 1_000_000}),
        ]
        assert all(r.is_success for r in steps), [r.text for r in steps]

        history = (await grants.read(application_id, grants.organiser(MALMO))).json()["history"]

        assert [(e["event"], e["state"]) for e in history] == [
            ("submitted", "submitted"),
            ("approved", "approved"),
            ("paid", "paid"),
            ("reported", "paid"),
            ("report_approved", "paid"),
            ("settled", "repayment_due"),
            ("repaid", "closed"),
        ]
        assert [e["request_id"] for e in history] == [r.headers["X-Request-ID"] for r in steps]
        assert [e["amount_ore"] for e in history] == [
            20_000_000,
            20_000_000,
            20_000_000,
            19_000_000,
            19_000_000,
            19_000_000,
            1_000_000,
        ]
        organiser, admin = history[0]["actor"], history[1]["actor"]
        assert organiser != admin
        assert [e["actor"] for e in history] == [
            organiser,
            admin,
            admin,
            organiser,
            admin,
            organiser,
            admin,
        ]
        assert all(e["created_at"].endswith("Z") for e in history)
        assert history[1]["transfer_id"]
        assert history[2]["transfer_id"]
