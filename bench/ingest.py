"""Ingestion: 100 000 respondents × 30 items as semicolon CSV through the gateway, against a
plain asyncpg COPY of the same rows into the same table.

The platform runs as a user runs it: `kvf up` (real uvicorn processes, one per app) on a
database of its own, made on the PostgreSQL of KVF_DATABASE_URL (else an embedded one) and
dropped afterwards with its roles. The plain COPY gets its records ready-made in memory
(`copy_records_to_table`); a third run COPYs the rows already encoded in PostgreSQL's
binary format, the least work a COPY can be, as a bound. The gateway run starts from the
CSV bytes and includes everything a client waits for: HTTP through the gateway, token
checks, parsing, validation, the COPY and the commit. Each is run `REPEATS` times into an
empty table; the median counts. The mvp-evaluation process's resident memory is read
before and after (its high-water mark).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import numpy as np
import psutil  # type: ignore[import-untyped]  # psutil ships no type information

from common.settings import PlatformSettings, asyncpg_url
from kvf.apps import APPS
from kvf.database import drop_roles
from kvf.embedded import EmbeddedPostgres
from services.mvp_evaluation.responses import copy_format
from services.mvp_evaluation.responses.batch import MISSING

RESPONDENTS = 100_000
ITEMS = 30
REPEATS = 3
SEED = 2019
MISSING_SHARE = 0.02
BODY_CHUNK = 64 * 1024
BASE = "/mvp-evaluation/v1"
ROOT = Path(__file__).resolve().parents[1]
READY_WITHIN = 90.0


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def postgres() -> Iterator[str]:
    """The owner URL of KVF_DATABASE_URL's server, else of an embedded PostgreSQL."""
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


@dataclass
class Platform:
    """A running `kvf up` on the bench's own database."""

    gateway_url: str
    owner_dsn: str
    home: Path
    process: subprocess.Popen[bytes]

    def service(self) -> psutil.Process:
        """The mvp-evaluation process (`python -m kvf serve mvp-evaluation`)."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            if child.cmdline()[-3:] == ["kvf", "serve", "mvp-evaluation"]:
                return child
        raise RuntimeError("no mvp-evaluation process under kvf up")

    def admin(self) -> dict[str, str]:
        credentials: dict[str, str] = json.loads((self.home / "admin-credentials.json").read_text())
        return credentials


async def _execute(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _dsn(url: Any) -> str:
    rendered: str = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return rendered


@asynccontextmanager
async def platform(server: str) -> AsyncIterator[Platform]:
    """`kvf up` on a database and roles of its own; everything dropped afterwards."""
    tag = secrets.token_hex(4)
    database, prefix = f"kvf_bench_{tag}", f"kvf_b{tag}_"
    server_url = asyncpg_url(server)
    await _execute(_dsn(server_url), f'CREATE DATABASE "{database}"')
    owner_dsn = _dsn(server_url.set(database=database))
    home = Path(tempfile.mkdtemp(prefix="kvf-bench-home-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update(
        {f"{spec.env_prefix}PORT": str(free_port()) for spec in APPS},
        KVF_HOME=str(home),
        KVF_DATABASE_URL=owner_dsn,
        KVF_DB_ROLE_PREFIX=prefix,
        KVF_LOG_LEVEL="WARNING",
    )
    log = (home / "kvf-up.log").open("wb")
    process = _start(env, log)
    running = Platform(f"http://127.0.0.1:{env['KVF_GATEWAY_PORT']}", owner_dsn, home, process)
    try:
        await _wait_ready(running)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        await _execute(_dsn(server_url), f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await drop_roles(server, prefix=prefix)
        shutil.rmtree(home, ignore_errors=True)


def _start(env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """`python -m kvf up` with our own interpreter, its output in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "kvf", "up"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def _wait_ready(running: Platform) -> None:
    deadline = time.monotonic() + READY_WITHIN
    async with httpx.AsyncClient(base_url=running.gateway_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if running.process.poll() is not None:
                break
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    output = (running.home / "kvf-up.log").read_text(errors="replace")[-4000:]
    raise RuntimeError(f"kvf up did not become ready:\n{output}")


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
    async with httpx.AsyncClient(base_url=running.gateway_url, timeout=600.0) as auth:
        token = await auth.post(
            "/auth/v1/token", data={"grant_type": "client_credentials", **running.admin()}
        )
        token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    service = running.service()
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


async def main() -> None:
    """Run the ingestion benchmark and print rows per second for each path and their ratio."""
    codes, answers = generate(np.random.default_rng(SEED))
    with postgres() as server:
        async with platform(server) as running:
            figures = await measure(running, codes, answers)
    report(figures)
