"""XLSX: the first worksheet, with the header in row 1, as in a CSV.

An XLSX file is a zip archive. Before anything is parsed the archive's directory is checked:
no part may expand beyond its limit or compress better than `MAX_RATIO` to one (a zip bomb
does both), and no XML part may declare a DOCTYPE (entity expansion). Python's zipfile never
expands a part beyond the size its directory declares, so the checked sizes hold. The sheet
is then read row by row (openpyxl's read-only mode), in a worker thread.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs in the lock

from services.mvp_evaluation.problems import InvalidUpload, PayloadTooLarge
from services.mvp_evaluation.responses.batch import Batch, ItemRule
from services.mvp_evaluation.responses.tabular import TableRows, check_stray_cell, read_header

MAX_PARTS = 10_000
MAX_SHEET_BYTES = 1 << 30  # a worksheet, expanded; it is streamed, never held
MAX_PART_BYTES = 64 << 20  # any other part (shared strings, styles), expanded; these are held
MAX_RATIO = 200  # expanded / compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 1 << 20
CHUNK_ROWS = 5000


def check_archive(file: IO[bytes]) -> None:
    """Refuse what is not an XLSX archive, or would expand absurdly, before parsing it."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidUpload("The file is not an XLSX workbook (not a zip archive).") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise PayloadTooLarge(f"The workbook has more than {MAX_PARTS} parts; refused.")
        for part in parts:
            sheet = part.filename.startswith("xl/worksheets/")
            limit = MAX_SHEET_BYTES if sheet else MAX_PART_BYTES
            if part.file_size > limit:
                raise PayloadTooLarge(
                    f"A part of the workbook expands to {part.file_size} bytes (at most "
                    f"{limit}); refused as a possible zip bomb."
                )
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
                raise PayloadTooLarge(
                    f"A part of the workbook compresses {ratio:.0f} to 1 (at most {MAX_RATIO}); "
                    "refused as a possible zip bomb."
                )
            if part.filename.endswith((".xml", ".rels")):
                _check_no_doctype(archive, part)


def _check_no_doctype(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    try:
        with archive.open(part) as stream:
            head = stream.read(65536)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        raise InvalidUpload("The workbook is damaged: a part cannot be read.") from None
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise InvalidUpload("The workbook declares XML entities; refused.")


def cell_text(value: Any) -> str:
    """A cell as the CSV reader would see it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def read_xlsx(file: IO[bytes], items: Sequence[ItemRule], batch: Batch) -> None:
    """Check the archive, then read the first worksheet into the batch (blocking)."""
    check_archive(file)
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors)
        raise InvalidUpload("The file is not a readable XLSX workbook.") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a wrong <dimension> must not cut rows or columns
        _read_rows(sheet.iter_rows(values_only=True), items, batch)
    except (InvalidUpload, PayloadTooLarge):
        raise
    except Exception as exc:
        if isinstance(exc, ValueError | KeyError | SyntaxError | zipfile.BadZipFile):
            raise InvalidUpload("The workbook is damaged and cannot be read.") from None
        raise
    finally:
        workbook.close()


def _read_rows(rows: Any, items: Sequence[ItemRule], batch: Batch) -> None:
    header: list[str] | None = None
    table: TableRows | None = None
    chunk: list[list[str]] = []
    first_row = 2
    for number, values in enumerate(rows, start=1):
        cells = [cell_text(value) for value in values]
        if header is None:
            while cells and not cells[-1].strip():
                cells.pop()
            header = cells
            table = TableRows(read_header(header, items, batch.errors), items, batch)
            continue
        chunk.append(_fit(cells, len(header), number, batch))
        if len(chunk) >= CHUNK_ROWS:
            assert table is not None
            table.add(chunk, first_row)
            first_row += len(chunk)
            chunk = []
    if table is None:
        raise InvalidUpload("The first worksheet is empty: it needs a header row.")
    table.add(chunk, first_row)


def _fit(cells: list[str], width: int, row: int, batch: Batch) -> list[str]:
    """The row cut or padded to the header's width; a value beyond it is an error."""
    for cell in cells[width:]:
        check_stray_cell(batch.errors, row, cell)
    return cells[:width] + [""] * (width - len(cells))
