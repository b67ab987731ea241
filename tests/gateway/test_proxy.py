"""The gateway's reverse proxy: routing, streaming, headers, and upstreams that fail."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import AsyncIterator

import httpx
import pytest

from common.problems import PROBLEM_JSON
from tests.gateway.support import HangingServer, counting_upstream, echo_upstream
from tests.support import GatewayFactory, closed_url

CLIENT_REQUEST_ID = "client-chosen-id-0042"
CLIENT_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
MIB = 1024 * 1024


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


class TestRouting:
    @pytest.mark.parametrize("app", ["funding", "goals", "mvp-evaluation"])
    async def test_first_segment_reaches_that_service(
        self, client: httpx.AsyncClient, app: str
    ) -> None:
        response = await client.get(f"/{app}/v1/api-info")

        assert response.status_code == 200
        assert response.json()["name"] == app

    async def test_unknown_first_segment_is_404_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/payroll/v1/salaries")

        body = assert_problem(response, 404)
        assert body["type"] == "not-found"
        assert body["instance"] == "/payroll/v1/salaries"

    async def test_path_and_query_reach_the_upstream_unchanged(
        self, gateways: GatewayFactory
    ) -> None:
        async with gateways.run({"echo": "http://echo"}, {"echo": echo_upstream}) as client:
            response = await client.get("/echo/v1/items/a%2Fb%20c?year=2019&kind=a&kind=b")

        assert response.status_code == 200
        assert response.json()["raw_path"] == "/echo/v1/items/a%2Fb%20c"
        assert response.json()["query"] == "year=2019&kind=a&kind=b"


async def generated_body(total: int, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """`total` bytes in fresh chunks, made as they are sent (never all in memory)."""
    for index in range(total // chunk_size):
        yield bytes([index % 256]) * chunk_size


class TestStreaming:
    async def test_200_mb_upload_streams_through_in_little_memory(
        self, gateways: GatewayFactory
    ) -> None:
        size = 200 * MIB
        # An upload route: the gateway lets it take more than a JSON body may.
        upstreams, apps = {"mvp-evaluation": "http://mvp"}, {"mvp-evaluation": counting_upstream}
        async with gateways.run(upstreams, apps) as client:
            was_tracing = tracemalloc.is_tracing()
            tracemalloc.start()
            try:
                tracemalloc.reset_peak()
                before, _ = tracemalloc.get_traced_memory()
                response = await client.post(
                    "/mvp-evaluation/v1/waves/1/responses",
                    content=generated_body(size),
                    timeout=120,
                )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                if not was_tracing:
                    tracemalloc.stop()

        assert response.status_code == 200
        assert response.json() == {"received": size}
        assert peak - before < 16 * MIB


class TestHeaders:
    async def _echoed(
        self, gateways: GatewayFactory, headers: list[tuple[str, str]]
    ) -> tuple[httpx.Response, httpx.Headers]:
        async with gateways.run({"echo": "http://echo"}, {"echo": echo_upstream}) as client:
            response = await client.get("/echo/v1/headers", headers=headers)
        assert response.status_code == 200
        return response, httpx.Headers([tuple(pair) for pair in response.json()["headers"]])

    async def test_hop_by_hop_request_headers_are_dropped(self, gateways: GatewayFactory) -> None:
        _, received = await self._echoed(
            gateways,
            [
                ("Connection", "keep-alive, X-Client-Hop"),
                ("Keep-Alive", "timeout=5"),
                ("TE", "trailers"),
                ("Upgrade", "websocket"),
                ("Proxy-Authorization", "Basic c2VjcmV0OnNlY3JldA=="),
                ("X-Client-Hop", "only-for-the-first-hop"),
                ("X-End-To-End", "kept"),
            ],
        )

        for name in ("keep-alive", "te", "upgrade", "proxy-authorization", "x-client-hop"):
            assert name not in received, name
        # The gateway's own client may open its hop with `Connection: keep-alive`; the client's
        # tokens never travel on.
        assert "x-client-hop" not in received.get("connection", "").lower()
        assert received["x-end-to-end"] == "kept"

    async def test_a_header_value_that_is_not_ascii_passes_through_unchanged(
        self, gateways: GatewayFactory
    ) -> None:
        """HTTP allows any octet above 0x7f in a value (obs-text); it used to be a 500."""
        async with gateways.run({"echo": "http://echo"}, {"echo": echo_upstream}) as client:
            response = await client.get(
                "/echo/v1/headers", headers=[(b"X-Kommun", "Malmö".encode("latin-1"))]
            )

        assert response.status_code == 200
        assert ["x-kommun", "Malmö"] in response.json()["headers"]

    async def test_forwarded_headers_are_set(self, gateways: GatewayFactory) -> None:
        _, received = await self._echoed(gateways, [("X-Forwarded-For", "203.0.113.7")])

        assert received.get_list("x-forwarded-for") == ["203.0.113.7, 127.0.0.1"]
        assert received["x-forwarded-proto"] == "http"
        assert received["x-forwarded-host"] == "testserver"

    async def test_valid_request_id_is_forwarded_and_returned(
        self, gateways: GatewayFactory
    ) -> None:
        response, received = await self._echoed(gateways, [("X-Request-ID", CLIENT_REQUEST_ID)])

        assert received.get_list("x-request-id") == [CLIENT_REQUEST_ID]
        assert response.headers.get_list("x-request-id") == [CLIENT_REQUEST_ID]

    async def test_traceparent_is_forwarded_and_returned(self, gateways: GatewayFactory) -> None:
        response, received = await self._echoed(gateways, [("traceparent", CLIENT_TRACEPARENT)])

        assert received.get_list("traceparent") == [CLIENT_TRACEPARENT]
        assert response.headers.get_list("traceparent") == [CLIENT_TRACEPARENT]

    async def test_hop_by_hop_response_headers_are_dropped(self, gateways: GatewayFactory) -> None:
        response, _ = await self._echoed(gateways, [("X-Request-ID", CLIENT_REQUEST_ID)])

        for name in (
            "connection",
            "keep-alive",
            "x-upstream-hop",
            "proxy-authenticate",
            "upgrade",
            "trailer",
        ):
            assert name not in response.headers, name
        assert response.headers["x-upstream-normal"] == "kept"
        assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
        assert response.headers.get_list("x-request-id") == [CLIENT_REQUEST_ID]


class TestUpstreamFailures:
    async def test_upstream_down_is_503_problem_without_waiting_for_a_timeout(
        self, gateways: GatewayFactory
    ) -> None:
        """A refused connection is answered at once, not after the connect timeout (set long
        here, so the bound below holds however busy the machine is)."""
        async with gateways.run({"funding": closed_url()}, connect_timeout=60.0) as client:
            started = time.monotonic()
            response = await client.get("/funding/v1/api-info")
            elapsed = time.monotonic() - started

        body = assert_problem(response, 503)
        assert body["type"] == "service-unavailable"
        assert response.headers["retry-after"] == "5"
        assert elapsed < 30.0

    async def test_hanging_upstream_is_504_problem_at_the_read_timeout(
        self, gateways: GatewayFactory, hanging_server: HangingServer
    ) -> None:
        async with gateways.run({"funding": hanging_server.url}, read_timeout=0.5) as client:
            started = time.monotonic()
            response = await client.get("/funding/v1/api-info")
            elapsed = time.monotonic() - started

        body = assert_problem(response, 504)
        assert body["type"] == "gateway-timeout"
        assert elapsed < 3.0

    async def test_post_to_hanging_upstream_is_sent_once_never_retried(
        self, gateways: GatewayFactory, hanging_server: HangingServer
    ) -> None:
        async with gateways.run({"funding": hanging_server.url}, read_timeout=0.5) as client:
            response = await client.post("/funding/v1/transfers", json={"amount_ore": 100})

        assert_problem(response, 504)
        assert hanging_server.connections == 1
        assert hanging_server.request_lines == [b"POST /funding/v1/transfers HTTP/1.1\r"]
