"""Calls, expressions of interest and applications: who may apply, when, and with what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.funding.grants.support import window
from tests.funding.support import (
    API,
    LUND,
    MALMO,
    POOL,
    Grants,
    application_body,
    error_locations,
)
from tests.support import Schema, Tokens, refused, unchanged

BAD_APPLICATIONS: list[tuple[dict[str, Any], str]] = [
    ({"organisation_number": "212000-1125"}, "body.organisation_number"),  # Luhn
    ({"organisation_number": "2120001"}, "body.organisation_number"),
    ({"organisation_number": "21200O-1124"}, "body.organisation_number"),
    ({"organisation_number": 2120001124}, "body.organisation_number"),
    ({"organisation_number": "556677-8899"}, "body.organisation_number"),  # not municipal
    ({"school_unit_codes": ["1234567"]}, "body.school_unit_codes.0"),
    ({"school_unit_codes": ["123456789"]}, "body.school_unit_codes.0"),
    ({"school_unit_codes": ["12345678", "abcdefgh"]}, "body.school_unit_codes.1"),
    ({"school_unit_codes": []}, "body.school_unit_codes"),
    ({"school_unit_codes": ["12345678", "12345678"]}, "body.school_unit_codes"),
    ({"school_unit_codes": ["12345678", "23456789", "34567890"]}, "body.school_unit_codes"),
    ({"requested_amount_ore": 1.5}, "body.requested_amount_ore"),
    ({"requested_amount_ore": -1}, "body.requested_amount_ore"),
    ({"requested_amount_ore": "100"}, "body.requested_amount_ore"),
    ({"requested_amount_ore": 2**53}, "body.requested_amount_ore"),
    ({"requested_amount_ore": 20_000_001}, "body.requested_amount_ore"),  # the call's maximum
    ({"method": ""}, "body.method"),
    ({"plan": ""}, "body.plan"),
]
BAD_CALLS: list[tuple[dict[str, Any], str]] = [
    ({"pool_account": "2019.nowhere"}, "body.pool_account"),
    ({"pool_account": "2019.staten"}, "body.pool_account"),
    ({"max_amount_per_organiser_ore": 0}, "body.max_amount_per_organiser_ore"),
    ({"max_amount_per_organiser_ore": 2.5}, "body.max_amount_per_organiser_ore"),
    ({"opens_at": "2019-06-10"}, "body.opens_at"),
    ({"opens_at": "2019-06-10T00:00:00"}, "body.opens_at"),
    ({"min_schools": 3, "max_schools": 2}, "body.max_schools"),
    (window(opened_days_ago=-2, closes_in_days=1), "body.closes_at"),
]


async def application_count(grants: Grants) -> int:
    response = await grants.client.get(f"{API}/applications", headers=grants.ledger.admin)
    total: int = response.json()["total"]
    return total


class TestCalls:
    async def test_call_reads_back_with_its_pool_window_and_maximum(self, grants: Grants) -> None:
        call = await grants.call()

        read = await grants.client.get(f"{API}/calls/{call['id']}", headers=grants.organiser(MALMO))

        assert read.status_code == 200
        assert read.json() == call
        assert call["pool_account"] == POOL
        assert call["year"] == 2019
        assert call["max_amount_per_organiser_ore"] == 20_000_000
        assert call["is_open"] is True

    async def test_bad_call_is_422_naming_the_field_and_nothing_is_stored(
        self, grants: Grants, schema: Schema
    ) -> None:
        await grants.call()
        async with unchanged(schema):
            for change, field in BAD_CALLS:
                body = {
                    "title": "x",
                    "pool_account": POOL,
                    "max_amount_per_organiser_ore": 1,
                    **window(),
                    **change,
                }

                response = await grants.post_call(body)

                assert response.status_code == 422, response.text
                refused(response, 422, "validation-error")
                assert field in error_locations(response), change
        listed = await grants.client.get(f"{API}/calls", headers=grants.ledger.admin)
        assert listed.json()["total"] == 1

    async def test_only_admin_opens_a_call(self, grants: Grants, schema: Schema) -> None:
        body = {"title": "x", "pool_account": POOL, "max_amount_per_organiser_ore": 1, **window()}

        async with unchanged(schema):
            response = await grants.post_call(body, headers=grants.organiser(MALMO))

        assert response.status_code == 403
        refused(response, 403, "forbidden")


class TestInterests:
    async def test_interest_once_per_organiser_and_each_sees_its_own(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        path = f"{API}/calls/{call['id']}/interests"
        body = {"organisation_number": MALMO, "organiser_name": "Malmö stad", "school_count": 2}

        first = await grants.client.post(path, json=body, headers=grants.organiser(MALMO))
        async with unchanged(schema):
            again = await grants.client.post(path, json=body, headers=grants.organiser(MALMO))
        await grants.client.post(
            path,
            json={**body, "organisation_number": LUND, "organiser_name": "Lund"},
            headers=grants.organiser(LUND),
        )
        own = await grants.client.get(path, headers=grants.organiser(MALMO))
        every = await grants.client.get(path, headers=grants.ledger.admin)

        assert first.status_code == 201
        assert first.json()["organisation_number"] == MALMO
        assert again.status_code == 409
        assert again.json()["type"] == "interest-exists"
        assert [i["organisation_number"] for i in own.json()["items"]] == [MALMO]
        assert every.json()["total"] == 2

    async def test_interest_for_another_organiser_is_403(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        body = {"organisation_number": LUND, "organiser_name": "Lund"}

        async with unchanged(schema):
            response = await grants.express_interest(call["id"], body, grants.organiser(MALMO))

        assert response.status_code == 403
        refused(response, 403, "forbidden")

    async def test_interest_after_the_call_closed_is_409(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call(when=window(opened_days_ago=30, closes_in_days=-1))
        body = {"organisation_number": MALMO, "organiser_name": "Malmö stad"}

        async with unchanged(schema):
            response = await grants.express_interest(call["id"], body, grants.organiser(MALMO))

        assert response.status_code == 409
        assert response.json()["type"] == "call-not-open"


class TestApplying:
    async def test_application_is_submitted_with_who_when_and_request_id(
        self, grants: Grants
    ) -> None:
        call = await grants.call()

        response = await grants.apply(call["id"])

        assert response.status_code == 201
        application = response.json()
        assert application["state"] == "submitted"
        assert application["organisation_number"] == MALMO
        assert application["school_unit_codes"] == ["12345678", "23456789"]
        assert application["requested_amount_ore"] == 20_000_000
        assert (application["reserved_ore"], application["paid_ore"]) == (0, 0)
        [event] = application["history"]
        assert event["event"] == event["state"] == "submitted"
        assert event["actor"].startswith("kvf_test_")
        assert event["request_id"] == response.headers["X-Request-ID"]
        assert event["created_at"].endswith("Z")

    async def test_organisation_number_is_normalised(self, grants: Grants) -> None:
        call = await grants.call()

        application = await grants.applied(call["id"], organisation_number="2120001124")

        assert application["organisation_number"] == MALMO

    async def test_bad_application_is_422_naming_the_field_and_nothing_is_stored(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        async with unchanged(schema):
            for change, field in BAD_APPLICATIONS:
                response = await grants.client.post(
                    f"{API}/calls/{call['id']}/applications",
                    json={**application_body(), **change},
                    headers=grants.ledger.admin,  # an admin may apply for any organiser
                )

                assert response.status_code == 422, f"{change}: {response.text}"
                assert response.json()["type"] == "validation-error"
                assert field in error_locations(response), (change, response.json()["errors"])
        assert await application_count(grants) == 0

    @pytest.mark.parametrize(
        "when",
        [
            window(opened_days_ago=-1, closes_in_days=30),  # not yet open
            window(opened_days_ago=30, closes_in_days=-1),  # closed
        ],
    )
    async def test_outside_the_window_is_409_call_not_open(
        self, grants: Grants, when: dict[str, str], schema: Schema
    ) -> None:
        call = await grants.call(when=when)

        async with unchanged(schema):
            response = await grants.apply(call["id"])

        assert response.status_code == 409
        problem = response.json()
        assert problem["type"] == "call-not-open"
        assert problem["closes_at"]
        assert await application_count(grants) == 0

    async def test_second_application_from_an_organiser_is_409(
        self, grants: Grants, schema: Schema
    ) -> None:
        call = await grants.call()
        await grants.applied(call["id"])

        async with unchanged(schema):
            response = await grants.apply(call["id"], requested_amount_ore=1_000)

        assert response.status_code == 409
        assert response.json()["type"] == "already-applied"
        assert await application_count(grants) == 1

    async def test_organiser_applies_for_itself_only(self, grants: Grants, schema: Schema) -> None:
        call = await grants.call()

        async with unchanged(schema):
            response = await grants.client.post(
                f"{API}/calls/{call['id']}/applications",
                json=application_body(LUND),
                headers=grants.organiser(MALMO),
            )

        assert response.status_code == 403
        refused(response, 403, "forbidden")
        assert await application_count(grants) == 0

    async def test_unknown_call_is_404(self, grants: Grants, schema: Schema) -> None:
        async with unchanged(schema):
            response = await grants.apply(999_999)

        assert response.status_code == 404
        refused(response, 404, "not-found")


class TestWhoSeesWhichApplication:
    async def test_organiser_sees_only_its_own_applications(
        self, grants: Grants, client: httpx.AsyncClient, schema: Schema
    ) -> None:
        call = await grants.call()
        malmo = await grants.applied(call["id"], MALMO)
        lund = await grants.applied(call["id"], LUND)

        async with unchanged(schema):
            listed = await client.get(f"{API}/applications", headers=grants.organiser(MALMO))
            own = await grants.read(malmo["id"], grants.organiser(MALMO))
            other = await grants.read(lund["id"], grants.organiser(MALMO))
            filtered = await client.get(
                f"{API}/applications",
                params={"organisation_number": LUND},
                headers=grants.organiser(MALMO),
            )

        assert [a["id"] for a in listed.json()["items"]] == [malmo["id"]]
        assert own.status_code == 200
        assert other.status_code == 404
        refused(other, 404, "not-found")
        assert filtered.json()["total"] == 0

    async def test_admin_sees_every_application_and_filters_them(self, grants: Grants) -> None:
        call = await grants.call()
        await grants.applied(call["id"], MALMO)
        await grants.applied(call["id"], LUND)

        every = await grants.client.get(f"{API}/applications", headers=grants.ledger.admin)
        lund = await grants.client.get(
            f"{API}/applications",
            params={"organisation_number": LUND, "state": "submitted", "call_id": call["id"]},
            headers=grants.ledger.admin,
        )

        assert every.json()["total"] == 2
        assert [a["organisation_number"] for a in lund.json()["items"]] == [LUND]

    async def test_other_roles_get_403(
        self, grants: Grants, tokens: Tokens, schema: Schema
    ) -> None:
        async with unchanged(schema):
            for headers in (tokens.rss("12"), tokens.reader, tokens.evaluator):
                response = await grants.client.get(f"{API}/applications", headers=headers)

                assert response.status_code == 403
                refused(response, 403, "forbidden")
