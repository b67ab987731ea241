"""A cohort across its waves and schools, for analysis: long (one row per respondent, wave and
item) or wide (one row per pupil with every wave's answers and scale scores).

Both layouts as CSV (plain and Excel's variant) are written by PostgreSQL itself
(`repository.cohort_lines`, `repository.wide_lines`) and streamed, byte for byte what the
Python path writes. That path makes the XLSX files (and the Excel variant of a cohort with a
code only Python's rules call digits) from the response rows, which come from PostgreSQL a
few thousand at a time, ordered by school, respondent and wave, so a wide row is the
consecutive rows of one pupil and nothing is held beyond one chunk and the pupil it ends in;
the scale scores of a chunk are computed together, one NumPy array per instrument version. A
pupil is a respondent code at a school (codes are pseudonyms that follow a pupil through the
cohort's waves at one school). Scale scores are DESIGN.md's
(`responses.scores`).
"""

from __future__ import annotations

import csv
import functools
import io
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs in the lock
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from common import csvfile
from common.problems import NotFound
from services.mvp_evaluation.exports import repository
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
    ORDER BY w.instrument_id
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
    404 when the cohort has no respondents. A kind's items are those of the instrument version
    registered first, then those later ones add, so the columns stay the same from call to call."""
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


Text = Callable[[object], object]


def _kept(value: object) -> object:
    return value


class Rows:
    """Turns the cohort's response rows (ordered by pupil) into export rows. `text` is how a
    code cell is written (`common.csvfile`'s for CSV, as it is for XLSX, which is made safe
    when written); kinds, item codes and answers never need it."""

    def __init__(
        self,
        layout: Layout,
        shapes: Sequence[WaveShape],
        by_instrument: dict[int, list[Item]],
        text: Text = _kept,
    ) -> None:
        self.layout = layout
        self.shapes = shapes
        self.text = text
        self.codes = {key: [item.code for item in items] for key, items in by_instrument.items()}
        self.scales = {key: scales_of(items) for key, items in by_instrument.items()}
        # For each kind of wave and instrument version: where each of the kind's items and
        # scales is in the version's answers and scales (None: not in it), or None when the
        # version's are the kind's, in order.
        self.places: dict[tuple[str, int], tuple[list[int | None], list[int | None]] | None] = {}
        for shape in shapes:
            kind_items = [item.code for item in shape.items]
            kind_scales = [scale.code for scale in shape.scales]
            for key, codes in self.codes.items():
                scale_codes = [scale.code for scale in self.scales[key]]
                if codes == kind_items and scale_codes == kind_scales:
                    self.places[shape.kind, key] = None
                    continue
                self.places[shape.kind, key] = (
                    [codes.index(code) if code in codes else None for code in kind_items],
                    [scale_codes.index(c) if c in scale_codes else None for c in kind_scales],
                )
        self.blank = {
            shape.kind: [None] * (len(shape.items) + len(shape.scales)) for shape in shapes
        }

    def long(self, rows: Sequence[Any]) -> list[list[object]]:
        text, out = self.text, []
        for row in rows:
            pupil = [
                text(row.respondent),
                text(row.school_unit_code),
                text(row.arm),
                text(row.municipality_code),
                row.kind,
            ]
            codes = self.codes[row.instrument_id]
            out += [[*pupil, code, answer] for code, answer in zip(codes, row.answers, strict=True)]
        return out

    def scores(self, rows: Sequence[Any]) -> list[list[float | None]]:
        """Each row's score on each scale of its instrument version (None: fewer than half
        the scale's items answered), computed for all the rows of a version at once."""
        by_instrument: dict[int, list[int]] = {}
        for index, row in enumerate(rows):
            by_instrument.setdefault(row.instrument_id, []).append(index)
        out: list[list[float | None]] = [[] for _ in rows]
        for key, indexes in by_instrument.items():
            scales = self.scales[key]
            if not scales:
                continue
            given = np.array([rows[i].answers for i in indexes], dtype=np.float64)  # None: NaN
            answers = np.where(np.isnan(given), MISSING, given).astype(np.int16)
            scored = np.column_stack([scale_scores(scale, answers) for scale in scales])
            cells = scored.astype(object)
            cells[np.isnan(scored)] = None
            for index, values in zip(indexes, cells.tolist(), strict=True):
                out[index] = values
        return out

    def wide(self, rows: Sequence[Any]) -> list[list[object]]:
        """The wide rows of `rows`, which hold every row of each of their pupils."""
        text, out = self.text, []
        scores = self.scores(rows)
        start = 0
        for end in range(1, len(rows) + 1):
            if end < len(rows) and (rows[end].respondent, rows[end].school_unit_code) == (
                rows[start].respondent,
                rows[start].school_unit_code,
            ):
                continue
            first = rows[start]
            line: list[object] = [
                text(first.respondent),
                text(first.school_unit_code),
                text(first.arm),
                text(first.municipality_code),
            ]
            by_kind = {rows[i].kind: i for i in range(start, end)}
            for shape in self.shapes:
                index = by_kind.get(shape.kind)
                if index is None:
                    line += self.blank[shape.kind]
                    continue
                row = rows[index]
                places = self.places[shape.kind, row.instrument_id]
                if places is None:
                    line += row.answers
                    line += scores[index]
                else:
                    answers, scales = places
                    line += [None if i is None else row.answers[i] for i in answers]
                    line += [None if j is None else scores[index][j] for j in scales]
            out.append(line)
            start = end
        return out


def segments(
    shapes: Sequence[WaveShape], by_instrument: dict[int, list[Item]]
) -> list[repository.Segment]:
    """What PostgreSQL writes of each kind of wave in a wide row (`repository.wide_lines`):
    the same cells as `Rows.wide`, found the same way."""
    out = []
    for shape in shapes:
        cells: dict[int, list[repository.Cell]] = {}
        for key, items in by_instrument.items():
            codes = [item.code for item in items]
            scales = {scale.code: scale for scale in scales_of(items)}
            answers: list[repository.Cell] = [
                codes.index(item.code) + 1 if item.code in codes else None for item in shape.items
            ]
            scores: list[repository.Cell] = [
                None
                if scale.code not in scales
                else repository.Score(
                    [
                        (column + 1, int(reflect) if reverse else None)
                        for column, reverse, reflect in zip(
                            scales[scale.code].columns,
                            scales[scale.code].reverse.tolist(),
                            scales[scale.code].reflect.tolist(),
                            strict=True,
                        )
                    ]
                )
                for scale in shape.scales
            ]
            cells[key] = answers + scores
        width = len(shape.items) + len(shape.scales)
        out.append(repository.Segment(shape.kind, len(shape.items), width, cells))
    return out


def _pupils_end(rows: Sequence[Any]) -> int:
    """Where the last pupil's rows begin (its rows may go on in the next chunk)."""
    last = (rows[-1].respondent, rows[-1].school_unit_code)
    start = len(rows) - 1
    while start > 0 and (rows[start - 1].respondent, rows[start - 1].school_unit_code) == last:
        start -= 1
    return start


async def rows(engine: AsyncEngine, cohort: str, export: Rows) -> AsyncIterator[list[list[object]]]:
    """The export's rows, a chunk at a time, on a connection of its own (the request's
    session has ended when a streamed body is sent)."""
    async with engine.connect() as connection:
        result = await connection.stream(
            _ROWS.execution_options(yield_per=ROWS_PER_FETCH), {"cohort": cohort}
        )
        held: list[Any] = []
        async for partition in result.partitions(ROWS_PER_FETCH):
            if export.layout is Layout.long:
                yield export.long(partition)
                continue
            held += partition
            end = _pupils_end(held)
            if end:
                yield export.wide(held[:end])
                held = held[end:]
        if held:
            yield export.wide(held)


def _lines(rows: Sequence[Sequence[object]], *, excel: bool) -> bytes:
    """CSV lines of rows whose text cells are already written as `common.csvfile` writes
    them (its other cells are numbers and None, which the csv module writes as it does)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def csv_content(
    first: list[str], chunks: AsyncIterator[list[list[object]]], *, excel: bool
) -> AsyncIterator[bytes]:
    yield csvfile.document([first], excel=excel)
    async for chunk in chunks:
        yield _lines(chunk, excel=excel)


async def copied_content(
    first: list[str], lines: AsyncIterator[bytes], *, excel: bool
) -> AsyncIterator[bytes]:
    yield csvfile.document([first], excel=excel)
    async for chunk in lines:
        yield chunk


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
    name = f"cohort-{cohort.replace('/', '-')}-{layout}"
    if file_format is FileFormat.xlsx:
        chunks = rows(engine, cohort, Rows(layout, found, by_instrument))
        return CohortFile(f"{name}.xlsx", XLSX_TYPE, xlsx_content(first, chunks))
    if not (excel and await repository.unusual_excel_codes(session, cohort)):
        lines = (
            repository.cohort_lines(engine, cohort, excel=excel)
            if layout is Layout.long
            else repository.wide_lines(engine, cohort, segments(found, by_instrument), excel=excel)
        )
        content = copied_content(first, lines, excel=excel)
    else:
        text = functools.partial(csvfile.cell, excel=excel)
        chunks = rows(engine, cohort, Rows(layout, found, by_instrument, text))
        content = csv_content(first, chunks, excel=excel)
    return CohortFile(f"{name}.csv", "text/csv; charset=utf-8", content)
