"""The body streams: the service's memory does not grow with it, rows are written with one
COPY, and a client that disconnects mid-upload leaves nothing stored."""

from __future__ import annotations

import asyncio
import contextlib
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from starlette.types import Message

from services.mvp_evaluation.responses import batch
from tests.database import DatabaseRun
from tests.mvp_evaluation.support import BASE, Survey, items, key
from tests.support import Schema, Tokens, asgi_client, service_app, started

ITEMS = 30


class Generated:
    """A semicolon CSV of `rows` respondents × ITEMS answers, made as it is sent."""

    def __init__(self, rows: int, first: int = 0, chunk_rows: int = 1000) -> None:
        self.rows = rows
        self.first = first
        self.chunk_rows = chunk_rows
        self.size = 0

    def header(self) -> bytes:
        return ("respondent;" + ";".join(f"q{i}" for i in range(1, ITEMS + 1)) + "\r\n").encode()

    def chunk(self, start: int, end: int) -> bytes:
        return "".join(
            f"P{n:07d};" + ";".join(str((n * i) % 5 + 1) for i in range(ITEMS)) + "\r\n"
            for n in range(start, end)
        ).encode()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts():
            self.size += len(part)
            yield part

    def parts(self) -> Iterator[bytes]:
        yield self.header()
        end = self.first + self.rows
        for start in range(self.first, end, self.chunk_rows):
            yield self.chunk(start, min(start + self.chunk_rows, end))


async def traced_peak(survey: Survey, wave: int, body: Generated) -> int:
    """The most memory Python held at once (gateway and service) while the body went in."""
    tracemalloc.start()
    try:
        response = await survey.post(wave, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 201, response.text
    return peak


class TestMemory:
    async def test_memory_grows_far_less_than_the_body(
        self, survey: Survey, schema: Schema, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The spool keeps its first MB in memory, then moves to disk; a small threshold lets
        # a small test see what grows beyond it: the 12-20 bytes per row of respondent hashes.
        monkeypatch.setattr(batch, "SPOOL_IN_MEMORY", 64 * 1024)
        await survey.instrument(item_list=items(ITEMS))
        school = await survey.school()
        small, large = Generated(2_000), Generated(12_000, first=2_000)
        # Pre waves of three schools: the batches are checked against nobody's pre wave.
        others = [await survey.school(), await survey.school()]
        await traced_peak(survey, await survey.wave(school, "pre"), Generated(500, 99_000))

        small_peak = await traced_peak(survey, await survey.wave(others[0], "pre"), small)
        large_peak = await traced_peak(survey, await survey.wave(others[1], "pre"), large)

        growth_per_row = (large_peak - small_peak) / 10_000
        body_per_row = (large.size - small.size) / 10_000
        assert growth_per_row < 32
        assert growth_per_row < body_per_row / 2
        assert await schema.count("response") == 14_500


class TestFullSize:
    async def test_100_000_respondents_by_30_items_go_in_through_the_gateway(
        self, survey: Survey, schema: Schema
    ) -> None:
        await survey.instrument(item_list=items(ITEMS))
        wave = await survey.wave(await survey.school())
        body = Generated(100_000, chunk_rows=2_000)

        response = await survey.post(wave, body)

        assert response.status_code == 201, response.text
        assert response.json() == {
            "wave_id": wave,
            "imported": 100_000,
            "in_other_schools": 0,
            "matched_pre": None,
        }
        assert await survey.respondents(wave) == 100_000
        rows = await schema.rows(
            "SELECT count(*), min(respondent), max(respondent), "
            "sum((SELECT sum(a) FROM unnest(answers) AS a)) FROM mvp_evaluation.response"
        )
        expected_sum = sum((n * i) % 5 + 1 for n in range(100_000) for i in range(ITEMS))
        assert tuple(rows[0]) == (100_000, "P0000000", "P0099999", expected_sum)


class TestCopy:
    async def test_rows_are_written_by_one_binary_copy_not_row_by_row(
        self, survey: Survey, schema: Schema, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        copies: list[dict[str, Any]] = []
        original = asyncpg.Connection.copy_to_table

        async def watched(self: asyncpg.Connection, table: str, **options: Any) -> str:
            copies.append({"table": table, "format": options.get("format")})
            result: str = await original(self, table, **options)
            return result

        monkeypatch.setattr(asyncpg.Connection, "copy_to_table", watched)
        await survey.instrument(item_list=items(ITEMS))
        wave = await survey.wave(await survey.school())

        response = await survey.post(wave, Generated(3_000))

        assert response.status_code == 201
        assert copies == [{"table": "response", "format": "binary"}]
        assert await schema.count("response") == 3_000


def raw_request(path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (name.lower().encode(), value.encode())
            for name, value in {**headers, "Transfer-Encoding": "chunked"}.items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def disconnect_midway(app: FastAPI, path: str, headers: dict[str, str]) -> list[Message]:
    """Send the header and a few thousand rows, then go away as a dropped client does."""
    body = Generated(100_000)
    parts = body.parts()
    sent: list[Message] = []
    count = 0

    async def receive() -> Message:
        nonlocal count
        count += 1
        if count <= 5:
            return {"type": "http.request", "body": next(parts), "more_body": True}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    # What a server does with the app's exception is not the point here.
    with contextlib.suppress(Exception):
        await app(raw_request(path, headers), receive, send)
    return sent


class TestDisconnect:
    async def test_a_client_gone_mid_upload_through_the_gateway_leaves_nothing(
        self, survey: Survey, schema: Schema, gateway: FastAPI, tokens: Tokens
    ) -> None:
        await survey.instrument(item_list=items(ITEMS))
        wave = await survey.wave(await survey.school())
        before = await schema.counts()
        headers = {**survey.headers, **key(), "Content-Type": "text/csv", "Host": "testserver"}

        sent = await disconnect_midway(gateway, f"{BASE}/waves/{wave}/responses", headers)
        assert 201 not in [message.get("status") for message in sent]

        assert await schema.counts() == before
        assert await survey.respondents(wave) == 0
        again = await survey.post(wave, Generated(100))
        assert again.status_code == 201

    async def test_a_client_gone_mid_upload_to_the_service_leaves_nothing(
        self, survey: Survey, schema: Schema, test_run: DatabaseRun, database: str
    ) -> None:
        await survey.instrument(item_list=items(ITEMS))
        wave = await survey.wave(await survey.school())
        before = await schema.counts()
        headers = {**survey.headers, **key(), "Content-Type": "text/csv", "Host": "testserver"}
        app = service_app(test_run, database, "mvp-evaluation")
        async with started(app):
            sent = await disconnect_midway(app, f"{BASE}/waves/{wave}/responses", headers)
        assert sent[0]["status"] == 400
        assert b"upload-incomplete" in sent[1]["body"]

        assert await schema.counts() == before
        assert await survey.respondents(wave) == 0


class TestSlowClients:
    async def test_uploads_waiting_on_their_clients_hold_no_database_connection(
        self, survey: Survey, schema: Schema, test_run: DatabaseRun, database: str
    ) -> None:
        await survey.instrument(item_list=items(ITEMS))
        school = await survey.school()
        schools = [school, await survey.school(), await survey.school()]
        waves = [await survey.wave(each, "pre") for each in schools]
        go_on = asyncio.Event()
        waiting = asyncio.Semaphore(0)
        # A pool of one connection and one more: three stalled uploads would take them all.
        app = service_app(test_run, database, "mvp-evaluation", db_pool_size=1)

        async def upload(wave: int) -> list[Message]:
            parts = iter([*Generated(50, first=wave * 1000).parts(), b""])
            sent: list[Message] = []

            async def receive() -> Message:
                part = next(parts)
                if part and not part.startswith(b"respondent") and not go_on.is_set():
                    waiting.release()
                    await go_on.wait()  # the header came; the rows are slow to follow
                return {"type": "http.request", "body": part, "more_body": bool(part)}

            async def send(message: Message) -> None:
                sent.append(message)

            headers = {**survey.headers, **key(), "Content-Type": "text/csv"}
            await app(raw_request(f"{BASE}/waves/{wave}/responses", headers), receive, send)
            return sent

        async with started(app), asgi_client(app) as client:
            uploads = [asyncio.create_task(upload(wave)) for wave in waves]
            for _ in uploads:  # each upload has read its header and waits for rows
                await waiting.acquire()
            assert not any(task.done() for task in uploads)

            meanwhile = await client.get(f"{BASE}/waves/{waves[0]}", headers=survey.headers)
            go_on.set()
            finished = await asyncio.gather(*uploads)

        assert meanwhile.status_code == 200
        assert [sent[0]["status"] for sent in finished] == [201, 201, 201]
        assert await schema.count("response") == 150
