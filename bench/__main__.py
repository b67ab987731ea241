"""`python -m bench`: every benchmark, one after the other."""

from __future__ import annotations

import asyncio

from bench import ingest

BENCHMARKS = [ingest.main]


def main() -> None:
    for benchmark in BENCHMARKS:
        asyncio.run(benchmark())


if __name__ == "__main__":
    main()
