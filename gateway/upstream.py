"""The gateway's clients of its upstreams: what the proxy, readiness and the merged document
ask of a service, over aiohttp to a URL, or over httpx to an in-process app (the tests').

aiohttp costs a fraction of httpx's CPU per request (py-spy of the gateway under load: httpx,
httpcore and anyio were three quarters of its busy time). Both answer the same way and fail
with the same three errors, which the proxy turns into problems.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import httpx
from yarl import URL

from gateway.config import Settings


class Busy(Exception):
    """Every connection to the upstream stayed in use for the whole pool timeout: nothing
    was sent, so a retry is safe."""


class Unreachable(Exception):
    """The upstream could not be connected to, or the connection was lost."""


class NoAnswer(Exception):
    """The upstream took longer than the read timeout to answer."""


@dataclass
class Answer:
    """An upstream's answer: its status and headers as they came, its body as it comes."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: AsyncIterator[bytes]
    close: Callable[[], Awaitable[None]]


class Upstream(Protocol):
    async def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        body: AsyncIterator[bytes] | None,
    ) -> Answer:
        """Send one request (its body streamed) and return the answer's head."""

    async def get(self, path: str, seconds: float) -> tuple[int, bytes]:
        """A small GET of the gateway's own (readiness, the OpenAPI document), read whole."""

    async def aclose(self) -> None: ...


class _Body:
    """The request's body as the upstream client reads it. An error of the client's side
    (gone, or over the size limit) is kept, so that it is raised as itself and not as the
    upstream client's error about a body that stopped."""

    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self.source = source
        self.error: BaseException | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.source:
                yield chunk
        except Exception as exc:
            self.error = exc
            raise


# aiohttp adds these when a request has none; a proxy passes on only what the client sent.
_NOT_ADDED = frozenset({"Accept", "Accept-Encoding", "User-Agent", "Content-Type"})


class AiohttpUpstream:
    """A service at a URL: one pool of up to `max_connections` kept-alive connections."""

    def __init__(self, base_url: str, settings: Settings) -> None:
        self.base_url = base_url.rstrip("/")
        self.pool_timeout = settings.pool_timeout
        self._slots = asyncio.Semaphore(settings.max_connections)
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
        )
        # Idle connections are closed before uvicorn's keep-alive (5 s) closes them under a
        # request that was just sent.
        connector = aiohttp.TCPConnector(limit=settings.max_connections, keepalive_timeout=4.0)
        self._session = aiohttp.ClientSession(
            connector=connector, auto_decompress=False, skip_auto_headers=_NOT_ADDED
        )

    def _url(self, target: str) -> URL:
        return URL(self.base_url + target, encoded=True)  # the client's path, not requoted

    async def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        body: AsyncIterator[bytes] | None,
    ) -> Answer:
        if self._slots.locked():  # every connection in use: wait, at most the pool timeout
            try:
                await asyncio.wait_for(self._slots.acquire(), self.pool_timeout)
            except TimeoutError as exc:
                raise Busy from exc
        else:
            await self._slots.acquire()
        reading = _Body(body) if body is not None else None
        try:
            response = await self._session.request(
                method,
                self._url(target),
                headers=[(k.decode("latin-1"), _text(v)) for k, v in headers],
                data=reading.__aiter__() if reading is not None else None,
                allow_redirects=False,
                timeout=self._timeout,
            )
        except BaseException as exc:
            self._slots.release()
            if reading is not None and reading.error is not None:
                raise reading.error from exc
            raise _translated(exc) from exc

        async def close() -> None:
            try:
                if response.content.at_eof():
                    response.release()
                else:
                    response.close()  # an answer not read to its end: the connection goes
            finally:
                self._slots.release()

        return Answer(response.status, list(response.raw_headers), _chunks(response), close)

    async def get(self, path: str, seconds: float) -> tuple[int, bytes]:
        try:
            async with self._session.get(
                self._url(path), timeout=aiohttp.ClientTimeout(total=seconds)
            ) as response:
                return response.status, await response.read()
        except Exception as exc:
            raise _translated(exc) from exc

    async def aclose(self) -> None:
        await self._session.close()


def _text(value: bytes) -> str:
    """A header value as aiohttp sends it (UTF-8): the same bytes for any UTF-8 value."""
    return value.decode("utf-8", errors="replace")


async def _chunks(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.content.iter_any():
            yield chunk
    except aiohttp.ClientError as exc:
        raise Unreachable from exc


def _translated(exc: BaseException) -> BaseException:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return Unreachable()
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        return NoAnswer()
    if isinstance(exc, aiohttp.ClientError | OSError):
        return Unreachable()
    return exc


class HttpxUpstream:
    """A service behind an httpx transport: the tests' in-process apps."""

    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport, settings: Settings):
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.write_timeout,
            pool=settings.pool_timeout,
        )
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport, follow_redirects=False
        )

    async def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        body: AsyncIterator[bytes] | None,
    ) -> Answer:
        request = self._client.build_request(method, target, headers=headers, content=body)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _translated_httpx(exc) from exc
        return Answer(
            response.status_code, response.headers.raw, response.aiter_raw(), response.aclose
        )

    async def get(self, path: str, seconds: float) -> tuple[int, bytes]:
        try:
            response = await self._client.get(path, timeout=seconds)
        except httpx.HTTPError as exc:
            raise _translated_httpx(exc) from exc
        return response.status_code, response.content

    async def aclose(self) -> None:
        await self._client.aclose()


def _translated_httpx(exc: httpx.HTTPError) -> BaseException:
    if isinstance(exc, httpx.PoolTimeout):
        return Busy()
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return NoAnswer()
    if isinstance(exc, httpx.TransportError):
        return Unreachable()
    return exc


def make_upstreams(
    settings: Settings, transports: dict[str, httpx.AsyncBaseTransport] | None = None
) -> dict[str, Upstream]:
    """One client per upstream in the route table; `transports` puts in-process apps behind
    some. POSTs are never retried by either."""
    transports = transports or {}
    return {
        name: HttpxUpstream(url, transports[name], settings)
        if name in transports
        else AiohttpUpstream(url, settings)
        for name, url in settings.upstreams.items()
    }
