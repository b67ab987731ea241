"""The cohort export and the follow-up effects: `GET /exports/cohorts/{cohort}` (long and wide
CSV, streamed through the gateway) against asyncpg `COPY ... TO STDOUT` of the same rows, and
`GET /effects?compare=follow_up` against NumPy computing the same figures.

The bench's cohort is its own (`COHORT`): `analysis.SCHOOLS` schools of `PUPILS_PER_SCHOOL`
pupils, each at pre, most at post and follow-up, `analysis.ITEMS` items, loaded through the API
as a user loads them (`analysis`'s generator and uploads).

- long: export lines/s ÷ the lines/s of COPY writing the same lines (respondent, school, arm,
  municipality, wave kind, item, answer; one per respondent, wave and item, in the export's
  order) as CSV.
- wide: one row per pupil with every wave's answers and scale scores. Its limit is COPY of
  the responses it is made of, one row per respondent and wave (respondent and answers) in
  the export's order: responses/s on both sides.
- effects_follow_up: the time of GET /effects?compare=follow_up ÷ NumPy's on the pre and
  follow-up item arrays (`analysis.numpy_effects`), the figures checked to agree.

Medians of `REPEATS` runs each.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import asyncpg
import httpx
import numpy as np

from bench import analysis
from bench.analysis import BASE, CODES, ITEMS, SCHOOLS, Cohort
from bench.platform import Platform

SEED = 20200511
COHORT = "bench-cohorts"
INSTRUMENT = "bench-cohorts"
PUPILS_PER_SCHOOL = 1_000  # 20 000 pupils at pre; about 18 000 at post, 16 000 at follow-up
REPEATS = 5

# The limits: the same rows, in the export's order, written by PostgreSQL alone. Each response
# row is sorted once and its answers unnested beside the instrument version's item codes (a
# join of every answer with the item table, sorted after, takes three times as long).
LONG_ROWS = """
WITH codes AS (
    SELECT instrument_id, array_agg(code ORDER BY position) AS codes
    FROM mvp_evaluation.item GROUP BY instrument_id
)
SELECT p.respondent, p.school_unit_code, p.arm, p.municipality_code, p.kind, a.item, a.answer
FROM (
    SELECT r.respondent, w.school_unit_code, s.arm, s.municipality_code, w.kind, r.answers,
        c.codes
    FROM mvp_evaluation.response AS r
    JOIN mvp_evaluation.wave AS w ON w.id = r.wave_id
    JOIN mvp_evaluation.school AS s ON s.school_unit_code = w.school_unit_code
    JOIN codes AS c ON c.instrument_id = w.instrument_id
    WHERE w.cohort = $1
    ORDER BY w.school_unit_code, r.respondent,
        CASE w.kind WHEN 'pre' THEN 0 WHEN 'post' THEN 1 ELSE 2 END
) AS p
CROSS JOIN LATERAL unnest(p.answers, p.codes) AS a(answer, item)
"""
RESPONSE_ROWS = """
SELECT r.respondent, r.answers
FROM mvp_evaluation.response AS r
JOIN mvp_evaluation.wave AS w ON w.id = r.wave_id
WHERE w.cohort = $1
ORDER BY w.school_unit_code, r.respondent,
    CASE w.kind WHEN 'pre' THEN 0 WHEN 'post' THEN 1 ELSE 2 END
"""


def school_code(school: int) -> str:
    return f"{30000001 + school}"


async def load(client: httpx.AsyncClient, cohort: Cohort) -> None:
    """The cohort through the API: its instrument, schools, three waves each and uploads."""
    await analysis._instrument(client, INSTRUMENT, ITEMS)
    for school in range(SCHOOLS):
        code = school_code(school)
        await analysis._school(client, code, analysis.arm(school))
        waves = [
            ("pre", cohort.pre[school], np.ones(PUPILS_PER_SCHOOL, dtype=bool)),
            ("post", cohort.post[school], cohort.answered_post[school]),
            ("follow_up", cohort.follow_up[school], cohort.answered_follow_up[school]),
        ]
        for kind, answers, answered in waves:
            wave = await analysis._wave(client, code, INSTRUMENT, kind, COHORT)
            codes = [c for c, kept in zip(cohort.codes[school], answered, strict=True) if kept]
            await analysis._upload(client, wave, analysis.csv_body(codes, answers[answered], CODES))


async def timed_export(client: httpx.AsyncClient, layout: str, lines: int) -> float:
    """Seconds to read the whole export (streamed, its lines counted) through the gateway."""
    path = f"{BASE}/exports/cohorts/{COHORT}"
    return await analysis.timed_lines(client, path, {"layout": layout}, lines)


async def timed_copy(connection: asyncpg.Connection, query: str, lines: int) -> float:
    """Seconds for asyncpg COPY TO STDOUT (CSV) of the query's rows, the bytes kept."""
    received: list[bytes] = []

    async def keep(data: bytes) -> None:
        received.append(data)

    started_at = time.perf_counter()
    await connection.copy_from_query(query, COHORT, output=keep, format="csv")
    elapsed = time.perf_counter() - started_at
    if sum(chunk.count(b"\n") for chunk in received) != lines:
        raise RuntimeError("COPY returned another number of rows")
    return elapsed


async def same_long_rows(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    """The long export is, line for line, what COPY writes of the limit's rows (once, untimed):
    the two sides are the same rows, or the ratio means nothing."""
    response = await client.get(f"{BASE}/exports/cohorts/{COHORT}", params={"layout": "long"})
    received: list[bytes] = []

    async def keep(data: bytes) -> None:
        received.append(data)

    await connection.copy_from_query(LONG_ROWS, COHORT, output=keep, format="csv")
    exported = response.content.split(b"\r\n", 1)[1].replace(b"\r\n", b"\n")
    if exported != b"".join(received):
        raise RuntimeError("the long export and COPY of the same rows differ")


async def timed_effects(client: httpx.AsyncClient) -> tuple[float, dict[str, Any]]:
    started_at = time.perf_counter()
    params = {"scale": "attityd", "cohort": COHORT, "compare": "follow_up"}
    response = await client.get(f"{BASE}/effects", params=params)
    elapsed = time.perf_counter() - started_at
    if response.status_code != 200:
        raise RuntimeError(f"effects failed: {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return elapsed, body


async def run(running: Platform) -> dict[str, float]:
    """Cohort export rows/s ÷ COPY rows/s (long and wide), and GET effects?compare=follow_up
    ÷ NumPy (a time ratio)."""
    cohort = analysis.generate(
        np.random.default_rng(SEED), PUPILS_PER_SCHOOL, follow_up=True, prefix="C"
    )
    responses = sum(
        PUPILS_PER_SCHOOL + int(post.sum()) + int(follow.sum())
        for post, follow in zip(cohort.answered_post, cohort.answered_follow_up, strict=True)
    )
    long_lines, pupils = responses * ITEMS, SCHOOLS * PUPILS_PER_SCHOOL
    headers = await running.admin_headers()
    async with httpx.AsyncClient(
        base_url=running.gateway_url, headers=headers, timeout=600.0
    ) as client:
        loading_started = time.perf_counter()
        await load(client, cohort)
        print(f"cohorts: loaded through the API in {time.perf_counter() - loading_started:.1f} s")
        effects_times, numpy_times = [], []
        follow_up = cohort.compared_with_follow_up()
        for _ in range(REPEATS):
            elapsed, body = await timed_effects(client)
            effects_times.append(elapsed)
            elapsed, figures = analysis.timed_numpy(follow_up)
            numpy_times.append(elapsed)
        analysis.agree(body, figures)
        times: dict[str, list[float]] = {name: [] for name in ("long", "wide", "copy", "rows")}
        connection = await asyncpg.connect(running.owner_dsn)
        try:
            await same_long_rows(client, connection)
            for _ in range(REPEATS):
                times["long"].append(await timed_export(client, "long", long_lines))
                times["copy"].append(await timed_copy(connection, LONG_ROWS, long_lines))
                times["wide"].append(await timed_export(client, "wide", pupils))
                times["rows"].append(await timed_copy(connection, RESPONSE_ROWS, responses))
        finally:
            await connection.close()
    median = {name: statistics.median(values) for name, values in times.items()}
    service, limit = statistics.median(effects_times), statistics.median(numpy_times)
    print(f"  GET effects?compare=follow_up, {pupils} pupils:      {service * 1000:8.1f} ms")
    print(f"  NumPy on the pre and follow-up item arrays:        {limit * 1000:8.1f} ms")
    long_rate, copy_rate = long_lines / median["long"], long_lines / median["copy"]
    wide_rate, rows_rate = responses / median["wide"], responses / median["rows"]
    print(f"  long export, {long_lines} lines, through the gateway: {long_rate:>11,.0f} lines/s")
    print(f"  asyncpg COPY TO STDOUT of the same lines:          {copy_rate:>11,.0f} lines/s")
    print(f"  wide export, {pupils} pupils ({responses} responses): {wide_rate:>9,.0f} responses/s")
    print(f"  asyncpg COPY TO STDOUT of those responses:         {rows_rate:>11,.0f} responses/s")
    return {
        "cohort_export_long": long_rate / copy_rate,
        "cohort_export_wide": wide_rate / rows_rate,
        "effects_follow_up": service / limit,
    }
