"""A request body read as it streams in, never beyond a limit, and hashed to identify it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from common.problems import PayloadTooLarge


class LimitedBody:
    """The body's chunks, refused with 413 (`too_large` its detail) as soon as it is longer
    than `limit` bytes: at once when its Content-Length says so, else when the byte after
    the limit arrives, so no more than that is ever read. `sha256` is the digest of what was
    read, for an Idempotency-Key to know a retry of the same bytes."""

    def __init__(
        self,
        stream: AsyncIterator[bytes],
        *,
        limit: int,
        content_length: str | None,
        too_large: str,
    ) -> None:
        self.stream = stream
        self.limit = limit
        self.too_large = too_large
        self.received = 0
        self._digest = hashlib.sha256()
        if content_length is not None and content_length.isdigit() and int(content_length) > limit:
            raise PayloadTooLarge(too_large)

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            self.received += len(chunk)
            if self.received > self.limit:
                raise PayloadTooLarge(self.too_large)
            self._digest.update(chunk)
            yield chunk

    async def read(self) -> bytes:
        """The whole body (for a body small enough to hold)."""
        return b"".join([chunk async for chunk in self.chunks()])

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()
