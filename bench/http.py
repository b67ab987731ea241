"""A minimal keep-alive HTTP/1.1 client for load: a request written in one piece, the answer
read whole by httptools (content-length or chunked). On two shared cores the load
generator's own CPU must stay small beside the server's, which httpx's would not."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httptools


class HttpConnection:
    """One connection that sends a request and reads its whole answer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.done = False
        self.parser = httptools.HttpResponseParser(self)

    @classmethod
    async def open(cls, base_url: str) -> HttpConnection:
        address = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        return cls(reader, writer)

    def on_message_complete(self) -> None:
        self.done = True

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> int:
        """Send one request and read its answer; the answer's status."""
        lines = [f"{method} {path} HTTP/1.1", "Host: bench"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        self.done = False
        while not self.done:
            data = await self.reader.read(65536)
            if not data:
                raise ConnectionError("the server closed the connection")
            self.parser.feed_data(data)
        status: int = self.parser.get_status_code()
        return status

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> int:
        return await self.request(
            "POST", path, {"Content-Type": "application/json", **headers}, body
        )

    async def get(self, path: str, headers: dict[str, str]) -> int:
        return await self.request("GET", path, headers)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()
