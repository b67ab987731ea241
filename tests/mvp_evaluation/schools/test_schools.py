"""Schools: school unit code, name, organiser (Luhn), municipality (one of 290), arm."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.mvp_evaluation.support import BASE, key
from tests.support import Schema, Tokens, refused

SCHOOL: dict[str, Any] = {
    "school_unit_code": "12345678",
    "name": "  Källbrinksskolan ",
    "organisation_number": "2120000142",
    "municipality_code": "0180",
    "arm": "intervention",
}


class TestRegister:
    async def test_an_evaluator_registers_a_school_and_reads_it_back(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        created = await client.post(f"{BASE}/schools", json=SCHOOL, headers=tokens.evaluator)

        assert created.status_code == 201
        body = created.json()
        assert body["school_unit_code"] == "12345678"
        assert body["name"] == "Källbrinksskolan"
        assert body["organisation_number"] == "212000-0142"
        assert body["arm"] == "intervention"
        assert body["created_at"].endswith(("Z", "+00:00"))
        read = await client.get(f"{BASE}/schools/12345678", headers=tokens.reader)
        assert read.status_code == 200
        assert read.json() == body

    async def test_a_school_unit_code_registered_twice_is_409(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        await client.post(f"{BASE}/schools", json=SCHOOL, headers=tokens.admin)
        before = await schema.counts()

        again = await client.post(
            f"{BASE}/schools", json={**SCHOOL, "name": "Annan"}, headers=tokens.admin
        )

        assert again.status_code == 409
        assert again.json()["type"] == "school-exists"
        assert await schema.counts() == before
        read = await client.get(f"{BASE}/schools/12345678", headers=tokens.admin)
        assert read.json()["name"] == "Källbrinksskolan"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("school_unit_code", "1234567"),
            ("school_unit_code", "1234567a"),
            ("organisation_number", "212000-0143"),
            ("municipality_code", "0100"),
            ("arm", "control"),
            ("name", " "),
        ],
    )
    async def test_invalid_fields_are_422_and_nothing_is_registered(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema, field: str, value: str
    ) -> None:
        before = await schema.counts()

        response = await client.post(
            f"{BASE}/schools", json={**SCHOOL, field: value}, headers=tokens.evaluator
        )

        assert response.status_code == 422
        assert response.json()["type"] == "validation-error"
        assert await schema.counts() == before
        assert [error["location"] for error in response.json()["errors"]] == [f"body.{field}"]
        listed = await client.get(f"{BASE}/schools", headers=tokens.evaluator)
        assert listed.json()["total"] == 0

    async def test_a_retry_with_the_same_idempotency_key_replays_the_first_response(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = {**tokens.evaluator, **key()}
        first = await client.post(f"{BASE}/schools", json=SCHOOL, headers=headers)

        retry = await client.post(f"{BASE}/schools", json=SCHOOL, headers=headers)

        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()

    @pytest.mark.parametrize("role", ["reader", "rss", "organiser"])
    async def test_only_evaluators_and_admins_register_schools(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema, role: str
    ) -> None:
        headers = {
            "reader": tokens.reader,
            "rss": tokens.rss("01"),
            "organiser": tokens.organiser("212000-0142"),
        }[role]
        before = await schema.counts()

        response = await client.post(f"{BASE}/schools", json=SCHOOL, headers=headers)

        refused(response, 403, "forbidden")
        assert await schema.counts() == before


class TestList:
    async def test_schools_are_listed_in_code_order_filtered_and_paged(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        for code, arm in (("30000003", "comparison"), ("10000001", "intervention")):
            school = {**SCHOOL, "school_unit_code": code, "arm": arm}
            await client.post(f"{BASE}/schools", json=school, headers=tokens.evaluator)
        await client.post(
            f"{BASE}/schools",
            json={**SCHOOL, "school_unit_code": "20000002", "municipality_code": "1280"},
            headers=tokens.evaluator,
        )

        everything = await client.get(f"{BASE}/schools", headers=tokens.reader)
        comparison = await client.get(
            f"{BASE}/schools", params={"arm": "comparison"}, headers=tokens.reader
        )
        malmo = await client.get(
            f"{BASE}/schools", params={"municipality_code": "1280"}, headers=tokens.reader
        )
        second_page = await client.get(
            f"{BASE}/schools", params={"limit": 1, "offset": 1}, headers=tokens.reader
        )

        codes = [school["school_unit_code"] for school in everything.json()["items"]]
        assert codes == ["10000001", "20000002", "30000003"]
        assert [s["school_unit_code"] for s in comparison.json()["items"]] == ["30000003"]
        assert [s["school_unit_code"] for s in malmo.json()["items"]] == ["20000002"]
        assert second_page.json()["total"] == 3
        assert [s["school_unit_code"] for s in second_page.json()["items"]] == ["20000002"]

    async def test_an_unknown_school_is_404(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        before = await schema.counts()

        response = await client.get(f"{BASE}/schools/99999999", headers=tokens.reader)

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "not-found"
        assert await schema.counts() == before
