"""A table of responses (CSV or a worksheet): what its header means, and cells to answers.

The header row is row 1 and holds `respondent` and item codes (any order, any case; items
left out are missing). Every later row is one respondent. A blank cell is a missing answer;
a row of blank cells is skipped. The file itself is read by `common.tables`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import chain, repeat
from typing import IO

import numpy as np

from common.reference import looks_like_personnummer
from common.tables import CsvReader, Records, xlsx_records
from services.mvp_evaluation.problems import InvalidUpload
from services.mvp_evaluation.responses.batch import (
    INVALID,
    MISSING,
    Batch,
    ErrorList,
    ItemRule,
    rows_invalid,
)

RESPONDENT_COLUMN = "respondent"
PERSONNUMMER = "looks like a personnummer; identifying data is refused"
_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")


@dataclass(frozen=True)
class Layout:
    """Which column is what: the respondent, items (with their index), others."""

    width: int
    respondent: int
    item_columns: list[int]
    item_indexes: list[int]
    unknown: list[int]  # a header that is no item (reported once, in row 1)
    unnamed: list[int]  # no header: every cell must be blank


def read_header(cells: Sequence[str], items: Sequence[ItemRule], errors: ErrorList) -> Layout:
    """The layout of the header row; 422 at once when it has no respondent column."""
    index = {item.code: i for i, item in enumerate(items)}
    seen: dict[str, int] = {}
    respondent: int | None = None
    item_columns: list[int] = []
    item_indexes: list[int] = []
    unknown: list[int] = []
    unnamed: list[int] = []
    for column, raw in enumerate(cells):
        name = raw.strip().lower()
        if not name:
            unnamed.append(column)
        elif looks_like_personnummer(name):
            errors.add(1, name, name, f"the column header {PERSONNUMMER}")
            unknown.append(column)
        elif name in seen:
            errors.add(1, name, name, f"the column appears twice (first as column {seen[name]})")
            unknown.append(column)
        else:
            seen[name] = column + 1
            if name == RESPONDENT_COLUMN:
                respondent = column
            elif name in index:
                item_columns.append(column)
                item_indexes.append(index[name])
            else:
                errors.add(1, raw.strip(), raw.strip(), "unknown column: no such item")
                unknown.append(column)
    if respondent is None:
        errors.add(1, RESPONDENT_COLUMN, None, "the header has no respondent column")
        raise rows_invalid(errors)
    return Layout(len(cells), respondent, item_columns, item_indexes, unknown, unnamed)


class TableRows:
    """Turns rows of text cells into the batch's chunks, reporting cells it cannot read."""

    def __init__(self, layout: Layout, items: Sequence[ItemRule], batch: Batch) -> None:
        self.layout = layout
        self.items = items
        self.batch = batch
        self.errors = batch.errors
        low, high = min(i.min for i in items), max(i.max for i in items)
        # Most cells are one of these few strings: a dictionary look-up reads them in C.
        self.lookup = {str(value): value for value in range(low, high + 1)}
        self.lookup[""] = MISSING
        self.column_of = dict(zip(layout.item_indexes, layout.item_columns, strict=True))

    def add(self, records: list[list[str]], first_row: int) -> None:
        """Rows `first_row`, `first_row + 1`, ... of the table."""
        rows = np.arange(first_row, first_row + len(records), dtype=np.int64)
        records, rows = self._whole(records, rows)
        if not records:
            return
        width = self.layout.width
        flat = list(chain.from_iterable(records))
        cells = np.fromiter(
            map(self.lookup.get, flat, repeat(INVALID)), dtype=np.int32, count=len(flat)
        ).reshape(len(records), width)
        filled = ~(cells == MISSING).all(axis=1)
        if not filled.all():
            records = [r for r, keep in zip(records, filled.tolist(), strict=True) if keep]
            cells, rows = cells[filled], rows[filled]
        answers = np.full((len(records), len(self.items)), MISSING, dtype=np.int32)
        if self.layout.item_columns:
            answers[:, self.layout.item_indexes] = cells[:, self.layout.item_columns]
        for r, j in zip(*np.nonzero(answers == INVALID), strict=True):
            raw = records[r][self.column_of[int(j)]]
            answers[r, j] = self._read_cell(raw, int(rows[r]), self.items[j])
        self._check_other_columns(records, rows, cells)
        column = self.layout.respondent
        self.batch.add(rows, [record[column].strip() for record in records], answers)

    def _whole(
        self, records: list[list[str]], rows: np.ndarray
    ) -> tuple[list[list[str]], np.ndarray]:
        """The records with as many cells as the header; others reported (blank ones skipped)."""
        width = self.layout.width
        lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
        if (lengths == width).all():
            return records, rows
        keep = []
        for i, record in enumerate(records):
            if len(record) == width:
                keep.append(i)
            elif any(cell.strip() for cell in record):
                row = int(rows[i])
                self.errors.add(
                    row, None, None, f"the row has {len(record)} cells; the header {width}"
                )
                for cell in record[:width]:
                    if looks_like_personnummer(cell):
                        self.errors.add(row, None, cell, PERSONNUMMER)
                for cell in record[width:]:
                    check_stray_cell(self.errors, row, cell)
        return [records[i] for i in keep], rows[keep]

    def _read_cell(self, raw: str, row: int, item: ItemRule) -> int:
        text = raw.strip()
        if not text:
            return MISSING
        if looks_like_personnummer(raw):
            self.errors.add(row, item.code, raw, PERSONNUMMER)
        elif not _INTEGER.fullmatch(text):
            self.errors.add(row, item.code, raw, "not an integer")
        else:
            return int(text)
        return INVALID

    def _check_other_columns(
        self, records: list[list[str]], rows: np.ndarray, cells: np.ndarray
    ) -> None:
        for column in self.layout.unknown + self.layout.unnamed:
            unnamed = column in self.layout.unnamed
            # Under a named column an integer cell cannot be a personnummer: look at the rest.
            suspect = cells[:, column] != MISSING if unnamed else cells[:, column] == INVALID
            for r in np.nonzero(suspect)[0].tolist():
                raw = records[r][column]
                if unnamed:
                    check_stray_cell(self.errors, int(rows[r]), raw)
                elif looks_like_personnummer(raw):
                    self.errors.add(int(rows[r]), None, raw, PERSONNUMMER)


def check_stray_cell(errors: ErrorList, row: int, raw: str) -> None:
    """A value outside the header's named columns is an error; a personnummer says so."""
    if looks_like_personnummer(raw):
        errors.add(row, None, raw, PERSONNUMMER)
    elif raw.strip():
        errors.add(row, None, raw, "a value in a column without header")


class TableReader:
    """Records of a table into the batch: the first record is the header, then respondents,
    each with exactly as many cells as the header."""

    def __init__(self, items: Sequence[ItemRule], batch: Batch) -> None:
        self.items = items
        self.batch = batch
        self.rows: TableRows | None = None

    def add(self, records: Records) -> None:
        rows, first_row = records.rows, records.first_row
        if self.rows is None:
            layout = read_header(self.header(rows[0]), self.items, self.batch.errors)
            self.rows = TableRows(layout, self.items, self.batch)
            rows, first_row = rows[1:], first_row + 1
        self.rows.add(self.fit(rows, first_row), first_row)

    def header(self, cells: list[str]) -> list[str]:
        return cells

    def fit(self, rows: list[list[str]], first_row: int) -> list[list[str]]:
        return rows


class SheetReader(TableReader):
    """A worksheet's rows end at their last value: the header is read up to its last name,
    and every row cut or padded to it (a value beyond it is an error)."""

    def header(self, cells: list[str]) -> list[str]:
        while cells and not cells[-1].strip():
            cells.pop()
        return cells

    def fit(self, rows: list[list[str]], first_row: int) -> list[list[str]]:
        assert self.rows is not None
        width = self.rows.layout.width
        for row, cells in enumerate(rows, start=first_row):
            for cell in cells[width:]:
                check_stray_cell(self.batch.errors, row, cell)
        return [cells[:width] + [""] * (width - len(cells)) for cells in rows]


class CsvTable:
    """A CSV body into the batch: feed it the body's chunks, then call `finish()`."""

    def __init__(self, items: Sequence[ItemRule], batch: Batch) -> None:
        self.csv = CsvReader()
        self.table = TableReader(items, batch)

    def feed(self, data: bytes) -> None:
        for records in self.csv.feed(data):
            self.table.add(records)

    def finish(self) -> None:
        for records in self.csv.finish():
            self.table.add(records)
        if self.table.rows is None:
            raise InvalidUpload(
                "The file is empty: it needs a header row and a row per respondent."
            )


def read_sheet(file: IO[bytes], items: Sequence[ItemRule], batch: Batch) -> None:
    """The first worksheet of an XLSX file into the batch (blocking)."""
    table = SheetReader(items, batch)
    with closing(xlsx_records(file)) as chunks:
        for records in chunks:
            table.add(records)
    if table.rows is None:
        raise InvalidUpload("The first worksheet is empty: it needs a header row.")
