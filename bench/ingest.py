"""Ingestion: 100 000 respondents × 30 items as semicolon CSV through the gateway, against a
plain asyncpg COPY of the same rows into the same table.

Both run in this process against one PostgreSQL (KVF_DATABASE_URL, else an embedded one),
the apps started as the tests start them. The plain COPY gets its records ready-made in
memory; the gateway run starts from the CSV bytes and includes everything a client waits
for: the gateway, token checks, parsing, validation, the COPY and the commit. Each is run
`REPEATS` times into an empty table; the median counts.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np

from common.settings import PlatformSettings
from gateway.main import create_app as create_gateway
from kvf.embedded import EmbeddedPostgres
from tests.conftest import (
    SERVICE_FACTORIES,
    Tokens,
    asgi_client,
    gateway_settings,
    service_app,
    started,
)
from tests.database import DatabaseRun, server_url

RESPONDENTS = 100_000
ITEMS = 30
REPEATS = 3
SEED = 2019
MISSING_SHARE = 0.02
BODY_CHUNK = 64 * 1024
BASE = "/mvp-evaluation/v1"


def generate(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Respondent codes and answers 1–5 (0 = missing), the same on every run."""
    answers = rng.integers(1, 6, size=(RESPONDENTS, ITEMS))
    answers[rng.random((RESPONDENTS, ITEMS)) < MISSING_SHARE] = 0
    return [f"P{i:06d}" for i in range(RESPONDENTS)], answers


def csv_body(codes: list[str], answers: np.ndarray) -> bytes:
    lines = [";".join(["respondent", *(f"q{j}" for j in range(1, ITEMS + 1))])]
    for code, row in zip(codes, answers.tolist(), strict=True):
        lines.append(";".join([code, *("" if v == 0 else str(v) for v in row)]))
    return ("\r\n".join(lines) + "\r\n").encode()


def records(wave: int, codes: list[str], answers: np.ndarray) -> list[tuple[Any, ...]]:
    rows = []
    for position, (code, row) in enumerate(zip(codes, answers.tolist(), strict=True), start=1):
        rows.append((wave, position, code, [None if v == 0 else v for v in row]))
    return rows


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), BODY_CHUNK):
        yield body[start : start + BODY_CHUNK]


@asynccontextmanager
async def postgres() -> AsyncIterator[str]:
    configured = PlatformSettings().database_url
    if configured:
        yield configured
        return
    directory = Path(tempfile.mkdtemp(prefix="kvf-bench-"))
    embedded = EmbeddedPostgres(directory / "pgdata")
    try:
        yield embedded.start()
    finally:
        embedded.stop()
        shutil.rmtree(directory, ignore_errors=True)


@asynccontextmanager
async def system(run: DatabaseRun, database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway and the services in this process, as the tests run them."""
    apps = {name: service_app(run, database, name) for name in SERVICE_FACTORIES}
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=app) for name, app in apps.items()
    }
    gateway = create_gateway(gateway_settings(run, database), transports=transports)
    async with (
        started(apps["funding"]),
        started(apps["goals"]),
        started(apps["mvp-evaluation"]),
        started(gateway),
        asgi_client(gateway) as client,
    ):
        client.timeout = httpx.Timeout(600)
        yield client


async def _post(client: httpx.AsyncClient, path: str, body: Any, headers: Any) -> Any:
    response = await client.post(f"{BASE}{path}", json=body, headers=headers)
    response.raise_for_status()
    return response.json()


async def register(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    await _post(
        client,
        "/schools",
        {
            "school_unit_code": "10000001",
            "name": "Benchmarkskolan",
            "organisation_number": "212000-0142",
            "municipality_code": "0180",
            "arm": "intervention",
        },
        headers,
    )
    items = [
        {"code": f"q{j}", "text": f"Påstående {j}", "min": 1, "max": 5, "scale": "s"}
        for j in range(1, ITEMS + 1)
    ]
    await _post(client, "/instruments", {"code": "bench", "version": 1, "items": items}, headers)


async def new_wave(client: httpx.AsyncClient, headers: dict[str, str], cohort: str) -> int:
    wave = {
        "school_unit_code": "10000001",
        "instrument_code": "bench",
        "instrument_version": 1,
        "kind": "pre",
        "cohort": cohort,
        "administered_on": "2019-09-16",
    }
    created = await _post(client, "/waves", wave, headers)
    wave_id: int = created["id"]
    return wave_id


async def through_gateway(
    client: httpx.AsyncClient, headers: dict[str, str], wave: int, body: bytes
) -> float:
    started_at = time.perf_counter()
    response = await client.post(
        f"{BASE}/waves/{wave}/responses",
        content=chunks(body),
        headers={
            **headers,
            "Content-Type": "text/csv; charset=utf-8",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    elapsed = time.perf_counter() - started_at
    if response.status_code != 201 or response.json()["imported"] != RESPONDENTS:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text[:500]}")
    return elapsed


async def plain_copy(connection: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> float:
    started_at = time.perf_counter()
    async with connection.transaction():
        await connection.copy_records_to_table(
            "response",
            schema_name="mvp_evaluation",
            columns=["wave_id", "position", "respondent", "answers"],
            records=rows,
        )
    return time.perf_counter() - started_at


async def main() -> None:
    """Run the ingestion benchmark and print rows per second for each path and their ratio."""
    codes, answers = generate(np.random.default_rng(SEED))
    body = csv_body(codes, answers)
    async with postgres() as server:
        run = DatabaseRun(server_url(server))
        await run.create_template()
        database = await run.clone()
        try:
            gateway_times, copy_times = await _measure(run, database, codes, answers, body)
        finally:
            await run.drop_everything()
    _report(len(body), gateway_times, copy_times)


async def _measure(
    run: DatabaseRun, database: str, codes: list[str], answers: np.ndarray, body: bytes
) -> tuple[list[float], list[float]]:
    headers = Tokens(run).evaluator
    role_url = run.role_url(database, "mvp_evaluation").set(drivername="postgresql")
    gateway_times: list[float] = []
    copy_times: list[float] = []
    async with system(run, database) as client:
        await register(client, headers)
        connection = await asyncpg.connect(role_url.render_as_string(hide_password=False))
        try:
            for repeat in range(REPEATS):
                wave = await new_wave(client, headers, f"bench-{repeat}")
                rows = records(wave, codes, answers)
                copy_times.append(await plain_copy(connection, rows))
                await connection.execute("TRUNCATE mvp_evaluation.response")
                gateway_times.append(await through_gateway(client, headers, wave, body))
                await connection.execute("TRUNCATE mvp_evaluation.response")
        finally:
            await connection.close()
    return gateway_times, copy_times


def _report(body_bytes: int, gateway_times: list[float], copy_times: list[float]) -> None:
    gateway = RESPONDENTS / statistics.median(gateway_times)
    plain = RESPONDENTS / statistics.median(copy_times)
    print(f"ingest: {RESPONDENTS} respondents × {ITEMS} items, CSV {body_bytes / 1e6:.1f} MB")
    print(f"  through the gateway (CSV → COPY): {gateway:>10,.0f} rows/s  (median of {REPEATS})")
    print(f"  plain asyncpg copy_records_to_table: {plain:>7,.0f} rows/s  (median of {REPEATS})")
    print(f"  ratio gateway / plain COPY: {gateway / plain:.2f}  (target ≥ 0.50)")
