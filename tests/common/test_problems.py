"""Every error of every app leaves as RFC 9457 application/problem+json, with the request id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from common.problems import PROBLEM_JSON
from tests.support import SECRET_TEXT, GatewayFactory, Tokens, asgi_client, sample_app

APPS = ("gateway", "funding", "goals", "mvp-evaluation")


def assert_problem(response: httpx.Response, status: int, problem_type: str) -> dict[str, Any]:
    """The response is a problem of this status and type, quoting the response's request id."""
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == problem_type
    assert isinstance(body["title"], str)
    assert body["title"]
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


@pytest.fixture(params=APPS)
async def app_client(
    request: pytest.FixtureRequest, services: dict[str, FastAPI], client: httpx.AsyncClient
) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """A client of one started app: a service direct, or the gateway with the services behind it."""
    name: str = request.param
    if name == "gateway":
        yield name, client
        return
    async with asgi_client(services[name]) as direct:
        yield name, direct


class TestNotFound:
    async def test_unknown_path_is_404_problem(
        self, app_client: tuple[str, httpx.AsyncClient]
    ) -> None:
        name, client = app_client

        response = await client.get(f"/{name}/v1/no-such-things")

        body = assert_problem(response, 404, "not-found")
        assert body["instance"] == f"/{name}/v1/no-such-things"

    async def test_unknown_first_segment_at_the_gateway_is_404_problem(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/payroll/v1/salaries")

        assert_problem(response, 404, "not-found")


class TestMethodNotAllowed:
    async def test_wrong_method_on_a_known_path_is_405_problem(
        self, app_client: tuple[str, httpx.AsyncClient]
    ) -> None:
        name, client = app_client

        for path in ("/health/live", f"/{name}/v1/api-info"):
            response = await client.delete(path)

            body = assert_problem(response, 405, "method-not-allowed")
            assert body["instance"] == path
            assert response.headers["allow"] == "GET"

    async def test_allow_names_every_method_of_the_path_not_only_the_first_routes(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        """/auth/v1/clients is two routes (GET and POST); /goals/v1/reports/{id} GET and PATCH."""
        for path, allowed in (
            ("/auth/v1/clients", "GET, POST"),
            ("/goals/v1/reports/1", "GET, PATCH"),
        ):
            response = await client.request("OPTIONS", path, headers=tokens.admin)

            assert_problem(response, 405, "method-not-allowed")
            assert response.headers["allow"] == allowed, path


class TestValidation:
    async def test_bad_query_parameter_is_422_problem_with_errors(
        self, sample: httpx.AsyncClient
    ) -> None:
        response = await sample.get("/sample/v1/items", params={"limit": "abc"})

        body = assert_problem(response, 422, "validation-error")
        [error] = body["errors"]
        assert error["location"] == "query.limit"
        assert error["value"] == "abc"
        assert isinstance(error["message"], str)
        assert error["message"]

    async def test_out_of_range_and_bad_path_parameters_are_each_listed(
        self, sample: httpx.AsyncClient
    ) -> None:
        over = await sample.get("/sample/v1/items", params={"limit": "1000", "offset": "-1"})
        path = await sample.get("/sample/v1/items/abc")

        over_body = assert_problem(over, 422, "validation-error")
        assert sorted((e["location"], e["value"]) for e in over_body["errors"]) == [
            ("query.limit", "1000"),
            ("query.offset", "-1"),
        ]
        path_body = assert_problem(path, 422, "validation-error")
        assert [(e["location"], e["value"]) for e in path_body["errors"]] == [("path.id", "abc")]

    async def test_422_from_a_service_reaches_the_client_through_the_gateway_intact(
        self, gateways: GatewayFactory
    ) -> None:
        async with gateways.run({"sample": "http://sample"}, {"sample": sample_app()}) as client:
            response = await client.get(
                "/sample/v1/items?limit=abc", headers={"X-Request-ID": "through-gateway-0001"}
            )

        body = assert_problem(response, 422, "validation-error")
        assert body["request_id"] == "through-gateway-0001"
        assert [(e["location"], e["value"]) for e in body["errors"]] == [("query.limit", "abc")]


class TestUnexpectedError:
    async def test_unexpected_exception_is_500_problem_without_its_text(
        self, sample: httpx.AsyncClient
    ) -> None:
        response = await sample.get("/sample/v1/boom")

        body = assert_problem(response, 500, "internal-error")
        assert body["instance"] == "/sample/v1/boom"
        assert SECRET_TEXT not in response.text
        assert "RuntimeError" not in response.text
        assert "Traceback" not in response.text

    async def test_unexpected_exception_behind_the_gateway_is_500_problem_without_its_text(
        self, gateways: GatewayFactory
    ) -> None:
        async with gateways.run({"sample": "http://sample"}, {"sample": sample_app()}) as client:
            response = await client.get("/sample/v1/boom")

        assert_problem(response, 500, "internal-error")
        assert SECRET_TEXT not in response.text
        assert "RuntimeError" not in response.text
