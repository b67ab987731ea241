"""Ingestion: 100 000 respondents × 30 items as semicolon CSV through the gateway, against a
plain asyncpg COPY of the same rows into the same table.

The platform runs as a user runs it (`bench.platform`). The plain COPY gets its records
ready-made in memory (`copy_records_to_table`); a third run COPYs the rows already encoded
in PostgreSQL's binary format, the least work a COPY can be, as a bound (the ratio's limit).
The gateway run starts from the CSV bytes and includes everything a client waits for: HTTP
through the gateway, token checks, parsing, validation, the COPY and the commit. Each is run
`REPEATS` times into an empty table; the median counts. The mvp-evaluation process's
resident memory is read before and after (its high-water mark).
"""

from __future__ import annotations

import io
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np
import psutil  # type: ignore[import-untyped]  # psutil ships no type information

from bench.platform import Platform
from services.mvp_evaluation.responses import copy_format
from services.mvp_evaluation.responses.batch import MISSING

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


async def _post(client: httpx.AsyncClient, path: str, body: Any) -> Any:
    response = await client.post(f"{BASE}{path}", json=body)
    response.raise_for_status()
    return response.json()


async def register(client: httpx.AsyncClient) -> None:
    school = {
        "school_unit_code": "10000001",
        "name": "Benchmarkskolan",
        "organisation_number": "212000-0142",
        "municipality_code": "0180",
        "arm": "intervention",
    }
    await _post(client, "/schools", school)
    items = [
        {"code": f"q{j}", "text": f"Påstående {j}", "min": 1, "max": 5, "scale": "s"}
        for j in range(1, ITEMS + 1)
    ]
    await _post(client, "/instruments", {"code": "bench", "version": 1, "items": items})


async def new_wave(client: httpx.AsyncClient, cohort: str) -> int:
    wave = {
        "school_unit_code": "10000001",
        "instrument_code": "bench",
        "instrument_version": 1,
        "kind": "pre",
        "cohort": cohort,
        "administered_on": "2019-09-16",
    }
    created = await _post(client, "/waves", wave)
    wave_id: int = created["id"]
    return wave_id


async def through_gateway(client: httpx.AsyncClient, wave: int, body: bytes) -> float:
    started_at = time.perf_counter()
    response = await client.post(
        f"{BASE}/waves/{wave}/responses",
        content=chunks(body),
        headers={"Content-Type": "text/csv; charset=utf-8", "Idempotency-Key": str(uuid.uuid4())},
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


def binary_rows(wave: int, codes: list[str], answers: np.ndarray) -> bytes:
    """The rows as a binary COPY stream, encoded beforehand (the fastest COPY there is)."""
    values = np.where(answers == 0, MISSING, answers).astype(np.int16)
    return copy_format.HEADER + copy_format.encode(wave, 1, codes, values) + copy_format.TRAILER


async def raw_copy(connection: asyncpg.Connection, stream: bytes) -> float:
    started_at = time.perf_counter()
    async with connection.transaction():
        await connection.copy_to_table(
            "response",
            schema_name="mvp_evaluation",
            columns=copy_format.COLUMNS,
            source=io.BytesIO(stream),
            format="binary",
        )
    return time.perf_counter() - started_at


def peak_rss(process: psutil.Process) -> int:
    """The process's resident high-water mark (Linux VmHWM), else its current RSS."""
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    rss: int = process.memory_info().rss
    return rss


@dataclass
class Figures:
    body_bytes: int
    gateway: list[float]
    plain: list[float]
    raw: list[float]
    rss_before: int
    rss_peak: int


async def measure(running: Platform, codes: list[str], answers: np.ndarray) -> Figures:
    body = csv_body(codes, answers)
    headers = await running.admin_headers()
    service = running.service("mvp-evaluation")
    gateway_times: list[float] = []
    copy_times: list[float] = []
    raw_times: list[float] = []
    connection = await asyncpg.connect(running.owner_dsn)
    try:
        async with httpx.AsyncClient(
            base_url=running.gateway_url, headers=headers, timeout=600.0
        ) as client:
            await register(client)
            rss_before = service.memory_info().rss
            for repeat in range(REPEATS):
                wave = await new_wave(client, f"bench-{repeat}")
                copy_times.append(await plain_copy(connection, records(wave, codes, answers)))
                await connection.execute("TRUNCATE mvp_evaluation.response")
                raw_times.append(await raw_copy(connection, binary_rows(wave, codes, answers)))
                await connection.execute("TRUNCATE mvp_evaluation.response")
                gateway_times.append(await through_gateway(client, wave, body))
                await connection.execute("TRUNCATE mvp_evaluation.response")
    finally:
        await connection.close()
    return Figures(len(body), gateway_times, copy_times, raw_times, rss_before, peak_rss(service))


def report(figures: Figures) -> None:
    gateway = RESPONDENTS / statistics.median(figures.gateway)
    plain = RESPONDENTS / statistics.median(figures.plain)
    mb = 1024 * 1024
    print(
        f"ingest: {RESPONDENTS} respondents × {ITEMS} items, CSV {figures.body_bytes / mb:.1f} MB"
    )
    print(f"  through the gateway (kvf up, CSV): {gateway:>9,.0f} rows/s  (median of {REPEATS})")
    print(f"  plain asyncpg COPY of the records: {plain:>9,.0f} rows/s  (median of {REPEATS})")
    raw = RESPONDENTS / statistics.median(figures.raw)
    print(f"  binary COPY, encoded beforehand:   {raw:>9,.0f} rows/s  (median of {REPEATS})")
    print(f"  ratio gateway / plain COPY: {gateway / plain:.2f}  (target ≥ 0.50)")
    print(f"  ratio gateway / binary COPY encoded beforehand: {gateway / raw:.2f}")
    print(
        f"  mvp-evaluation process: resident {figures.rss_before / mb:.0f} MB before the uploads, "
        f"high-water mark {figures.rss_peak / mb:.0f} MB"
    )


async def run(running: Platform) -> dict[str, float]:
    """Ingestion through the gateway ÷ the binary COPY encoded beforehand (the faster bound)."""
    codes, answers = generate(np.random.default_rng(SEED))
    figures = await measure(running, codes, answers)
    report(figures)
    return {"ingest": statistics.median(figures.raw) / statistics.median(figures.gateway)}
