"""Pseudonymous item-level exports: a wave's responses as CSV, exactly as they were imported."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from common import csvfile
from common.problems import NotFound
from services.mvp_evaluation.exports import repository
from services.mvp_evaluation.instruments import repository as instruments
from services.mvp_evaluation.waves import repository as waves


class Delimiter(StrEnum):
    """What separates the cells: a comma (RFC 4180) or a semicolon (Swedish Excel)."""

    comma = "comma"
    semicolon = "semicolon"


SEPARATORS = {Delimiter.comma: ",", Delimiter.semicolon: ";"}


@dataclass(frozen=True)
class CsvFile:
    """A file to send as it is made: its name and its bytes, a few thousand rows at a time."""

    filename: str
    content: AsyncIterator[bytes]


def _lines(rows: Sequence[Sequence[object]], separator: str) -> bytes:
    """CSV lines, each text cell made safe to open in a spreadsheet (common.csvfile)."""
    return csvfile.lines(rows, delimiter=separator).encode()


async def _content(
    engine: AsyncEngine, wave_id: int, codes: list[str], separator: str
) -> AsyncIterator[bytes]:
    yield _lines([["respondent", *codes]], separator)
    async for chunk in repository.response_lines(engine, wave_id, separator):
        yield chunk


async def export_responses(
    session: AsyncSession, *, engine: AsyncEngine, wave_id: int, delimiter: Delimiter
) -> CsvFile:
    """A wave's responses as CSV: a header of `respondent` and the item codes, one row per
    respondent in import order, a blank cell for a missing answer."""
    wave = await waves.get(session, wave_id)
    if wave is None:
        raise NotFound(f"No wave {wave_id}.")
    codes = [item.code for item in await instruments.items_of(session, wave.instrument_id)]
    return CsvFile(
        filename=f"wave-{wave_id}-responses.csv",
        content=_content(engine, wave_id, codes, SEPARATORS[delimiter]),
    )
