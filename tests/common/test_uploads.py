"""A body read within a limit: refused at once by its declared length, else as soon as it
passes the limit, and hashed to identify it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest

from common.problems import PayloadTooLarge
from common.uploads import LimitedBody


class Stream:
    """Chunks of 10 bytes, counting how many were taken."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for n in range(self.chunks):
            self.taken += 1
            yield f"chunk {n:03d}\n".encode()


def body(stream: Stream, limit: int, content_length: str | None = None) -> LimitedBody:
    return LimitedBody(
        stream.__aiter__(), limit=limit, content_length=content_length, too_large="Too large."
    )


class TestLimitedBody:
    async def test_a_body_within_the_limit_is_read_whole_and_hashed(self) -> None:
        stream = Stream(3)
        limited = body(stream, limit=30, content_length="30")

        read = await limited.read()

        assert read == b"chunk 000\nchunk 001\nchunk 002\n"
        assert limited.sha256 == hashlib.sha256(read).hexdigest()
        assert limited.received == 30

    async def test_a_declared_length_over_the_limit_is_413_before_a_byte_is_read(self) -> None:
        stream = Stream(3)

        with pytest.raises(PayloadTooLarge) as raised:
            body(stream, limit=29, content_length="30")

        assert raised.value.detail == "Too large."
        assert stream.taken == 0

    async def test_a_stream_over_the_limit_is_413_once_the_limit_is_passed(self) -> None:
        stream = Stream(1000)
        limited = body(stream, limit=25)

        with pytest.raises(PayloadTooLarge):
            await limited.read()

        assert stream.taken == 3
