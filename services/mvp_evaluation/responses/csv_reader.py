"""CSV, read as it streams in: UTF-8 with or without BOM, comma or semicolon, any line ends.

The body is decoded incrementally and cut after the last line end at which the quotes so far
are balanced, so each piece holds whole records; each piece goes through the csv module and
into the batch. What is held at once is one piece (at most `MAX_PENDING` characters).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence

from services.mvp_evaluation.problems import InvalidUpload
from services.mvp_evaluation.responses.batch import Batch, ItemRule
from services.mvp_evaluation.responses.tabular import Layout, TableRows, read_header

SLICE_BYTES = 256 * 1024
MAX_PENDING = 16 * 1024 * 1024
NOT_UTF8 = (
    "The file is not UTF-8 text (byte {offset}). Save it as 'CSV UTF-8' "
    "(CSV UTF-8 (kommaavgränsad)) and post it again."
)


class CsvReader:
    """Feed it the body's chunks, then call `finish()`."""

    def __init__(self, items: Sequence[ItemRule], batch: Batch) -> None:
        self.items = items
        self.batch = batch
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._decoded_bytes = 0
        self._pending = ""
        self._started = False
        self._delimiter = ","
        self._rows: TableRows | None = None
        self._next_row = 1

    def feed(self, data: bytes) -> None:
        for start in range(0, len(data), SLICE_BYTES):
            self._take(self._decode(data[start : start + SLICE_BYTES], final=False), final=False)

    def finish(self) -> None:
        self._take(self._decode(b"", final=True), final=True)
        if self._rows is None:
            raise InvalidUpload(
                "The file is empty: it needs a header row and a row per respondent."
            )

    def _decode(self, data: bytes, *, final: bool) -> str:
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise InvalidUpload(NOT_UTF8.format(offset=self._decoded_bytes + exc.start)) from None
        self._decoded_bytes += len(data)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        return text

    def _take(self, text: str, *, final: bool) -> None:
        pending = self._pending + text
        if final:
            piece, self._pending = pending, ""
            if piece.count('"') % 2:
                raise InvalidUpload('The CSV ends inside a quoted field (a " is not closed).')
        else:
            cut = pending.rfind("\n") + 1
            piece = pending[:cut]
            if not cut or piece.count('"') % 2:
                if len(pending) > MAX_PENDING:
                    raise InvalidUpload(
                        'The CSV has a record longer than 16 MB, or a " that is never closed.'
                    )
                self._pending = pending
                return
            self._pending = pending[cut:]
        if piece:
            self._parse(piece)

    def _parse(self, piece: str) -> None:
        if self._rows is None:
            first_line = piece.split("\n", 1)[0]
            self._delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(io.StringIO(piece, newline=""), delimiter=self._delimiter, strict=True)
        records: list[list[str]] = []
        try:
            records.extend(reader)
        except csv.Error as exc:
            row = self._next_row + len(records)
            raise InvalidUpload(f"Malformed CSV in row {row}: {exc}.") from None
        if self._rows is None:
            if not records:
                return
            header = records.pop(0)
            self._rows = TableRows(self._layout(header), self.items, self.batch)
            self._next_row = 2
        self._rows.add(records, self._next_row)
        self._next_row += len(records)

    def _layout(self, header: list[str]) -> Layout:
        return read_header(header, self.items, self.batch.errors)
