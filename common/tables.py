"""Tables as Swedish Excel saves them, read into rows of text cells; what the cells mean is
the caller's.

- CSV: comma or semicolon (whichever the first line has more of), UTF-8 with or without BOM,
  quoted fields, any line ends. Read as it streams in: the text is decoded incrementally and
  cut after the last line end at which the quotes so far are balanced, so each piece holds
  whole records, and each piece goes through the csv module at once. What is held at once
  is one piece (at most `MAX_PENDING` characters).
- XLSX: the first worksheet, row by row. An XLSX file is a zip archive; before anything is
  parsed its directory is checked: no part may expand beyond its limit or compress better
  than `MAX_RATIO` to one (a zip bomb does both), and no XML part may declare a DOCTYPE
  (entity expansion). Python's zipfile never expands a part beyond the size its directory
  declares, so the checked sizes hold.

Both give `Records`: consecutive records with the number of the first (the first record of
a file, usually its header, is row 1). A file that cannot be read raises `UnreadableTable`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs in the lock

SLICE_BYTES = 256 * 1024
MAX_PENDING = 16 * 1024 * 1024
NOT_UTF8 = (
    "The file is not UTF-8 text (byte {offset}). Save it as 'CSV UTF-8' "
    "(CSV UTF-8 (kommaavgränsad)) and post it again."
)
_LINE_END = re.compile(r"\r\n|\r|\n")

MAX_PARTS = 10_000
MAX_SHEET_BYTES = 1 << 30  # a worksheet, expanded; it is streamed, never held
MAX_PART_BYTES = 64 << 20  # any other part (shared strings, styles), expanded; these are held
MAX_RATIO = 200  # expanded / compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 1 << 20
XLSX_CHUNK_ROWS = 5000


class UnreadableTable(Exception):
    """The file as a whole cannot be read (its `detail` says why, for the client)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotUtf8(UnreadableTable):
    """The file is not UTF-8 text: `offset` is the first byte that is not (from the file's
    start), `reason` says it as Python's codec does."""

    def __init__(self, offset: int, error: UnicodeDecodeError) -> None:
        super().__init__(NOT_UTF8.format(offset=offset))
        self.offset = offset
        byte = error.object[error.start]
        self.reason = (
            f"'utf-8' codec can't decode byte 0x{byte:02x} in position {offset}: {error.reason}"
        )


class TableTooLarge(UnreadableTable):
    """The workbook would expand beyond what is read: refused before it is parsed."""


@dataclass(frozen=True)
class Records:
    """Consecutive records of a table, each a list of text cells; the first is row
    `first_row` (rows count records from 1, so a quoted line end does not count)."""

    first_row: int
    rows: list[list[str]]


class CsvReader:
    """Feed it the body's chunks, then `finish()`; each gives the records it completes (a
    generator: iterate it to the end before the next chunk)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._decoded_bytes = 0
        self._pending = ""
        self._started = False
        self._delimiter: str | None = None
        self._next_row = 1

    def feed(self, data: bytes) -> Iterator[Records]:
        for start in range(0, len(data), SLICE_BYTES):
            piece = self._take(self._decode(data[start : start + SLICE_BYTES], final=False))
            if piece:
                yield self._parse(piece)

    def finish(self) -> Iterator[Records]:
        piece = self._pending + self._decode(b"", final=True)
        self._pending = ""
        if piece.count('"') % 2:
            raise UnreadableTable('The CSV ends inside a quoted field (a " is not closed).')
        if piece:
            yield self._parse(piece)

    def _decode(self, data: bytes, *, final: bool) -> str:
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise NotUtf8(self._decoded_bytes + exc.start, exc) from None
        self._decoded_bytes += len(data)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        return text

    def _take(self, text: str) -> str:
        """The whole records pending so far; the rest waits for more text."""
        pending = self._pending + text
        # After the last line end; a lone CR at the very end may yet be half of a CRLF.
        cut = max(pending.rfind("\n"), pending.rfind("\r", 0, len(pending) - 1)) + 1
        piece = pending[:cut]
        if not cut or piece.count('"') % 2:
            if len(pending) > MAX_PENDING:
                raise UnreadableTable(
                    'The CSV has a record longer than 16 MB, or a " that is never closed.'
                )
            self._pending = pending
            return ""
        self._pending = pending[cut:]
        return piece

    def _parse(self, piece: str) -> Records:
        if self._delimiter is None:
            first_line = _LINE_END.split(piece, maxsplit=1)[0]
            self._delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(io.StringIO(piece, newline=""), delimiter=self._delimiter, strict=True)
        rows: list[list[str]] = []
        try:
            rows.extend(reader)
        except csv.Error as exc:
            row = self._next_row + len(rows)
            raise UnreadableTable(f"Malformed CSV in row {row}: {exc}.") from None
        records = Records(self._next_row, rows)
        self._next_row += len(rows)
        return records


def check_archive(file: IO[bytes]) -> None:
    """Refuse what is not an XLSX archive, or would expand absurdly, before parsing it."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableTable("The file is not an XLSX workbook (not a zip archive).") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise TableTooLarge(f"The workbook has more than {MAX_PARTS} parts; refused.")
        for part in parts:
            _check_part_size(part)
            if part.filename.endswith((".xml", ".rels")):
                _check_no_doctype(archive, part)


def _check_part_size(part: zipfile.ZipInfo) -> None:
    limit = MAX_SHEET_BYTES if part.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
    if part.file_size > limit:
        raise TableTooLarge(
            f"A part of the workbook expands to {part.file_size} bytes (at most {limit}); "
            "refused as a possible zip bomb."
        )
    ratio = part.file_size / max(part.compress_size, 1)
    if part.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
        raise TableTooLarge(
            f"A part of the workbook compresses {ratio:.0f} to 1 (at most {MAX_RATIO}); "
            "refused as a possible zip bomb."
        )


def _check_no_doctype(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    try:
        with archive.open(part) as stream:
            head = stream.read(65536)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        raise UnreadableTable("The workbook is damaged: a part cannot be read.") from None
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnreadableTable("The workbook declares XML entities; refused.")


def cell_text(value: Any) -> str:
    """A worksheet cell as the CSV reader would see it."""
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


# What openpyxl raises, among its many kinds, for a workbook whose XML is damaged.
_DAMAGED = (ValueError, KeyError, IndexError, SyntaxError, zipfile.BadZipFile)


def xlsx_records(
    file: IO[bytes], *, chunk_rows: int = XLSX_CHUNK_ROWS
) -> Generator[Records, None, None]:
    """The first worksheet's rows as text, `chunk_rows` at a time, after the archive is
    checked (blocking: run it in a worker thread). Rows are as long as the sheet has them;
    close the generator when stopping early, so that the workbook is closed."""
    check_archive(file)
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors)
        raise UnreadableTable("The file is not a readable XLSX workbook.") from None
    try:
        yield from _sheet_records(workbook, chunk_rows)
    finally:
        workbook.close()


def _sheet_records(workbook: Any, chunk_rows: int) -> Iterator[Records]:
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a wrong <dimension> must not cut rows or columns
        rows = sheet.iter_rows(values_only=True)
        chunk: list[list[str]] = []
        first_row = 1
        for values in rows:
            chunk.append([cell_text(value) for value in values])
            if len(chunk) >= chunk_rows:
                yield Records(first_row, chunk)
                first_row, chunk = first_row + len(chunk), []
    except _DAMAGED:
        raise UnreadableTable("The workbook is damaged and cannot be read.") from None
    if chunk:
        yield Records(first_row, chunk)
