"""Processes started as a user starts them: `kvf up` and the `kvf` command line."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import httpx
import psutil  # type: ignore[import-untyped]  # psutil ships no type information
import pytest

from kvf.apps import APPS
from tests.database import DatabaseRun
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[1]
READY_WITHIN = 120.0  # generous: four apps starting on two busy cores
STOPPED_WITHIN = 30.0


def is_alive(process: psutil.Process) -> bool:
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


class KvfUp:
    """One `kvf up` process, its output in a file, and the processes it started."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.env = env
        self.gateway_url = f"http://127.0.0.1:{env['KVF_GATEWAY_PORT']}"
        self.output_path = home.parent / f"kvf-up-{len(list(home.parent.glob('kvf-up-*')))}.out"
        self.process: subprocess.Popen[bytes] | None = None
        self.children: list[psutil.Process] = []
        self._output: IO[bytes] | None = None

    def start(self) -> None:
        self._output = self.output_path.open("wb")
        self.process = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "kvf", "up"],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        """What `kvf up` and each app wrote, for the message of a failed assertion."""
        parts = [self.output_path.read_text(errors="replace")]
        for log in sorted((self.home / "logs").glob("*.log")):
            parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)

    async def wait_ready(self) -> None:
        """Until the gateway's /health/ready is 200; then note every process `kvf up` started."""
        assert self.process is not None
        deadline = asyncio.get_running_loop().time() + READY_WITHIN
        async with httpx.AsyncClient(base_url=self.gateway_url, timeout=2.0) as client:
            while asyncio.get_running_loop().time() < deadline:
                assert self.process.poll() is None, f"kvf up exited early:\n{self.output()}"
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        self.children = psutil.Process(self.process.pid).children(recursive=True)
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.25)
        pytest.fail(f"kvf up was not ready within {READY_WITHIN} s:\n{self.output()}")

    async def stop(self, signum: signal.Signals) -> int:
        """Send `signum` and wait for `kvf up` to exit; its exit status."""
        assert self.process is not None
        self.process.send_signal(signum)
        code: int = await asyncio.to_thread(self.process.wait, STOPPED_WITHIN)
        return code

    def serving(self, app: str) -> psutil.Process | None:
        """The process `kvf up` runs now to serve `app` (`python -m kvf serve <app>`), if any;
        noted among the processes to end after a failed test."""
        assert self.process is not None
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if child.cmdline()[-3:] == ["kvf", "serve", app] and is_alive(child):
                    if child not in self.children:
                        self.children.append(child)
                    return child
            except psutil.NoSuchProcess:
                continue
        return None

    def postmaster(self) -> psutil.Process:
        """The embedded PostgreSQL's main process, from its `postmaster.pid`."""
        return psutil.Process(int((self.home / "pgdata" / "postmaster.pid").read_text().split()[0]))

    def kill_leftovers(self) -> None:
        """After a failed test: end what this test started, by process id."""
        for process in self.children:
            if is_alive(process):
                process.kill()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._output is not None:
            self._output.close()


def platform_env(test_run: DatabaseRun, database: str, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a `kvf up` on one of the run's databases: none of this machine's
    KVF_ settings, a free port for every app, the run's roles and their passwords."""
    owner = test_run.owner_url(database).set(drivername="postgresql")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update({f"{spec.env_prefix}PORT": str(free_port()) for spec in APPS})
    env.update({f"{spec.env_prefix}DB_PASSWORD": test_run.passwords[spec.schema] for spec in APPS})
    env.update(
        KVF_HOME=str(home),
        KVF_DATABASE_URL=owner.render_as_string(hide_password=False),
        KVF_DB_ROLE_PREFIX=test_run.prefix,
        **extra,
    )
    return env


@asynccontextmanager
async def running_platform(
    test_run: DatabaseRun, database: str, home: Path, **extra: str
) -> AsyncIterator[KvfUp]:
    """`kvf up` on `database`, ready; stopped with SIGTERM (which must end it cleanly) and
    the database dropped afterwards."""
    run = KvfUp(home, platform_env(test_run, database, home, **extra))
    run.start()
    try:
        await run.wait_ready()
        yield run
        assert await run.stop(signal.SIGTERM) == 0, run.output()
    finally:
        run.kill_leftovers()
        await test_run.drop(database)


@pytest.fixture
async def kvf_up(tmp_path: Path) -> AsyncIterator[Callable[[dict[str, str]], KvfUp]]:
    """Start `kvf up` with KVF_HOME in a temporary directory and free ports for every app."""
    started: list[KvfUp] = []
    ports = {f"{spec.env_prefix}PORT": str(free_port()) for spec in APPS}
    home = tmp_path / "home"

    def start(extra_env: dict[str, str]) -> KvfUp:
        env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
        env.update(ports, KVF_HOME=str(home), **extra_env)
        run = KvfUp(home, env)
        started.append(run)
        run.start()
        return run

    try:
        yield start
    finally:
        for run in started:
            run.kill_leftovers()
        postmaster = home / "pgdata" / "postmaster.pid"
        if postmaster.exists():
            pid = int(postmaster.read_text().split()[0])
            if psutil.pid_exists(pid) and is_alive(psutil.Process(pid)):
                psutil.Process(pid).terminate()
