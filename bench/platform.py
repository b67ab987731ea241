"""What every benchmark runs against: `kvf up` (real uvicorn processes, one per app) on a
database and roles of its own, made on the PostgreSQL of KVF_DATABASE_URL (else an embedded
one) and dropped afterwards."""

from __future__ import annotations

import asyncio
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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import psutil  # type: ignore[import-untyped]  # psutil ships no type information

from common.settings import PlatformSettings, asyncpg_url
from kvf.apps import APPS
from kvf.database import drop_roles
from kvf.embedded import configured_or_temporary

ROOT = Path(__file__).resolve().parents[1]
READY_WITHIN = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def postgres() -> Iterator[str]:
    """The owner URL of KVF_DATABASE_URL's server, else of an embedded PostgreSQL."""
    with configured_or_temporary(PlatformSettings().database_url, "kvf-bench-") as url:
        yield url


@dataclass
class Platform:
    """A running `kvf up` on the bench's own database."""

    gateway_url: str
    owner_dsn: str
    home: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def url_of(self, app: str) -> str:
        """An app's own address (`funding`, ...), to measure it without the gateway."""
        spec = next(spec for spec in APPS if spec.name == app)
        return f"http://127.0.0.1:{self.env[f'{spec.env_prefix}PORT']}"

    def service(self, app: str) -> psutil.Process:
        """An app's process (`python -m kvf serve <app>`)."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            if child.cmdline()[-3:] == ["kvf", "serve", app]:
                return child
        raise RuntimeError(f"no {app} process under kvf up")

    def admin(self) -> dict[str, str]:
        credentials: dict[str, str] = json.loads((self.home / "admin-credentials.json").read_text())
        return credentials

    async def admin_headers(self) -> dict[str, str]:
        """A bearer header for the admin `kvf up` made."""
        async with httpx.AsyncClient(base_url=self.gateway_url, timeout=60.0) as client:
            token = await client.post(
                "/auth/v1/token", data={"grant_type": "client_credentials", **self.admin()}
            )
            token.raise_for_status()
        return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def execute(dsn: str, *statements: str) -> None:
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
async def platform(server: str, **settings: str) -> AsyncIterator[Platform]:
    """`kvf up` on a database and roles of its own, with `settings` (KVF_... variables) added;
    everything dropped afterwards."""
    tag = secrets.token_hex(4)
    database, prefix = f"kvf_bench_{tag}", f"kvf_b{tag}_"
    server_url = asyncpg_url(server)
    await execute(_dsn(server_url), f'CREATE DATABASE "{database}"')
    owner_dsn = _dsn(server_url.set(database=database))
    home = Path(tempfile.mkdtemp(prefix="kvf-bench-home-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update(
        {f"{spec.env_prefix}PORT": str(free_port()) for spec in APPS},
        KVF_HOME=str(home),
        KVF_DATABASE_URL=owner_dsn,
        KVF_DB_ROLE_PREFIX=prefix,
        KVF_LOG_LEVEL="WARNING",
        **settings,
    )
    log = (home / "kvf-up.log").open("wb")
    process = start_kvf_up(env, log)
    running = Platform(f"http://127.0.0.1:{env['KVF_GATEWAY_PORT']}", owner_dsn, home, env, process)
    try:
        await wait_ready(running)
        yield running
    finally:
        await stop(process)
        log.close()
        await execute(_dsn(server_url), f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await drop_roles(server, prefix=prefix)
        shutil.rmtree(home, ignore_errors=True)


def start_kvf_up(env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """`python -m kvf up` with our own interpreter, its output in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "kvf", "up"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(process.wait, 30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def wait_ready(running: Platform) -> None:
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
            await asyncio.sleep(0.05)
    output = (running.home / "kvf-up.log").read_text(errors="replace")[-4000:]
    raise RuntimeError(f"kvf up did not become ready:\n{output}")


async def median_of(repeats: int, measure: Callable[[], Awaitable[float]]) -> float:
    """The median of `repeats` runs of one measurement."""
    return statistics.median([await measure() for _ in range(repeats)])
