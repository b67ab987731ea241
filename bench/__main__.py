"""`python -m bench` (`make bench`): every benchmark in one run, each beside its limit.

Benchmarks on the running platform share one `kvf up`; those that time the platform's own
start make theirs. Each returns its ratios (this ÷ its limit; for times, this time ÷ the
limit's); the goals are printed beside them, and the last line is one JSON object of them all.
Set BENCH=ingest,ledger to run some only.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable

from bench import analysis, cohorts, gateway, ingest, ledger, startup
from bench.platform import Platform, platform, postgres

OnPlatform = Callable[[Platform], Awaitable[dict[str, float]]]
OnServer = Callable[[str], Awaitable[dict[str, float]]]

ON_PLATFORM: dict[str, OnPlatform] = {
    "gateway": gateway.run,
    "ledger": ledger.run,
    "analysis": analysis.run,
    "cohorts": cohorts.run,
    "ingest": ingest.run,
}
ON_SERVER: dict[str, OnServer] = {"startup": startup.run}

# (comparison, goal) for each figure; `>=` for throughput ratios, `<=` for times.
GOALS: dict[str, tuple[str, float]] = {
    "gateway_auth_get": (">=", 0.8),
    "gateway_proxied_get": (">=", 0.8),
    "gateway_added_p50_ms": ("<=", 1.0),
    "ledger_hot_account": (">=", 0.4),
    "effects_200k": ("<=", 3.0),
    "export_wave": (">=", 0.7),
    "cohort_export_long": (">=", 0.7),
    "cohort_export_wide": (">=", 0.7),
    "effects_follow_up": ("<=", 3.0),
    "ingest": (">=", 0.7),
    "warm_start_s": ("<=", 10.0),
    "cli_help_s": ("<=", 0.5),
}


UNLIMITED = {
    "KVF_GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
    "KVF_GATEWAY_RATE_LIMIT_BURST": "1000000",
}


def _chosen(names: list[str]) -> list[str]:
    wanted = os.environ.get("BENCH")
    return [name for name in names if not wanted or name in wanted.split(",")]


async def run_all() -> dict[str, float]:
    results: dict[str, float] = {}
    with postgres() as server:
        on_platform = _chosen(list(ON_PLATFORM))
        if on_platform:
            # The limits are not what is measured: their cost is (one statement per ten
            # requests), so they stay on, too high to refuse a benchmark's load.
            async with platform(server, **UNLIMITED) as running:
                for name in on_platform:
                    print(f"== {name}", flush=True)
                    results.update(await ON_PLATFORM[name](running))
        for name in _chosen(list(ON_SERVER)):
            print(f"== {name}", flush=True)
            results.update(await ON_SERVER[name](server))
    return results


def main() -> None:
    results = asyncio.run(run_all())
    print("\nfigure                  this run     goal   met")
    for name, value in results.items():
        comparison, goal = GOALS[name]
        met = value >= goal if comparison == ">=" else value <= goal
        print(f"{name:<22} {value:>9.3f}  {comparison} {goal:<5}  {'yes' if met else 'NO'}")
    print(json.dumps({name: round(value, 3) for name, value in results.items()}))


if __name__ == "__main__":
    main()
