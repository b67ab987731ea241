"""Test upstreams for the gateway: in-process ASGI apps that count or echo, and a real socket
server that accepts and never answers."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.types import Receive, Scope, Send

# What the echo upstream answers with besides its body: hop-by-hop headers the gateway must drop,
# an id of its own the gateway must replace, and ordinary headers that must survive.
UPSTREAM_RESPONSE_HEADERS = [
    ("content-type", "application/json"),
    ("connection", "close, x-upstream-hop"),
    ("keep-alive", "timeout=5"),
    ("x-upstream-hop", "secret"),
    ("proxy-authenticate", 'Basic realm="upstream"'),
    ("upgrade", "h2c"),
    ("trailer", "x-checksum"),
    ("x-request-id", "upstream-own-id-0001"),
    ("x-upstream-normal", "kept"),
    ("set-cookie", "a=1"),
    ("set-cookie", "b=2"),
]


async def _drain(receive: Receive) -> int:
    """Read the whole request body, keeping only its length."""
    received = 0
    while True:
        message = await receive()
        received += len(message.get("body", b""))
        if not message.get("more_body", False):
            return received


async def _send_json(send: Send, body: Any, headers: list[tuple[str, str]]) -> None:
    payload = json.dumps(body).encode()
    raw = [(key.encode("latin-1"), value.encode("latin-1")) for key, value in headers]
    raw.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


async def counting_upstream(scope: Scope, receive: Receive, send: Send) -> None:
    """Counts the bytes of the request body, keeps none of them, and answers with the count."""
    received = await _drain(receive)
    await _send_json(send, {"received": received}, [("content-type", "application/json")])


async def echo_upstream(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers with what it received: method, path, query and headers (in order, repeated)."""
    await _drain(receive)
    body = {
        "method": scope["method"],
        "raw_path": scope["raw_path"].decode("latin-1"),
        "query": scope["query_string"].decode("latin-1"),
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
    }
    await _send_json(send, body, UPSTREAM_RESPONSE_HEADERS)


_REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/1\.[01]\r$", re.MULTILINE)


class HangingServer:
    """A real TCP server on 127.0.0.1 that accepts, reads everything, and never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self.received = bytearray()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    @property
    def request_lines(self) -> list[bytes]:
        return _REQUEST_LINE.findall(bytes(self.received))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        while chunk := await reader.read(65536):
            self.received += chunk

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
