"""CSV as the system writes it: safe to open in a spreadsheet, and readable by Swedish Excel.

Every text cell that a spreadsheet would take for a formula (it begins with `=`, `+`, `-`, `@`,
a tab or a carriage return) is written with a leading `'`, always: the file may be opened in
Excel whatever it was asked for. Numbers stay numbers. In the Excel variant (semicolons, a
UTF-8 BOM), a code of digits with a leading zero (county `01`, municipality `0180`) is written
as `="01"`, so that Excel keeps it as text instead of reading the number 1, and an exact
decimal (kronor) is written with a decimal comma, as Swedish Excel reads numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def cell(value: object, *, excel: bool = False) -> object:
    """One cell as it is written: blank for None, numbers as they are, text made safe."""
    if value is None:
        return ""
    if isinstance(value, Decimal):  # an exact amount (kronor): a decimal comma for Excel
        return str(value).replace(".", ",") if excel else str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return f"'{text}"
    if excel and len(text) > 1 and text.isdigit() and text.startswith("0"):
        return f'="{text}"'
    return text


def lines(rows: Iterable[Sequence[object]], *, excel: bool = False, delimiter: str = ",") -> str:
    """Rows as CSV lines (CRLF), every cell made safe; Excel's variant uses semicolons."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else delimiter, lineterminator="\r\n")
    writer.writerows([cell(value, excel=excel) for value in row] for row in rows)
    return out.getvalue()


def document(rows: Iterable[Sequence[object]], *, excel: bool = False) -> bytes:
    """A whole CSV file in UTF-8; for Excel with semicolons and a BOM."""
    return ((BOM if excel else "") + lines(rows, excel=excel)).encode("utf-8")
