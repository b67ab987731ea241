"""The SQL of exports: a wave's responses, or a cohort in the long or wide layout, as CSV
lines made by PostgreSQL and streamed.

PostgreSQL writes each line (`COPY ... TO STDOUT`), so no row becomes a Python object on the
way. A line is made of codes, enum values and integer answers, a blank for a missing answer:
exactly what `common.csvfile` writes for these rows, since a respondent code (letters, digits
and . _ - : /, starting with a letter or digit) never needs quoting, never reads as a formula,
and holds no character that COPY's text format escapes; school unit and municipality codes are
ASCII digits, item codes lowercase identifiers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.mvp_evaluation.db import SCHEMA

SEPARATORS = (",", ";")
CHUNKS_AHEAD = 4  # COPY waits while this many chunks wait for a slow client


def _lines_query(wave_id: int, separator: str) -> str:
    """The SELECT whose rows COPY writes (asyncpg wraps it in `COPY (...) TO STDOUT`)."""
    if separator not in SEPARATORS:
        raise ValueError(f"not a separator: {separator!r}")
    # The wave id is an int, the separator one of two constants: nothing can be injected.
    select = f"SELECT respondent || '{separator}' || array_to_string(answers, '{separator}', '')"
    rows = f"FROM {SCHEMA}.response WHERE wave_id = {int(wave_id)} ORDER BY position"
    return f"{select} {rows}"


def _excel_text(column: str) -> str:
    """SQL writing a column as `common.csvfile` writes ASCII text for Swedish Excel: a code of
    digits with a leading zero as `="0180"`, quoted as the csv module quotes it."""
    wrapped = '\'"=""\' || ' + column + ' || \'"""\''
    return f"CASE WHEN {column} ~ '^0[0-9]+$' THEN {wrapped} ELSE {column} END"


def _cohort_query(excel: bool) -> str:
    """The SELECT whose rows COPY writes for a cohort's long layout (the cohort is `$1`).

    One COPY row per response (respondent and wave): its lines, one per item in the instrument
    version's order, joined by a newline, which COPY writes as the two characters `\\n`
    (`cohort_lines` turns both line ends into CRLF). The rows are ordered by school, respondent and
    wave kind (pre, post, follow_up), as the Python layouts are."""
    separator = ";" if excel else ","
    respondent, school, municipality = (
        (_excel_text(column) if excel else column)
        for column in ("r.respondent", "w.school_unit_code", "s.municipality_code")
    )
    prefix = f" || '{separator}' || ".join(
        [respondent, school, "s.arm", municipality, "w.kind", "''"]
    )
    # Only constants and column names go into the text; the cohort is a parameter.
    return f"""
    WITH codes AS (
        SELECT instrument_id, array_agg(code ORDER BY position) AS codes
        FROM {SCHEMA}.item GROUP BY instrument_id
    )
    SELECT (
        SELECT string_agg(pupil.prefix || a.item || '{separator}' || coalesce(a.answer::text, ''),
                          E'\\n')
        FROM unnest(r.answers, c.codes) AS a(answer, item)
    )
    FROM {SCHEMA}.response AS r
    JOIN {SCHEMA}.wave AS w ON w.id = r.wave_id
    JOIN {SCHEMA}.school AS s ON s.school_unit_code = w.school_unit_code
    JOIN codes AS c ON c.instrument_id = w.instrument_id
    CROSS JOIN LATERAL (SELECT {prefix} AS prefix) AS pupil
    WHERE w.cohort = $1
    ORDER BY w.school_unit_code, r.respondent,
        CASE w.kind WHEN 'pre' THEN 0 WHEN 'post' THEN 1 ELSE 2 END
    """  # noqa: S608  # constants and column names only


@dataclass(frozen=True)
class Score:
    """A scale score cell: the scale's items as (1-based position in the answers, min + max
    for a reverse item, else None)."""

    items: list[tuple[int, int | None]]


Cell = int | Score | None  # an answer (its 1-based position in the answers), a score, a blank


@dataclass(frozen=True)
class Segment:
    """One kind of wave's cells in a wide row, for each instrument version the kind used."""

    kind: str
    items: int  # the kind's item columns, then its scale columns
    width: int
    cells: dict[int, list[Cell]]  # instrument id: its cells for this kind's columns


def _score_sums(score: Score) -> tuple[str, str]:
    """SQL of a scale's answered items and the sum of their recoded answers (an exact
    integer, divided once, as `responses.scores` does)."""
    answered = " + ".join(f"(r.answers[{int(p)}] IS NOT NULL)::int" for p, _ in score.items)
    total = " + ".join(
        f"coalesce(r.answers[{int(p)}], 0)"
        if reflect is None
        else f"coalesce({int(reflect)} - r.answers[{int(p)}], 0)"
        for p, reflect in score.items
    )
    return answered, total


def _score_text(slot: int, items: int) -> str:
    """SQL of score `slot` (`q.n{slot}` answered, `q.x{slot}` the mean) as Python writes the
    float (`repr`: PostgreSQL's shortest exact digits, `.0` after a whole number), blank when
    fewer than half of its `items` are answered."""
    n, x = f"q.n{slot}", f"q.x{slot}"
    return (
        f"CASE WHEN {n} * 2 < {items} THEN '' WHEN {x} = trunc({x}) THEN {x}::text || '.0'"
        f" ELSE {x}::text END"
    )


def _wide_query(segments: Sequence[Segment], excel: bool) -> str:
    """The SELECT whose rows COPY writes for a cohort's wide layout (the cohort is `$1`): one
    line per pupil (a respondent code at a school), ordered by school and respondent.

    The innermost query computes each response's scale scores once (`OFFSET 0` keeps the
    planner from copying their expressions into every place they are used); the next makes
    the response's cells for its kind of wave one text (`segment`); a pupil's line is its
    segments in kind order, blanks for a kind it has no response in."""
    separator = ";" if excel else ","
    joiner = f" || '{separator}' || "
    slots: dict[tuple[int, tuple[tuple[int, int | None], ...]], int] = {}
    scores: list[str] = []
    branches: list[str] = []
    for segment in segments:
        kind = {"pre": "pre", "post": "post", "follow_up": "follow_up"}[segment.kind]
        for instrument_id, cells in segment.cells.items():
            answers = cells[: segment.items]
            texts: list[str] = []
            if answers == list(range(1, len(answers) + 1)):
                texts.append(f"array_to_string(q.answers, '{separator}', '')")
            else:
                texts += [
                    f"coalesce(q.answers[{int(cell)}]::text, '')" if isinstance(cell, int) else "''"
                    for cell in answers
                ]
            for cell in cells[segment.items :]:
                if not isinstance(cell, Score):
                    texts.append("''")
                    continue
                key = (int(instrument_id), tuple(cell.items))
                if key not in slots:
                    slot = slots[key] = len(slots)
                    answered, total = _score_sums(cell)
                    scores.append(
                        f"CASE w.instrument_id WHEN {key[0]} THEN {answered} END AS n{slot}, "
                        f"CASE w.instrument_id WHEN {key[0]} THEN"
                        f" ({total})::float8 / nullif({answered}, 0) END AS x{slot}"
                    )
                texts.append(_score_text(slots[key], len(cell.items)))
            condition = f"q.kind = '{kind}' AND q.instrument_id = {int(instrument_id)}"
            branches.append(f"WHEN {condition} THEN {joiner.join(texts)}")
    pupil = [
        _excel_text(column) if excel else column
        for column in ("p.respondent", "p.school_unit_code", "s.arm", "s.municipality_code")
    ]
    kinds = [
        f"coalesce(max(p.segment) FILTER (WHERE p.kind = '{segment.kind}'),"
        f" '{separator * (segment.width - 1)}')"
        for segment in segments
    ]
    return f"""
    SELECT {joiner.join([*pupil, *kinds])}
    FROM (
        SELECT q.school_unit_code, q.respondent, q.kind,
            CASE {" ".join(branches)} END AS segment
        FROM (
            SELECT w.school_unit_code, r.respondent, w.kind, w.instrument_id, r.answers
                {"".join(", " + score for score in scores)}
            FROM {SCHEMA}.response AS r
            JOIN {SCHEMA}.wave AS w ON w.id = r.wave_id
            WHERE w.cohort = $1
            OFFSET 0
        ) AS q
    ) AS p
    JOIN {SCHEMA}.school AS s ON s.school_unit_code = p.school_unit_code
    GROUP BY p.school_unit_code, p.respondent, s.arm, s.municipality_code
    ORDER BY p.school_unit_code, p.respondent
    """  # noqa: S608  # integers, constants and column names only


async def _copied(
    engine: AsyncEngine, query: str, *args: object, floats: bool = False
) -> AsyncIterator[bytes]:
    """COPY's output of the query, a chunk at a time, on a connection of its own: the
    request's session has ended when a streamed body is sent. With `floats`, in a transaction
    that writes float8 as its shortest exact digits (`extra_float_digits` 1, PostgreSQL's
    default, which a server's configuration could change), as Python's `repr` does."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=CHUNKS_AHEAD)

        async def keep(data: bytes | bytearray | memoryview) -> None:
            await chunks.put(bytes(data))  # asyncpg may reuse its buffer once this returns

        async def copy() -> None:
            try:
                if not floats:
                    await driver.copy_from_query(query, *args, output=keep)
                    return
                async with driver.transaction(readonly=True):
                    await driver.execute("SET LOCAL extra_float_digits = 1")
                    await driver.copy_from_query(query, *args, output=keep)
            finally:
                await chunks.put(None)  # the end, or a failure for `await task` to raise

        task = asyncio.create_task(copy())
        try:
            while (chunk := await chunks.get()) is not None:
                yield chunk
            await task  # its error, if it failed
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


async def response_lines(engine: AsyncEngine, wave_id: int, separator: str) -> AsyncIterator[bytes]:
    """The wave's rows as CSV lines (CRLF) in import order, a chunk at a time."""
    async for chunk in _copied(engine, _lines_query(wave_id, separator)):
        yield chunk.replace(b"\n", b"\r\n")  # no line holds a newline of its own


async def cohort_lines(engine: AsyncEngine, cohort: str, *, excel: bool) -> AsyncIterator[bytes]:
    """The cohort's long layout as CSV lines (CRLF; semicolons and codes kept as text for
    Excel), without the header, a chunk at a time. No text holds a backslash, so every
    backslash is the start of one of COPY's escaped newlines between a response's lines."""
    held = b""  # a backslash at a chunk's end, whose `n` begins the next chunk
    async for chunk in _copied(engine, _cohort_query(excel), cohort):
        data = held + chunk
        held = b"\\" if data.endswith(b"\\") else b""
        if held:
            data = data[:-1]
        yield data.replace(b"\n", b"\r\n").replace(b"\\n", b"\r\n")


_UNUSUAL_EXCEL_CODES = text(
    r"""
    SELECT EXISTS (
        SELECT FROM mvp_evaluation.response AS r
        JOIN mvp_evaluation.wave AS w ON w.id = r.wave_id
        WHERE w.cohort = :cohort AND r.respondent ~ '^0' AND r.respondent ~ '[^\x01-\x7f]'
    )
    """
)


async def unusual_excel_codes(session: AsyncSession, cohort: str) -> bool:
    """Whether a respondent code of the cohort begins with 0 and holds a non-ASCII character:
    Python's `str.isdigit` (which `common.csvfile` asks for the Excel variant) knows digits
    beyond ASCII and `_excel_text` does not, so such a cohort takes the Python path."""
    found: bool = (await session.execute(_UNUSUAL_EXCEL_CODES, {"cohort": cohort})).scalar_one()
    return found


async def wide_lines(
    engine: AsyncEngine, cohort: str, segments: Sequence[Segment], *, excel: bool
) -> AsyncIterator[bytes]:
    """The cohort's wide layout as CSV lines (CRLF; semicolons and codes kept as text for
    Excel), without the header, a chunk at a time."""
    async for chunk in _copied(engine, _wide_query(segments, excel), cohort, floats=True):
        yield chunk.replace(b"\n", b"\r\n")  # no line holds a newline of its own
