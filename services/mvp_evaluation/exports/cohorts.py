"""A cohort across its waves and schools, for analysis: long (one row per respondent, wave and
item) or wide (one row per pupil with every wave's answers and scale scores).

Rows come from PostgreSQL a few thousand at a time, ordered by school, respondent and wave, so
a wide row is the consecutive rows of one pupil and nothing is held beyond one pupil and one
chunk. A pupil is a respondent code at a school (codes are pseudonyms that follow a pupil
through the cohort's waves at one school). Scale scores are DESIGN.md's (`responses.scores`).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs in the lock
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from common import csvfile
from common.problems import NotFound
from services.mvp_evaluation.instruments import repository as instruments
from services.mvp_evaluation.instruments.models import Item
from services.mvp_evaluation.responses.batch import MISSING
from services.mvp_evaluation.responses.scores import Scale, scale_scores, scales_of
from services.mvp_evaluation.waves.schemas import WaveKind

ROWS_PER_FETCH = 5_000
KIND_ORDER = {WaveKind.pre: 0, WaveKind.post: 1, WaveKind.follow_up: 2}
PUPIL = ["respondent", "school_unit_code", "arm", "municipality_code"]


class Layout(StrEnum):
    long = "long"
    wide = "wide"


class FileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@dataclass(frozen=True)
class WaveShape:
    """What one kind of wave of the cohort asks: its items (in order) and scales."""

    kind: WaveKind
    items: list[Item]
    scales: list[Scale]


_WAVES = text(
    """
    SELECT DISTINCT w.kind, w.instrument_id FROM mvp_evaluation.wave AS w
    WHERE w.cohort = :cohort AND w.respondents > 0
    """
)
_ROWS = text(
    """
    SELECT r.respondent, w.school_unit_code, s.arm, s.municipality_code, w.kind,
           w.instrument_id, r.answers
    FROM mvp_evaluation.response AS r
    JOIN mvp_evaluation.wave AS w ON w.id = r.wave_id
    JOIN mvp_evaluation.school AS s ON s.school_unit_code = w.school_unit_code
    WHERE w.cohort = :cohort
    ORDER BY w.school_unit_code, r.respondent,
        CASE w.kind WHEN 'pre' THEN 0 WHEN 'post' THEN 1 ELSE 2 END
    """
)


async def shapes(
    session: AsyncSession, cohort: str
) -> tuple[list[WaveShape], dict[int, list[Item]]]:
    """The cohort's kinds of wave with their items, and each instrument version's items;
    404 when the cohort has no respondents."""
    found = (await session.execute(_WAVES, {"cohort": cohort})).all()
    if not found:
        raise NotFound(f"No respondents in cohort {cohort}.")
    by_instrument = {
        instrument_id: await instruments.items_of(session, instrument_id)
        for instrument_id in {row.instrument_id for row in found}
    }
    kinds: dict[WaveKind, list[Item]] = {}
    for row in found:
        items = kinds.setdefault(WaveKind(row.kind), [])
        known = {item.code for item in items}
        items += [item for item in by_instrument[row.instrument_id] if item.code not in known]
    ordered = sorted(kinds.items(), key=lambda pair: KIND_ORDER[pair[0]])
    return [WaveShape(kind, items, scales_of(items)) for kind, items in ordered], by_instrument


def header(layout: Layout, shapes: Sequence[WaveShape]) -> list[str]:
    if layout is Layout.long:
        return [*PUPIL, "wave_kind", "item", "answer"]
    columns = list(PUPIL)
    for shape in shapes:
        columns += [f"{shape.kind}.{item.code}" for item in shape.items]
        columns += [f"{shape.kind}.{scale.code}_score" for scale in shape.scales]
    return columns


def _answer(value: int | None) -> int | None:
    return None if value is None else int(value)


class Rows:
    """Turns the cohort's response rows (ordered by pupil) into export rows."""

    def __init__(
        self, layout: Layout, shapes: Sequence[WaveShape], by_instrument: dict[int, list[Item]]
    ) -> None:
        self.layout = layout
        self.shapes = shapes
        self.by_instrument = by_instrument
        self.scales = {key: scales_of(items) for key, items in by_instrument.items()}

    def _scores(self, row: Any) -> dict[str, float | None]:
        """The pupil's score on each scale of its wave's instrument version (None: fewer
        than half the scale's items answered)."""
        answers = np.array(
            [[MISSING if value is None else value for value in row.answers]], dtype=np.int16
        )
        scores = {}
        for scale in self.scales[row.instrument_id]:
            value = float(scale_scores(scale, answers)[0])
            scores[scale.code] = None if math.isnan(value) else value
        return scores

    def long(self, row: Any) -> Iterator[list[object]]:
        items = self.by_instrument[row.instrument_id]
        pupil = [row.respondent, row.school_unit_code, row.arm, row.municipality_code]
        for item, answer in zip(items, row.answers, strict=True):
            yield [*pupil, row.kind, item.code, _answer(answer)]

    def wide(self, pupil_rows: Sequence[Any]) -> list[object]:
        first = pupil_rows[0]
        out: list[object] = [
            first.respondent,
            first.school_unit_code,
            first.arm,
            first.municipality_code,
        ]
        by_kind = {row.kind: row for row in pupil_rows}
        for shape in self.shapes:
            row = by_kind.get(shape.kind)
            if row is None:
                out += [None] * (len(shape.items) + len(shape.scales))
                continue
            items = self.by_instrument[row.instrument_id]
            answers = dict(zip((item.code for item in items), row.answers, strict=True))
            out += [_answer(answers.get(item.code)) for item in shape.items]
            scores = self._scores(row)
            out += [scores.get(scale.code) for scale in shape.scales]
        return out


async def rows(engine: AsyncEngine, cohort: str, export: Rows) -> AsyncIterator[list[list[object]]]:
    """The export's rows, a chunk at a time, on a connection of its own (the request's
    session has ended when a streamed body is sent)."""
    async with engine.connect() as connection:
        result = await connection.stream(
            _ROWS.execution_options(yield_per=ROWS_PER_FETCH), {"cohort": cohort}
        )
        pupil: list[Any] = []
        async for partition in result.partitions(ROWS_PER_FETCH):
            out: list[list[object]] = []
            for row in partition:
                if export.layout is Layout.long:
                    out += export.long(row)
                    continue
                if pupil and (row.school_unit_code, row.respondent) != (
                    pupil[0].school_unit_code,
                    pupil[0].respondent,
                ):
                    out.append(export.wide(pupil))
                    pupil = []
                pupil.append(row)
            if out:
                yield out
        if pupil:
            yield [export.wide(pupil)]


async def csv_content(
    first: list[str], chunks: AsyncIterator[list[list[object]]], *, excel: bool
) -> AsyncIterator[bytes]:
    yield csvfile.document([first], excel=excel)
    async for chunk in chunks:
        yield csvfile.lines(chunk, excel=excel).encode("utf-8")


async def xlsx_content(
    first: list[str], chunks: AsyncIterator[list[list[object]]]
) -> AsyncIterator[bytes]:
    """An XLSX workbook of one sheet, written row by row (openpyxl's write-only mode) to a
    temporary file, then sent a megabyte at a time."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("cohort")
    sheet.append(first)
    async for chunk in chunks:
        for row in chunk:
            sheet.append([csvfile.cell(value) for value in row])
    with tempfile.TemporaryFile() as file:
        book.save(file)
        file.seek(0)
        while data := file.read(1 << 20):
            yield data


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class CohortFile:
    """A file to send as it is made."""

    filename: str
    media_type: str
    content: AsyncIterator[bytes]


async def export_cohort(
    session: AsyncSession,
    *,
    engine: AsyncEngine,
    cohort: str,
    layout: Layout,
    file_format: FileFormat,
    excel: bool,
) -> CohortFile:
    """The cohort in `layout`, as CSV (Swedish Excel's variant with `excel`) or XLSX."""
    found, by_instrument = await shapes(session, cohort)
    first = header(layout, found)
    chunks = rows(engine, cohort, Rows(layout, found, by_instrument))
    name = f"cohort-{cohort.replace('/', '-')}-{layout}"
    if file_format is FileFormat.xlsx:
        return CohortFile(f"{name}.xlsx", XLSX_TYPE, xlsx_content(first, chunks))
    return CohortFile(
        f"{name}.csv", "text/csv; charset=utf-8", csv_content(first, chunks, excel=excel)
    )
