"""No input gets a 500: malformed input of every kind is a 4xx problem naming the field, decided
once in `common/` for every app (through the gateway and at each service directly), and
nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support import Schema, Tokens, asgi_client, make_token, refused, unchanged

TRANSFER = '{"from_account": "2019.a", "to_account": "2019.b", "kind": "grant", %s}'


@pytest.fixture
def funding_schema(test_run: Any, database: str) -> Schema:
    return Schema(test_run, database, "funding")


@pytest.fixture(params=["gateway", "direct"])
async def funding(
    request: pytest.FixtureRequest, services: dict[str, FastAPI], client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """The funding service, through the gateway and directly."""
    if request.param == "gateway":
        yield client
        return
    async with asgi_client(services["funding"]) as direct:
        yield direct


def keyed(tokens: Tokens, key: str = "malformed-1") -> dict[str, str]:
    return {**tokens.admin, "Idempotency-Key": key, "Content-Type": "application/json"}


def locations(problem: dict[str, Any]) -> set[str]:
    return {error["location"] for error in problem.get("errors") or []}


class TestJsonBodies:
    @pytest.mark.parametrize(
        ("fragment", "location"),
        [
            ('"amount_ore": 1, "note": "a\\u0000b"', "body.note"),
            ('"amount_ore": 1, "note": "\\ud800"', "body.note"),
            ('"amount_ore": NaN', "body.amount_ore"),
            ('"amount_ore": Infinity', "body.amount_ore"),
            ('"amount_ore": -Infinity', "body.amount_ore"),
            ('"amount_ore": 1e400', "body.amount_ore"),
            ('"amount_ore": 123456789012345678901234567890', "body.amount_ore"),
        ],
    )
    async def test_a_value_no_column_can_hold_is_422_naming_it_and_nothing_moves(
        self,
        funding: httpx.AsyncClient,
        tokens: Tokens,
        funding_schema: Schema,
        fragment: str,
        location: str,
    ) -> None:
        async with unchanged(funding_schema):
            response = await funding.post(
                "/funding/v1/transfers", content=TRANSFER % fragment, headers=keyed(tokens)
            )
        problem = refused(response, 422, "validation-error")
        assert location in locations(problem), problem

    async def test_a_duplicate_key_is_422_not_last_wins(
        self, funding: httpx.AsyncClient, tokens: Tokens, funding_schema: Schema
    ) -> None:
        body = TRANSFER % '"amount_ore": 1, "note": "x", "amount_ore": 999'
        async with unchanged(funding_schema):
            response = await funding.post(
                "/funding/v1/transfers", content=body, headers=keyed(tokens)
            )
        problem = refused(response, 422, "validation-error")
        assert "body.amount_ore" in locations(problem), problem

    async def test_json_nested_100000_deep_is_a_4xx_problem(
        self, funding: httpx.AsyncClient, tokens: Tokens, funding_schema: Schema
    ) -> None:
        deep = "[" * 100_000 + "]" * 100_000
        async with unchanged(funding_schema):
            response = await funding.post(
                "/funding/v1/transfers",
                content=TRANSFER % f'"amount_ore": 1, "note": {deep}',
                headers=keyed(tokens),
            )
        refused(response, 422, "validation-error")

    async def test_the_goals_and_survey_services_refuse_the_same(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = {**tokens.admin, "Content-Type": "application/json"}
        plan = '{"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2", "K\\u0000"]}'
        response = await client.post("/goals/v1/plans", content=plan, headers=headers)
        assert "body.goal_codes.2" in locations(refused(response, 422, "validation-error"))
        school = (
            '{"school_unit_code": "12345678", "name": "\\udfff", "organisation_number": '
            '"212000-0142", "municipality_code": "0180", "arm": "intervention"}'
        )
        response = await client.post(
            "/mvp-evaluation/v1/schools", content=school, headers=tokens.evaluator
        )
        assert "body.name" in locations(refused(response, 422, "validation-error"))


class TestNumbersBeyondTheirColumns:
    @pytest.mark.parametrize(
        "path",
        [
            "/funding/v1/transfers?offset=1150798582759999807005130752",
            "/funding/v1/transfers?limit=99999999999999999999999",
            "/funding/v1/transfers/99999999999999999999",
            "/goals/v1/reports/99999999999999999999",
            "/goals/v1/plans/99999999999999999999",
            "/mvp-evaluation/v1/waves/99999999999999999999",
            "/auth/v1/clients?offset=13961102185947291648",
        ],
    )
    async def test_an_integer_beyond_its_column_is_422(
        self, client: httpx.AsyncClient, tokens: Tokens, path: str
    ) -> None:
        response = await client.get(path, headers=tokens.admin)
        refused(response, 422, "validation-error")

    async def test_a_year_or_version_beyond_its_column_is_422(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = {**tokens.admin, "Content-Type": "application/json"}
        plan = '{"county_code": "12", "year": 1e300, "goal_codes": ["K1", "K2"]}'
        response = await client.post("/goals/v1/plans", content=plan, headers=headers)
        assert "body.year" in locations(refused(response, 422, "validation-error"))
        wave = {
            "school_unit_code": "12345678",
            "instrument_code": "mvp-elev",
            "instrument_version": 2**40,
            "kind": "pre",
            "cohort": "2019",
            "administered_on": "2019-09-16",
        }
        response = await client.post(
            "/mvp-evaluation/v1/waves", json=wave, headers=tokens.evaluator
        )
        refused(response, 422, "validation-error")


class TestTargets:
    async def test_a_nul_in_a_path_segment_is_a_4xx_problem(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.get("/funding/v1/accounts/2019%00x", headers=tokens.admin)
        assert "path" in locations(refused(response, 422, "validation-error"))

    async def test_a_nul_in_a_query_parameter_is_422_naming_it(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.get("/funding/v1/accounts?county_code=1%002", headers=tokens.admin)
        assert "query.county_code" in locations(refused(response, 422, "validation-error"))

    async def test_a_nul_in_the_token_form_is_a_4xx_problem_without_a_login(
        self, client: httpx.AsyncClient
    ) -> None:
        form = {"grant_type": "client_credentials", "client_id": "kvf_\x00", "client_secret": "x"}
        response = await client.post("/auth/v1/token", data=form)
        assert "body.client_id" in locations(refused(response, 422, "validation-error"))


class TestQueryParameters:
    @pytest.mark.parametrize(
        "path",
        ["/funding/v1/transfers?limt=5", "/goals/v1/plans?year=2019&county=12", "/health/live?x=1"],
    )
    async def test_a_parameter_the_operation_does_not_take_is_422_naming_it(
        self, client: httpx.AsyncClient, tokens: Tokens, path: str
    ) -> None:
        name = path.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
        problem = refused(await client.get(path, headers=tokens.admin), 422, "validation-error")
        assert locations(problem) == {f"query.{name}"}
        assert name in problem["detail"]

    async def test_declared_parameters_still_pass(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.get("/funding/v1/transfers?limit=5&offset=0", headers=tokens.admin)
        assert response.status_code == 200


class TestTokens:
    @pytest.mark.parametrize(
        "claims",
        [
            {"county_code": ["12", "01"]},
            {"organisation_number": {"n": 1}},
        ],
    )
    async def test_a_signed_token_with_claims_of_the_wrong_type_is_401(
        self, client: httpx.AsyncClient, test_run: Any, claims: dict[str, Any]
    ) -> None:
        token = make_token(test_run, "rss", county_code="12", extra_claims=claims)
        response = await client.get(
            "/funding/v1/accounts", headers={"Authorization": f"Bearer {token}"}
        )
        refused(response, 401, "invalid-token")
