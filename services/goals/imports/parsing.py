"""Reading an import body: JSON `{"rows": [...]}`, or CSV as Swedish Excel writes it
(semicolon or comma, UTF-8 with or without BOM), read by `common.tables` as it streams in."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from common.problems import InvalidInput, UnsupportedMediaType, field_error, invalid, invalid_many
from common.tables import CsvReader, NotUtf8, UnreadableTable
from common.uploads import LimitedBody
from services.goals.imports.schemas import CSV_COLUMNS

REQUIRED_COLUMNS = ("county_code", "year", "period", "indicator_id")
JSON_TYPES = frozenset({"application/json"})
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
NOT_UTF8 = "The body is not UTF-8 text."


@dataclass(frozen=True)
class RawRow:
    """One data row as given: its number (from 1), its fields, and whether it came as text."""

    number: int
    fields: Any
    from_csv: bool


async def read_rows(content_type: str | None, body: LimitedBody) -> list[RawRow]:
    """The rows of the body, by its Content-Type; 415 for another type, 422 for a bad body."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media in JSON_TYPES or media.endswith("+json"):
        return _json_rows(await body.read())
    if media in CSV_TYPES:
        return await _csv_rows(body.chunks())
    raise UnsupportedMediaType(f"Send application/json or text/csv, not {media}.")


def _json_rows(body: bytes) -> list[RawRow]:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise invalid("body", str(exc), detail=NOT_UTF8) from None
    except json.JSONDecodeError as exc:
        raise invalid("body", str(exc), detail="The body is not valid JSON.") from None
    rows = document.get("rows") if isinstance(document, dict) else None
    others = sorted(set(document) - {"rows"}) if isinstance(document, dict) else []
    if others:
        raise invalid_many(
            [field_error(f"body.{name}", "not a field of an import", None) for name in others],
            detail='The body must be a JSON object {"rows": [...]} and nothing else.',
        )
    if not isinstance(rows, list):
        raise invalid(
            "body.rows",
            "a list of rows is required",
            detail='The body must be a JSON object {"rows": [...]}.',
        )
    return [RawRow(number, fields, False) for number, fields in enumerate(rows, start=1)]


class CsvRows:
    """The records of a CSV: the first is the header, each later one not blank is a row."""

    def __init__(self) -> None:
        self.columns: list[str] | None = None
        self.rows: list[RawRow] = []

    def add(self, records: list[list[str]]) -> None:
        if self.columns is None:
            self.header(records[0])
            records = records[1:]
        for cells in records:
            if any(cell.strip() for cell in cells):  # Excel leaves empty lines at the end
                self.rows.append(RawRow(len(self.rows) + 1, self.fields(cells), True))

    def header(self, cells: list[str]) -> None:
        self.columns = [name.strip().lower() for name in cells]
        _check_columns(self.columns)

    def fields(self, cells: list[str]) -> dict[str, Any]:
        columns = self.columns or []
        fields: dict[str, Any] = {
            name: cell.strip() or None for name, cell in zip(columns, cells, strict=False)
        }
        if len(cells) > len(columns):
            fields["_extra_cells"] = len(cells) - len(columns)
        return fields


async def _csv_rows(chunks: AsyncIterator[bytes]) -> list[RawRow]:
    reader, table = CsvReader(), CsvRows()
    try:
        async for chunk in chunks:
            for records in reader.feed(chunk):
                table.add(records.rows)
        for records in reader.finish():
            table.add(records.rows)
    except NotUtf8 as exc:
        raise invalid("body", exc.reason, detail=NOT_UTF8) from None
    except UnreadableTable as exc:
        raise invalid("body", exc.detail, detail="The body is not a readable CSV.") from None
    if table.columns is None:
        table.header([])  # an empty body: every required column is missing
    return table.rows


def _check_columns(columns: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    errors = [field_error("body.header", f"column {name} is missing", name) for name in missing] + [
        field_error("body.header", f"column {name} is not known", name) for name in unknown
    ]
    if errors:
        raise InvalidInput(
            f"The CSV header must have {', '.join(REQUIRED_COLUMNS)} and may have "
            f"value, numerator, denominator, text.",
            errors=errors,
        )
