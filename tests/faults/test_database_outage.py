"""PostgreSQL stopped and started again under a stream of transfers through the gateway: while
it is down every answer is 503 `service-unavailable` with `Retry-After`; once it is back the
same apps serve again, unrestarted; every refused transfer, retried with its key, is applied
exactly once; and the balances move by exactly the transfers that were answered 201."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from kvf.embedded import EmbeddedPostgres
from tests.database import DatabaseRun, server_url
from tests.funding.support import Ledger, new_key
from tests.support import (
    GatewayFactory,
    Tokens,
    expect,
    patiently,
    refused,
    service_app,
    started,
)

SOURCE, TARGET = "2019.a", "2019.b"
FUNDS_ORE = 100_000_000
WORKERS = 4
MADE_BEFORE, REFUSED_WHILE_DOWN, MADE_AFTER = 20, 10, 20
PHASE_WITHIN = 60.0  # seconds for each phase; generous, a busy machine only makes it slower
TEST_WITHIN = 240.0


@dataclass
class StoppableServer:
    """A PostgreSQL of this test's own (the session's is shared, so never stopped), with a
    run's roles and one migrated database on it."""

    embedded: EmbeddedPostgres
    url: str
    run: DatabaseRun
    database: str

    async def stop(self) -> None:
        """`pg_ctl stop` in its default (fast) mode: sessions are ended, open work rolled back."""
        await asyncio.to_thread(self.embedded.stop)

    async def start(self) -> None:
        url = await asyncio.to_thread(self.embedded.start)
        assert url == self.url  # the same socket, so the apps' settings still hold


@pytest.fixture
async def own_server() -> AsyncIterator[StoppableServer]:
    """An embedded PostgreSQL in a directory of its own, migrated as a test run migrates."""
    directory = Path(tempfile.mkdtemp(prefix="kvf-fault-"))
    embedded = EmbeddedPostgres(directory / "pgdata")
    try:
        url = await asyncio.to_thread(embedded.start)
        run = DatabaseRun(server_url(url))
        await run.create_template()
        yield StoppableServer(embedded, url, run, await run.clone())
    finally:
        await asyncio.to_thread(embedded.stop)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Answer:
    key: str
    amount_ore: int
    response: httpx.Response
    while_down: bool  # sent after the server had stopped, answered before it was started again


@dataclass
class TransferStream:
    """Clients moving money from SOURCE to TARGET, each transfer with a key of its own and an
    amount of its own, until told to stop; `database_up` is kept current by the test."""

    ledger: Ledger
    answers: list[Answer] = field(default_factory=list)
    database_up: bool = True
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _amounts: itertools.count[int] = field(default_factory=lambda: itertools.count(1_001))

    async def send(self) -> None:
        while not self.stopping.is_set():
            key, amount = new_key("outage"), next(self._amounts)
            down_at_send = not self.database_up
            response = await self.ledger.transfer(
                SOURCE, TARGET, amount, headers=self.ledger.keyed(key)
            )
            while_down = down_at_send and not self.database_up
            self.answers.append(Answer(key, amount, response, while_down))
            if response.status_code != 201:
                await asyncio.sleep(0.05)  # a client that does not spin on refusals

    def count(self, which: Callable[[Answer], bool]) -> int:
        return sum(1 for answer in self.answers if which(answer))

    async def until(self, condition: Callable[[], bool]) -> None:
        deadline = asyncio.get_running_loop().time() + PHASE_WITHIN
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, self.tally()
            await asyncio.sleep(0.05)

    def statuses(self) -> list[int]:
        return [answer.response.status_code for answer in self.answers]

    def tally(self) -> Counter[tuple[int, bool]]:
        """How many answers of each status, sent and answered while down or not."""
        return Counter((answer.response.status_code, answer.while_down) for answer in self.answers)


def made(answer: Answer) -> bool:
    return answer.response.status_code == 201


async def _run_through_an_outage(stream: TransferStream, server: StoppableServer) -> None:
    """Transfers made; the database stopped until some are refused; started; more made."""
    senders = [asyncio.create_task(stream.send()) for _ in range(WORKERS)]
    try:
        await stream.until(lambda: stream.count(made) >= MADE_BEFORE)
        await server.stop()
        stream.database_up = False
        await stream.until(lambda: stream.count(lambda a: a.while_down) >= REFUSED_WHILE_DOWN)
        # From the moment the start begins, an answer may come from the server started again.
        stream.database_up = True
        await server.start()
        made_before = stream.count(made)
        await stream.until(lambda: stream.count(made) >= made_before + MADE_AFTER)
    finally:
        stream.stopping.set()
        await asyncio.gather(*senders)


async def _retried(ledger: Ledger, answer: Answer) -> tuple[httpx.Response, httpx.Response]:
    """The refused transfer sent again with its key (waiting out 503s), then once more."""

    async def send() -> httpx.Response:
        return await ledger.transfer(
            SOURCE, TARGET, answer.amount_ore, headers=ledger.keyed(answer.key)
        )

    return await patiently(send, deadline=PHASE_WITHIN), await send()


async def test_the_database_stopped_and_started_under_transfers_is_503_then_served_again(
    own_server: StoppableServer,
) -> None:
    run, database = own_server.run, own_server.database
    funding = service_app(run, database, "funding")
    async with asyncio.timeout(TEST_WITHIN), started(funding):
        gateways = GatewayFactory(run, database)
        async with gateways.run({"funding": "http://funding"}, apps={"funding": funding}) as client:
            ledger = Ledger(client, Tokens(run))
            await ledger.funded(SOURCE, FUNDS_ORE)
            await ledger.open(TARGET)
            stream = TransferStream(ledger)
            await _run_through_an_outage(stream, own_server)
            refusals = [answer for answer in stream.answers if not made(answer)]
            retries = [await _retried(ledger, answer) for answer in refusals]
            listed = await ledger.transfers(from_account=SOURCE, kind="allocation")
            balances = await ledger.balances(SOURCE, TARGET)

    assert set(stream.statuses()) == {201, 503}, stream.tally()
    assert all(not made(answer) for answer in stream.answers if answer.while_down)
    for answer in refusals:
        refused(answer.response, 503, "service-unavailable")
        assert int(answer.response.headers["retry-after"]) >= 1
    # A refused transfer moved nothing: its retry makes it, once; the next retry replays that.
    for first, second in retries:
        assert expect(second, 201) == expect(first, 201)
        assert "idempotent-replayed" not in first.headers
        assert second.headers.get("idempotent-replayed") == "true"
    moved = {
        response.json()["id"]: response.json()["amount_ore"]
        for response in [a.response for a in stream.answers if made(a)] + [r for r, _ in retries]
    }
    assert len(moved) == stream.count(made) + len(refusals)  # every id its own
    assert {item["id"]: item["amount_ore"] for item in listed} == moved
    total = sum(moved.values())
    assert balances == {
        SOURCE: (FUNDS_ORE, total, 0, FUNDS_ORE - total),
        TARGET: (total, 0, 0, total),
    }
