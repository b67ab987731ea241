"""Analyses: GET /effects over 200 000 pupils (pre and post) through the gateway, against NumPy
computing the same figures from the item arrays; and the export of one 50 000-row wave through
the gateway, against asyncpg `COPY ... TO STDOUT` of the same rows.

The data go in through the API as a user loads them (semicolon CSV, one upload per wave). The
NumPy limit starts from the answers as arrays in memory (pupils × items, NaN for a missing
answer, each school's post rows in the order of its pre rows, so pairing is by index) and
computes the scale scores, the per-school, pooled and controlled figures and the ICC with the
same formulas the service uses (`analyses.statistics`); the bench checks that the service
answered the same figures. The effects time includes everything a client waits for: HTTP
through the gateway, the token checks, the SQL and the JSON. Medians of `REPEATS` runs each.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import numpy as np
import numpy.typing as npt

from bench.platform import Platform
from services.mvp_evaluation.analyses import multilevel
from services.mvp_evaluation.analyses import statistics as formulas

BASE = "/mvp-evaluation/v1"
SEED = 20190916
SCHOOLS = 20  # the first half intervention, the second half comparison
PUPILS_PER_SCHOOL = 10_000  # 200 000 pupils, each at pre and (most of them) at post
POST_SHARE = 0.9
FOLLOW_UP_SHARE = 0.8
ITEMS = 12  # q1–q8 the scale `attityd` (q2, q5 reversed), q9–q12 the scale `ingripande`
SCALE_ITEMS = 8
REVERSED = (2, 5)
MISSING_SHARE = 0.05
EXPORT_ROWS = 50_000
EXPORT_ITEMS = 30
REPEATS = 5
CODES = [f"q{j}" for j in range(1, ITEMS + 1)]
Floats = npt.NDArray[np.float64]


@dataclass
class Cohort:
    """The generated answers (NaN missing): per school, its pre and post arrays (pupils ×
    items), row i of both the same pupil; a pupil without a post answer has an all-NaN post
    row, not sent. A follow-up wave, when generated, is kept likewise."""

    codes: list[list[str]]
    pre: list[Floats]
    post: list[Floats]
    answered_post: list[npt.NDArray[np.bool_]]
    pre_items: list[Floats]  # the same answers as item arrays (items × pupils), for NumPy
    post_items: list[Floats]
    follow_up: list[Floats] = field(default_factory=list)
    answered_follow_up: list[npt.NDArray[np.bool_]] = field(default_factory=list)
    follow_up_items: list[Floats] = field(default_factory=list)

    def compared_with_follow_up(self) -> Cohort:
        """The same pupils with the follow-up wave in place of post: what NumPy compares for
        `GET /effects?compare=follow_up`."""
        return Cohort(
            self.codes,
            self.pre,
            self.follow_up,
            self.answered_follow_up,
            self.pre_items,
            self.follow_up_items,
        )


def arm(school: int) -> str:
    return "intervention" if school < SCHOOLS // 2 else "comparison"


def school_code(school: int) -> str:
    return f"{20000001 + school}"


def _answers(rng: np.random.Generator, latent: Floats) -> Floats:
    noise = rng.normal(0, 0.9, size=(len(latent), ITEMS))
    values = np.clip(np.rint(latent[:, None] + noise), 1, 5)
    values[:, [j - 1 for j in REVERSED]] = 6 - values[:, [j - 1 for j in REVERSED]]
    values[rng.random(values.shape) < MISSING_SHARE] = np.nan
    return values


def _later(
    rng: np.random.Generator, latent: Floats, effect: float, share: float
) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """A later wave's answers and who answered it; a pupil who did not has an all-NaN row."""
    later = _answers(rng, latent + effect + rng.normal(0, 0.4, size=len(latent)))
    answered = rng.random(len(latent)) < share
    later[~answered] = np.nan
    return later, answered


def generate(
    rng: np.random.Generator,
    pupils: int = PUPILS_PER_SCHOOL,
    follow_up: bool = False,
    prefix: str = "S",
) -> Cohort:
    """`SCHOOLS` schools of `pupils` each at pre and (most of them) post, and at a follow-up
    wave with `follow_up` (generated after the other two, so the first two stay the same)."""
    cohort = Cohort([], [], [], [], [], [])
    latents: list[Floats] = []
    for school in range(SCHOOLS):
        latent = rng.normal(rng.normal(3.0, 0.3), 0.8, size=pupils)
        effect = 0.4 if arm(school) == "intervention" else 0.1
        cohort.codes.append([f"{prefix}{school:02d}-{p:05d}" for p in range(pupils)])
        cohort.pre.append(_answers(rng, latent))
        post, answered = _later(rng, latent, effect, POST_SHARE)
        cohort.post.append(post)
        cohort.answered_post.append(answered)
        latents.append(latent)
    if follow_up:
        for school, latent in enumerate(latents):
            effect = 0.25 if arm(school) == "intervention" else 0.1
            later, answered = _later(rng, latent, effect, FOLLOW_UP_SHARE)
            cohort.follow_up.append(later)
            cohort.answered_follow_up.append(answered)
    cohort.pre_items = [np.ascontiguousarray(answers.T) for answers in cohort.pre]
    cohort.post_items = [np.ascontiguousarray(answers.T) for answers in cohort.post]
    cohort.follow_up_items = [np.ascontiguousarray(answers.T) for answers in cohort.follow_up]
    return cohort


def csv_body(codes: Sequence[str], answers: Floats, item_codes: Sequence[str]) -> bytes:
    lines = [";".join(["respondent", *item_codes])]
    for code, row in zip(codes, answers.tolist(), strict=True):
        lines.append(";".join([code, *("" if v != v else str(int(v)) for v in row)]))
    return ("\r\n".join(lines) + "\r\n").encode()


# --- the limit: NumPy on the item arrays -------------------------------------------------


def scale_scores(items: Floats) -> Floats:
    """Scale `attityd` from item arrays (items × pupils): the mean of the answered items,
    reverse items 6 − x, when at least half are answered; else NaN."""
    total = np.zeros(items.shape[1])
    answered = np.zeros(items.shape[1], dtype=np.int64)
    for j in range(SCALE_ITEMS):
        values = items[j]
        present = ~np.isnan(values)
        if j + 1 in REVERSED:
            values = 6 - values
        total += np.where(present, values, 0.0)
        answered += present
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(answered * 2 >= SCALE_ITEMS, total / answered, np.nan)


def numpy_effects(cohort: Cohort) -> dict[str, Any]:
    """The figures of GET /effects (evaluator's view) from the item arrays."""
    pairs: list[tuple[Floats, Floats]] = []
    pre_all: list[Floats] = []
    for pre_items, post_items in zip(cohort.pre_items, cohort.post_items, strict=True):
        pre, post = scale_scores(pre_items), scale_scores(post_items)
        both = ~np.isnan(pre) & ~np.isnan(post)
        pairs.append((pre[both], post[both]))
        pre_all.append(pre[~np.isnan(pre)])
    schools = [formulas.paired(pre, post) for pre, post in pairs]
    half = SCHOOLS // 2
    pre_t, post_t = (np.concatenate([p[i] for p in pairs[:half]]) for i in (0, 1))
    pre_c, post_c = (np.concatenate([p[i] for p in pairs[half:]]) for i in (0, 1))
    model = [multilevel.School(pre, post, index < half) for index, (pre, post) in enumerate(pairs)]
    return {
        "schools": schools,
        "pooled": formulas.paired(pre_t, post_t),
        "d_ppc2": formulas.d_ppc2(pre_t, post_t, pre_c, post_c),
        "icc": formulas.icc1(pre_all),
        # The same REML fit the service runs (NumPy and SciPy on the paired arrays).
        "multilevel": multilevel.multilevel(model, formulas.sd_pre_pooled(pre_t, pre_c)),
    }


def timed_numpy(cohort: Cohort) -> tuple[float, dict[str, Any]]:
    started_at = time.perf_counter()
    figures = numpy_effects(cohort)
    return time.perf_counter() - started_at, figures


def agree(body: dict[str, Any], figures: dict[str, Any]) -> None:
    """The service's figures are NumPy's (to 1e-9), or the comparison means nothing."""

    def close(a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return a is b
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))

    pairs = [
        (s["paired"], vars(f)) for s, f in zip(body["schools"], figures["schools"], strict=True)
    ]
    pairs.append((body["pooled"]["paired"], vars(figures["pooled"])))
    wrong = [
        name
        for served, computed in pairs
        for name, value in computed.items()
        if not close(served[name], value)
    ]
    if not close(body["controlled"]["d_ppc2"], figures["d_ppc2"]):
        wrong.append("d_ppc2")
    if not close(body["icc"], figures["icc"]):
        wrong.append("icc")
    # The fit is an optimum found to the optimiser's tolerance: rows in another order move
    # it in the eighth digit, so its figures agree to 1e-6 (as the tests hold them).
    fitted = vars(figures["multilevel"])
    served = body["controlled"]["multilevel"]
    wrong += [
        f"multilevel.{name}"
        for name, value in fitted.items()
        if served[name] != value
        and not (
            isinstance(value, float) and abs(served[name] - value) <= 1e-6 * max(1.0, abs(value))
        )
    ]
    if wrong:
        raise RuntimeError(f"the service and NumPy disagree on {sorted(set(wrong))}")


# --- loading through the API -------------------------------------------------------------


async def _post(client: httpx.AsyncClient, path: str, body: Any) -> Any:
    response = await client.post(f"{BASE}{path}", json=body)
    if response.status_code not in (200, 201):
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:300]}")
    return response.json()


async def _school(client: httpx.AsyncClient, code: str, school_arm: str) -> None:
    body = {
        "school_unit_code": code,
        "name": f"Skola {code}",
        "organisation_number": "212000-0142",
        "municipality_code": "0180",
        "arm": school_arm,
    }
    await _post(client, "/schools", body)


async def _instrument(client: httpx.AsyncClient, code: str, count: int) -> None:
    items = [
        {
            "code": f"q{j}",
            "text": f"Påstående {j}",
            "min": 1,
            "max": 5,
            "reverse": j in REVERSED,
            "scale": "attityd" if j <= SCALE_ITEMS else "ingripande",
        }
        for j in range(1, count + 1)
    ]
    await _post(client, "/instruments", {"code": code, "version": 1, "items": items})


async def _wave(
    client: httpx.AsyncClient, school: str, instrument: str, kind: str, cohort: str
) -> int:
    body = {
        "school_unit_code": school,
        "instrument_code": instrument,
        "instrument_version": 1,
        "kind": kind,
        "cohort": cohort,
        "administered_on": "2019-09-16" if kind == "pre" else "2020-05-11",
    }
    wave_id: int = (await _post(client, "/waves", body))["id"]
    return wave_id


async def _upload(client: httpx.AsyncClient, wave: int, body: bytes) -> None:
    response = await client.post(
        f"{BASE}/waves/{wave}/responses",
        content=body,
        headers={"Content-Type": "text/csv; charset=utf-8", "Idempotency-Key": str(uuid.uuid4())},
    )
    if response.status_code != 201:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text[:300]}")


async def load_cohort(client: httpx.AsyncClient, cohort: Cohort) -> None:
    await _instrument(client, "bench-mvp", ITEMS)
    for school in range(SCHOOLS):
        code = school_code(school)
        await _school(client, code, arm(school))
        pre = await _wave(client, code, "bench-mvp", "pre", "2019")
        await _upload(client, pre, csv_body(cohort.codes[school], cohort.pre[school], CODES))
        post = await _wave(client, code, "bench-mvp", "post", "2019")
        answered = cohort.answered_post[school]
        codes = [c for c, kept in zip(cohort.codes[school], answered, strict=True) if kept]
        await _upload(client, post, csv_body(codes, cohort.post[school][answered], CODES))


async def load_export_wave(client: httpx.AsyncClient, rng: np.random.Generator) -> int:
    await _instrument(client, "bench-export", EXPORT_ITEMS)
    code = school_code(SCHOOLS)
    await _school(client, code, "intervention")
    wave = await _wave(client, code, "bench-export", "pre", "export")
    answers = rng.integers(1, 6, size=(EXPORT_ROWS, EXPORT_ITEMS)).astype(np.float64)
    answers[rng.random(answers.shape) < MISSING_SHARE] = np.nan
    codes = [f"E{p:06d}" for p in range(EXPORT_ROWS)]
    item_codes = [f"q{j}" for j in range(1, EXPORT_ITEMS + 1)]
    await _upload(client, wave, csv_body(codes, answers, item_codes))
    return wave


# --- the measurements --------------------------------------------------------------------


async def timed_effects(client: httpx.AsyncClient) -> tuple[float, dict[str, Any]]:
    started_at = time.perf_counter()
    response = await client.get(f"{BASE}/effects", params={"scale": "attityd", "cohort": "2019"})
    elapsed = time.perf_counter() - started_at
    if response.status_code != 200:
        raise RuntimeError(f"effects failed: {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return elapsed, body


async def timed_lines(
    client: httpx.AsyncClient, path: str, params: dict[str, Any], lines: int
) -> float:
    """Seconds to read a streamed CSV export through the gateway, checked to hold a header
    and `lines` lines."""
    started_at = time.perf_counter()
    counted = 0
    async with client.stream("GET", path, params=params) as got:
        if got.status_code != 200:
            raise RuntimeError(f"export {path} failed: {got.status_code}")
        async for chunk in got.aiter_bytes():
            counted += chunk.count(b"\n")
    elapsed = time.perf_counter() - started_at
    if counted != lines + 1:
        raise RuntimeError(f"the export {path} {params} had {counted} lines, not {lines + 1}")
    return elapsed


async def timed_export(client: httpx.AsyncClient, wave: int) -> float:
    return await timed_lines(client, f"{BASE}/exports/responses", {"wave": wave}, EXPORT_ROWS)


async def timed_copy(connection: asyncpg.Connection, wave: int) -> float:
    """asyncpg COPY TO STDOUT (CSV) of the wave's rows in import order, the bytes kept."""
    received: list[bytes] = []

    async def keep(data: bytes) -> None:
        received.append(data)

    started_at = time.perf_counter()
    await connection.copy_from_query(
        "SELECT respondent, answers FROM mvp_evaluation.response"
        " WHERE wave_id = $1 ORDER BY position",
        wave,
        output=keep,
        format="csv",
    )
    elapsed = time.perf_counter() - started_at
    if sum(chunk.count(b"\n") for chunk in received) != EXPORT_ROWS:
        raise RuntimeError("COPY returned another number of rows")
    return elapsed


async def run(running: Platform) -> dict[str, float]:
    """GET effects ÷ NumPy (a time ratio), and export rows/s ÷ COPY rows/s."""
    rng = np.random.default_rng(SEED)
    cohort = generate(rng)
    headers = await running.admin_headers()
    async with httpx.AsyncClient(
        base_url=running.gateway_url, headers=headers, timeout=600.0
    ) as client:
        loading_started = time.perf_counter()
        await load_cohort(client, cohort)
        wave = await load_export_wave(client, rng)
        print(f"analysis: loaded through the API in {time.perf_counter() - loading_started:.1f} s")
        effects_times, numpy_times = [], []
        for _ in range(REPEATS):
            elapsed, body = await timed_effects(client)
            effects_times.append(elapsed)
            elapsed, figures = timed_numpy(cohort)
            numpy_times.append(elapsed)
        agree(body, figures)
        export_times, copy_times = [], []
        connection = await asyncpg.connect(running.owner_dsn)
        try:
            for _ in range(REPEATS):
                export_times.append(await timed_export(client, wave))
                copy_times.append(await timed_copy(connection, wave))
        finally:
            await connection.close()
    service, limit = statistics.median(effects_times), statistics.median(numpy_times)
    pupils = SCHOOLS * PUPILS_PER_SCHOOL
    print(f"  GET effects, {pupils} pupils, through the gateway: {service * 1000:8.1f} ms")
    print(f"  NumPy on the item arrays, the same figures:        {limit * 1000:8.1f} ms")
    export_rate = EXPORT_ROWS / statistics.median(export_times)
    copy_rate = EXPORT_ROWS / statistics.median(copy_times)
    print(f"  export of a {EXPORT_ROWS}-row wave through the gateway: {export_rate:>9,.0f} rows/s")
    print(f"  asyncpg COPY TO STDOUT of the same rows:          {copy_rate:>9,.0f} rows/s")
    return {"effects_200k": service / limit, "export_wave": export_rate / copy_rate}
