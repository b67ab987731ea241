"""Reading an import body: JSON `{"rows": [...]}`, or CSV as Swedish Excel writes it
(semicolon or comma, UTF-8 with or without BOM)."""

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from common.problems import InvalidInput, UnsupportedMediaType, invalid
from services.goals.imports.schemas import CSV_COLUMNS

REQUIRED_COLUMNS = ("county_code", "year", "period", "indicator_id")
JSON_TYPES = frozenset({"application/json"})
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})


@dataclass(frozen=True)
class RawRow:
    """One data row as given: its number (from 1), its fields, and whether it came as text."""

    number: int
    fields: Any
    from_csv: bool


def parse_body(content_type: str | None, body: bytes) -> list[RawRow]:
    """The rows of the body, by its Content-Type; 415 for another type, 422 for a bad body."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media in JSON_TYPES or media.endswith("+json"):
        return _json_rows(body)
    if media in CSV_TYPES:
        return _csv_rows(body)
    raise UnsupportedMediaType(f"Send application/json or text/csv, not {media}.")


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid(
            detail="The body is not UTF-8 text.", location="body", message=str(exc)
        ) from None


def _json_rows(body: bytes) -> list[RawRow]:
    try:
        document = json.loads(_text(body))
    except json.JSONDecodeError as exc:
        raise invalid(
            detail="The body is not valid JSON.", location="body", message=str(exc)
        ) from None
    rows = document.get("rows") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise invalid(
            detail='The body must be a JSON object {"rows": [...]}.',
            location="body.rows",
            message="a list of rows is required",
        )
    return [RawRow(number, fields, False) for number, fields in enumerate(rows, start=1)]


def _csv_rows(body: bytes) -> list[RawRow]:
    text = _text(body)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") and ";" in header else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = [name.strip().lower() for name in next(reader, [])]
    _check_columns(columns)
    rows: list[RawRow] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # Excel leaves empty lines at the end
        fields: dict[str, Any] = {
            name: cell.strip() or None for name, cell in zip(columns, cells, strict=False)
        }
        if len(cells) > len(columns):
            fields["_extra_cells"] = len(cells) - len(columns)
        rows.append(RawRow(len(rows) + 1, fields, True))
    return rows


def _check_columns(columns: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    errors = [
        {"location": "body.header", "message": f"column {name} is missing", "value": name}
        for name in missing
    ] + [
        {"location": "body.header", "message": f"column {name} is not known", "value": name}
        for name in unknown
    ]
    if errors:
        raise InvalidInput(
            f"The CSV header must have {', '.join(REQUIRED_COLUMNS)} and may have "
            f"value, numerator, denominator, text.",
            errors=errors,
        )
