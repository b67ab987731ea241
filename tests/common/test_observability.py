"""Request ids, W3C trace context, Prometheus metrics by route template, JSON log lines."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from common.logging import JsonFormatter
from tests.support import SECRET_TEXT, asgi_client

VALID_ID = "abc-123_DEF.456:789"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
W3C_TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@pytest.fixture
async def funding(services: dict[str, FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(services["funding"]) as client:
        yield client


def request_counts(metrics_text: str) -> dict[tuple[str, str, str, str], float]:
    """`kvf_http_requests_total` by (service, method, route, status)."""
    counts = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.name != "kvf_http_requests":
            continue
        for sample in family.samples:
            if sample.name == "kvf_http_requests_total":
                labels = sample.labels
                key = (labels["service"], labels["method"], labels["route"], labels["status"])
                counts[key] = sample.value
    return counts


class TestRequestId:
    async def test_absent_id_is_generated(self, funding: httpx.AsyncClient) -> None:
        first = await funding.get("/funding/v1/api-info")
        second = await funding.get("/funding/v1/api-info")

        assert _is_uuid(first.headers["x-request-id"])
        assert first.headers["x-request-id"] != second.headers["x-request-id"]

    @pytest.mark.parametrize(
        "given",
        ["short", "has spaces in it", "semi;colon;not;allowed", "x" * 200, "<script>1</script>"],
    )
    async def test_invalid_id_is_replaced(self, funding: httpx.AsyncClient, given: str) -> None:
        response = await funding.get("/funding/v1/api-info", headers={"X-Request-ID": given})

        assert response.headers.get_list("x-request-id") != [given]
        assert _is_uuid(response.headers["x-request-id"])

    async def test_valid_id_is_kept(self, funding: httpx.AsyncClient) -> None:
        response = await funding.get("/funding/v1/api-info", headers={"X-Request-ID": VALID_ID})

        assert response.headers.get_list("x-request-id") == [VALID_ID]

    async def test_valid_id_reaches_the_service_through_the_gateway(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(
            "/funding/v1/no-such-things", headers={"X-Request-ID": VALID_ID}
        )

        assert response.status_code == 404
        assert response.json()["request_id"] == VALID_ID  # written by the funding service
        assert response.headers.get_list("x-request-id") == [VALID_ID]

    async def test_generated_id_at_the_gateway_is_the_services_id_too(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/goals/v1/no-such-things")

        assert _is_uuid(response.headers["x-request-id"])
        assert response.json()["request_id"] == response.headers["x-request-id"]


class TestTraceparent:
    async def test_valid_traceparent_is_returned(self, funding: httpx.AsyncClient) -> None:
        response = await funding.get("/funding/v1/api-info", headers={"traceparent": TRACEPARENT})

        assert response.headers.get_list("traceparent") == [TRACEPARENT]

    @pytest.mark.parametrize(
        "given", [None, "nonsense", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"]
    )
    async def test_absent_or_invalid_traceparent_gets_a_new_one(
        self, funding: httpx.AsyncClient, given: str | None
    ) -> None:
        headers = {"traceparent": given} if given else {}

        response = await funding.get("/funding/v1/api-info", headers=headers)

        assert W3C_TRACEPARENT.match(response.headers["traceparent"])
        assert response.headers["traceparent"] != given


class TestMetrics:
    async def test_metrics_are_prometheus_text_labelled_by_route(
        self, funding: httpx.AsyncClient
    ) -> None:
        await funding.get("/funding/v1/api-info")
        await funding.get("/funding/v1/api-info")

        response = await funding.get("/metrics")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        counts = request_counts(response.text)
        assert counts[("funding", "GET", "/funding/v1/api-info", "200")] == 2

    async def test_templated_path_is_counted_by_template_never_by_raw_path(
        self, sample: httpx.AsyncClient
    ) -> None:
        await sample.get("/sample/v1/items/12345")
        await sample.get("/sample/v1/items/67890")
        await sample.get("/sample/v1/unknown-24680")

        response = await sample.get("/metrics")

        counts = request_counts(response.text)
        assert counts[("sample", "GET", "/sample/v1/items/{id}", "200")] == 2
        for raw in ("12345", "67890", "24680"):
            assert raw not in response.text

    async def test_gateway_never_labels_by_the_raw_proxied_path(
        self, client: httpx.AsyncClient
    ) -> None:
        await client.get("/funding/v1/accounts/2019.kvinnofrid.rss.12")

        response = await client.get("/metrics")

        assert response.status_code == 200
        assert "2019.kvinnofrid.rss.12" not in response.text
        routes = {route for (_, _, route, _) in request_counts(response.text)}
        assert routes
        assert all("/funding/v1/accounts" not in route for route in routes)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the platform's loggers write, formatted by the JSON formatter the apps use."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("kvf")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class TestJsonLogs:
    async def test_each_request_logs_one_json_line_with_its_id(
        self, sample: httpx.AsyncClient, json_log: io.StringIO
    ) -> None:
        response = await sample.get("/sample/v1/items/7", headers={"X-Request-ID": VALID_ID})

        lines = [line for line in log_lines(json_log) if line["request_id"] == VALID_ID]
        assert len(lines) == 1
        assert lines[0]["logger"] == "kvf.access"
        assert lines[0]["message"] == "request"
        assert lines[0]["route"] == "/sample/v1/items/{id}"
        assert lines[0]["status"] == response.status_code == 200
        assert lines[0]["level"] == "info"

    async def test_unexpected_error_is_logged_as_json_with_the_id_and_the_exception(
        self, sample: httpx.AsyncClient, json_log: io.StringIO
    ) -> None:
        response = await sample.get("/sample/v1/boom")

        request_id = response.headers["x-request-id"]
        lines = [line for line in log_lines(json_log) if line["request_id"] == request_id]
        errors = [line for line in lines if line["level"] == "error"]
        assert len(errors) == 1
        assert SECRET_TEXT in errors[0]["exception"]  # in the log, for the operator; not the body
        assert [line["status"] for line in lines if line["message"] == "request"] == [500]
