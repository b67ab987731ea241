"""Start-up: `kvf up` warm start to ready, and `kvf --help`.

A warm start is what `make run` does the second time: `kvf up` on a KVF_HOME and a database
that an earlier `kvf up` initialised (roles, schemas at head, signing keys, the admin
client). The bench makes its own database (`bench.platform.platform`), lets that first start
initialise it, stops it, then times `WARM_STARTS` starts from the process being started to
the gateway's /health/ready answering 200; the median counts. `kvf --help` is timed as a user
runs it, `.venv/bin/kvf --help` as a subprocess, `HELP_RUNS` times.

Both figures are times in seconds, compared with the goals directly (they have no limit run
beside them: the limit of a start is the apps' own import and bind, which is what is timed).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.platform import Platform, platform, start_kvf_up, stop, wait_ready

WARM_STARTS = 3
HELP_RUNS = 5
KVF = Path(sys.executable).with_name("kvf")


async def _warm_start(first: Platform, attempt: int) -> float:
    """One `kvf up` on the initialised home and database: seconds until ready."""
    with (first.home / f"kvf-up-warm-{attempt}.log").open("wb") as log:
        started = time.perf_counter()
        process = start_kvf_up(first.env, log)
        running = Platform(first.gateway_url, first.owner_dsn, first.home, first.env, process)
        try:
            await wait_ready(running)
            return time.perf_counter() - started
        finally:
            await stop(process)


def _help_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([str(KVF), "--help"], check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - started


async def run(server: str) -> dict[str, float]:
    """Median warm start of `kvf up` to ready, and median `kvf --help`, in seconds."""
    async with platform(server) as first:
        await stop(first.process)  # initialised: roles, schemas, keys, admin
        starts = [await _warm_start(first, attempt) for attempt in range(WARM_STARTS)]
    helps = [_help_seconds() for _ in range(HELP_RUNS)]
    print(f"warm starts (s)  {', '.join(f'{s:.2f}' for s in starts)}", flush=True)
    print(f"kvf --help (s)   {', '.join(f'{s:.3f}' for s in helps)}", flush=True)
    return {"warm_start_s": statistics.median(starts), "cli_help_s": statistics.median(helps)}
