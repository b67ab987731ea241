"""One batch of responses: validated chunk by chunk, kept compactly, written all at once.

Readers (CSV, JSON, XLSX) turn the body into chunks of rows: each row's number in the file,
its respondent code and its answers as integers in the instrument's item order, with
`MISSING` for a blank answer and `INVALID` for a cell the reader has already reported. The
batch checks the ranges and the respondent codes, finds repeated respondents, and keeps the
rows in a temporary file (16 bits per answer) until the whole batch has been read, so the
memory it holds does not grow with the body: 12 bytes per row (a hash and a row number, to
find repeated respondents; 20 while they are sought), besides one chunk and the spool's
first `SPOOL_IN_MEMORY` bytes.
"""

from __future__ import annotations

import operator
import re
import struct
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from common.problems import InvalidInput
from common.reference import looks_like_personnummer
from services.mvp_evaluation.problems import TooManyRows

MISSING = -32768  # a blank answer; NULL in the answers array
INVALID = -32767  # a cell that is not an integer; its error is already recorded
MAX_LISTED_ERRORS = 1000
REDACTED = "[redacted]"
SPOOL_IN_MEMORY = 1 << 20  # the spool moves to disk beyond this

# A respondent code: a letter or digit, then up to 63 letters, digits or . _ - : /
_CODE = r"[^\W_][\w.\-:/]{0,63}"
RESPONDENT_CODE = re.compile(_CODE)
_CODES = re.compile(rf"{_CODE}(?:\n{_CODE})*")
_CHUNK_HEADER = struct.Struct("<III")
_INVALID_HASH = -(1 << 62)  # minus the row's index: an invalid code's hash, never repeated

Answers = npt.NDArray[np.int32]


@dataclass(frozen=True)
class ItemRule:
    """An item as the batch checks it: its code, and its answer range."""

    code: str
    min: int
    max: int


def redact(value: Any) -> Any:
    """The value as an error may show it: never anything that looks like a personnummer."""
    if value is None or isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else str(value)
    if looks_like_personnummer(text):
        return REDACTED
    if isinstance(value, str) and len(value) > 100:
        return value[:100] + "…"
    return value


class ErrorList:
    """Row errors: every one counted, the first `MAX_LISTED_ERRORS` kept."""

    def __init__(self, limit: int = MAX_LISTED_ERRORS) -> None:
        self.limit = limit
        self.count = 0
        self.listed: list[dict[str, Any]] = []

    def add(self, row: int | None, field: str | None, value: Any, message: str) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(
                {"row": row, "field": redact(field), "value": redact(value), "message": message}
            )

    def sorted(self) -> list[dict[str, Any]]:
        return sorted(self.listed, key=lambda error: error["row"] or 0)

    def __bool__(self) -> bool:
        return self.count > 0


class Batch:
    """The rows of one upload, checked and spooled; see the module's docstring."""

    def __init__(self, items: Sequence[ItemRule], *, max_rows: int) -> None:
        self.items = list(items)
        self.max_rows = max_rows
        self.errors = ErrorList()
        self.count = 0
        self._mins = np.array([item.min for item in items], dtype=np.int32)
        self._maxs = np.array([item.max for item in items], dtype=np.int32)
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115  # closed by close()
        # Per row, for finding repeated respondents: its number in the file and a hash of
        # its code (an invalid code gets a hash of its own, never a repeat).
        self._rows: list[npt.NDArray[np.int32]] = []
        self._hashes: list[npt.NDArray[np.int64]] = []
        self._existing: set[str] = set()

    def close(self) -> None:
        self._spool.close()

    def add(self, rows: npt.NDArray[np.int64], respondents: list[str], answers: Answers) -> None:
        """Check one chunk of rows and keep it."""
        m = len(respondents)
        if m == 0:
            return
        if self.count + m > self.max_rows:
            raise TooManyRows(
                f"A batch may hold at most {self.max_rows} respondents; split the file."
            )
        self._check_ranges(rows, answers)
        codes = self._check_respondents(rows, respondents)
        hashes = np.fromiter(map(hash, codes), dtype=np.int64, count=m)
        invalid = np.fromiter(map(operator.not_, codes), dtype=bool, count=m)
        if invalid.any():
            unique = _INVALID_HASH - np.arange(self.count, self.count + m, dtype=np.int64)
            hashes[invalid] = unique[invalid]
        self._rows.append(rows.astype(np.int32))
        self._hashes.append(hashes)
        blob = "\n".join(codes).encode()
        values = answers.astype(np.int16)
        self._spool.write(_CHUNK_HEADER.pack(m, values.shape[1], len(blob)))
        self._spool.write(values.tobytes())
        self._spool.write(blob)
        self.count += m

    def _check_ranges(self, rows: npt.NDArray[np.int64], answers: Answers) -> None:
        given = (answers != MISSING) & (answers != INVALID)
        outside = given & ((answers < self._mins) | (answers > self._maxs))
        for r, j in zip(*np.nonzero(outside), strict=True):
            item = self.items[j]
            self.errors.add(
                int(rows[r]),
                item.code,
                int(answers[r, j]),
                f"{answers[r, j]} is outside the item's range {item.min}–{item.max}",
            )

    def _check_respondents(self, rows: npt.NDArray[np.int64], codes: list[str]) -> list[str]:
        """The codes, with each invalid one (now reported) replaced by ''."""
        blob = "\n".join(codes)
        one_per_line = blob.count("\n") == len(codes) - 1
        if one_per_line and _CODES.fullmatch(blob) and not looks_like_personnummer(blob):
            return codes
        checked = []
        for row, code in zip(rows.tolist(), codes, strict=True):
            message = respondent_problem(code)
            if message is not None:
                self.errors.add(row, "respondent", code, message)
                code = ""
            checked.append(code)
        return checked

    def _all(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Every row's number and code hash, each joined into one array (once)."""
        if len(self._rows) != 1:
            self._rows = [np.concatenate(self._rows) if self._rows else np.zeros(0, np.int32)]
            self._hashes = [np.concatenate(self._hashes) if self._hashes else np.zeros(0, np.int64)]
        return self._rows[0], self._hashes[0]

    def code_hashes(self) -> npt.NDArray[np.int64]:
        """Each row's respondent code as its hash (an invalid code: one of its own)."""
        return self._all()[1]

    def finish(self) -> None:
        """Report respondents that appear more than once in the batch."""
        rows, hashes = self._all()
        ordered = np.sort(hashes)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        del ordered
        if not len(repeated):
            return
        candidates = np.nonzero(np.isin(hashes, repeated))[0].tolist()
        codes = self.codes_at(candidates)
        first: dict[str, int] = {}
        for index in candidates:
            code = codes[index]
            if code in first:
                self.errors.add(
                    int(rows[index]),
                    "respondent",
                    code,
                    f"the respondent appears more than once in the batch "
                    f"(first in row {int(rows[first[code]])})",
                )
            elif code:
                first[code] = index

    def note_existing(self, codes: Sequence[str]) -> None:
        """Remember which of these codes, already in the wave, the batch also has."""
        _, hashes = self._all()
        if not len(codes) or not len(hashes):
            return
        found = np.fromiter(map(hash, codes), dtype=np.int64, count=len(codes))
        hits = np.isin(found, hashes)
        self._existing.update(codes[i] for i in np.nonzero(hits)[0].tolist())

    def report_existing(self) -> None:
        """Report the rows whose respondent is already in the wave."""
        if not self._existing:
            return
        rows, hashes = self._all()
        wanted = np.fromiter(map(hash, self._existing), dtype=np.int64, count=len(self._existing))
        candidates = np.nonzero(np.isin(hashes, wanted))[0].tolist()
        codes = self.codes_at(candidates)
        for index in candidates:
            if codes[index] in self._existing:
                self.errors.add(
                    int(rows[index]),
                    "respondent",
                    codes[index],
                    "the respondent already has answers in this wave",
                )

    def _chunks(self) -> Iterator[tuple[list[str], npt.NDArray[np.int16]]]:
        self._spool.seek(0)
        while header := self._spool.read(_CHUNK_HEADER.size):
            m, k, blob_size = _CHUNK_HEADER.unpack(header)
            values = np.frombuffer(self._spool.read(m * k * 2), dtype=np.int16).reshape(m, k)
            codes = self._spool.read(blob_size).decode().split("\n")
            yield codes, values

    def chunks(self) -> Iterator[tuple[list[str], npt.NDArray[np.int16]]]:
        """The kept rows, chunk by chunk: respondent codes and answers (int16, MISSING)."""
        return self._chunks()

    def codes_at(self, indexes: Iterable[int]) -> dict[int, str]:
        """The respondent codes of these rows of the batch (0-based), read back from the spool."""
        wanted = sorted(set(indexes))
        found: dict[int, str] = {}
        start = 0
        position = 0
        for codes, _ in self._chunks():
            end = start + len(codes)
            while position < len(wanted) and wanted[position] < end:
                found[wanted[position]] = codes[wanted[position] - start]
                position += 1
            start = end
            if position == len(wanted):
                break
        return found


def respondent_problem(code: str) -> str | None:
    """Why a respondent code is refused, or None when it is a valid pseudonym."""
    if looks_like_personnummer(code):
        return "looks like a personnummer; respondent codes must be pseudonyms"
    if not code:
        return "the respondent code is missing"
    if not RESPONDENT_CODE.fullmatch(code):
        return (
            "a respondent code is 1–64 letters, digits and . _ - : /, starting with a letter "
            "or digit"
        )
    return None


def rows_invalid(errors: ErrorList) -> InvalidInput:
    """The 422 for a batch with bad rows: every error counted, the first ones listed."""
    listed = errors.sorted()
    more = f" The first {len(listed)} are listed." if errors.count > len(listed) else ""
    return InvalidInput(
        f"{errors.count} error(s) in the batch; nothing was stored.{more}",
        errors=listed,
        error_count=errors.count,
    )
