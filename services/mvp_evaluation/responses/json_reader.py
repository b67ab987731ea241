"""JSON `{"responses": [{"respondent": "A017", "answers": {"att1": 3}}, ...]}`, read as it
streams in: each element of `responses` is decoded on its own and handed to the batch in
chunks, so the whole document is never held at once. Row numbers are positions in
`responses`, from 1.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from common.reference import looks_like_personnummer
from services.mvp_evaluation.problems import InvalidUpload
from services.mvp_evaluation.responses.batch import INVALID, MISSING, Batch, ItemRule
from services.mvp_evaluation.responses.tabular import PERSONNUMMER

CHUNK_ROWS = 2000
SLICE_BYTES = 256 * 1024
MAX_ELEMENT = 1024 * 1024
_OPENING = re.compile(r'\s*\{\s*"responses"\s*:\s*\[')
_NOT_SPACE = re.compile(r"\S")
_SHAPE = 'The body must be {"responses": [{"respondent": "...", "answers": {"item": 3}}, ...]}.'
_FIELDS = {"respondent", "answers"}


def _skip_space(text: str, position: int) -> int:
    """The position of the first character at or after `position` that is not white space."""
    found = _NOT_SPACE.search(text, position)
    return len(text) if found is None else found.start()


class JsonReader:
    """Feed it the body's chunks, then call `finish()`."""

    def __init__(self, items: Sequence[ItemRule], batch: Batch) -> None:
        self.items = items
        self.batch = batch
        self.errors = batch.errors
        self.index = {item.code: i for i, item in enumerate(items)}
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._json = json.JSONDecoder()
        self._text = ""
        self._opened = False
        self._closed = False
        self._after_comma = False
        self._row = 0
        self._rows: list[int] = []
        self._respondents: list[str] = []
        self._answers: list[list[int]] = []

    def feed(self, data: bytes) -> None:
        for start in range(0, len(data), SLICE_BYTES):
            try:
                self._text += self._decoder.decode(data[start : start + SLICE_BYTES], False)
            except UnicodeDecodeError:
                raise InvalidUpload("The JSON body is not UTF-8.") from None
            if self._closed and self._text.strip():
                raise InvalidUpload(f"Malformed JSON after the responses. {_SHAPE}")
            self._consume(final=False)

    def finish(self) -> None:
        try:
            self._text += self._decoder.decode(b"", True)
        except UnicodeDecodeError:
            raise InvalidUpload("The JSON body is not UTF-8.") from None
        self._consume(final=True)
        if not self._closed or self._text.strip():
            raise InvalidUpload(f"The JSON body is incomplete or malformed. {_SHAPE}")
        self._flush()

    def _consume(self, *, final: bool) -> None:
        if not self._opened:
            text = self._text.removeprefix("\ufeff")
            match = _OPENING.match(text)
            if match is None:
                if final or len(text) > 1024 or (text.strip() and text.lstrip()[0] != "{"):
                    raise InvalidUpload(f"Malformed JSON body. {_SHAPE}")
                return
            self._opened, self._text = True, text[match.end() :]
        position = 0
        while not self._closed:
            position = _skip_space(self._text, position)
            if position >= len(self._text):
                break
            if self._text[position] == "]":
                if self._after_comma:
                    raise InvalidUpload(f"Malformed JSON: a comma before ]. {_SHAPE}")
                self._close(position, final)
                return
            try:
                element, end = self._json.raw_decode(self._text, position)
            except json.JSONDecodeError:
                if final or len(self._text) - position > MAX_ELEMENT:
                    raise InvalidUpload(
                        f"Malformed JSON in response {self._row + 1}. {_SHAPE}"
                    ) from None
                break
            after = _skip_space(self._text, end)
            if after >= len(self._text) and not final:
                break  # the element may go on (a number cut short): wait for more
            if self._text[after : after + 1] not in {",", "]"}:
                raise InvalidUpload(f"Malformed JSON after response {self._row + 1}. {_SHAPE}")
            self._row += 1
            self._element(element)
            self._after_comma = self._text[after] == ","
            position = after + 1 if self._after_comma else after
        self._text = self._text[position:]

    def _close(self, position: int, final: bool) -> None:
        """`position` is at the `]` that ends the responses; a `}` and nothing else follow."""
        rest = self._text[position + 1 :].lstrip()
        if not rest and not final:
            self._text = self._text[position:]  # wait for the closing brace
            return
        if not rest.startswith("}") or rest[1:].strip():
            raise InvalidUpload(f"Malformed JSON after the responses. {_SHAPE}")
        self._closed, self._text = True, ""

    def _element(self, element: Any) -> None:
        row = self._row
        if not isinstance(element, dict):
            self.errors.add(row, None, None, "each response must be an object")
            return
        for field in element.keys() - _FIELDS:
            self.errors.add(row, field, None, "unknown field: a response has respondent, answers")
        answers = element.get("answers", {})
        values = [MISSING] * len(self.items)
        if isinstance(answers, dict):
            for code, value in answers.items():
                self._answer(row, code, value, values)
        else:
            self.errors.add(row, "answers", None, "answers must be an object of item: value")
        respondent = element.get("respondent")
        if not isinstance(respondent, str):
            self.errors.add(row, "respondent", respondent, "the respondent must be a string code")
            return
        self._rows.append(row)
        self._respondents.append(respondent.strip())
        self._answers.append(values)
        if len(self._rows) >= CHUNK_ROWS:
            self._flush()

    def _answer(self, row: int, code: str, value: Any, values: list[int]) -> None:
        index = self.index.get(code)
        if index is None:
            self.errors.add(row, code, value, "unknown item")
            return
        if value is None:
            return
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 1 << 30:
            values[index] = value  # the batch checks the item's range
            return
        values[index] = INVALID
        item = self.items[index]
        if looks_like_personnummer(str(value)):
            self.errors.add(row, code, value, PERSONNUMMER)
        elif isinstance(value, int) and not isinstance(value, bool):
            self.errors.add(row, code, value, f"outside the item's range {item.min}–{item.max}")
        else:
            self.errors.add(row, code, value, "must be an integer")

    def _flush(self) -> None:
        if not self._rows:
            return
        rows = np.array(self._rows, dtype=np.int64)
        answers = np.array(self._answers, dtype=np.int32).reshape(len(self._rows), len(self.items))
        self.batch.add(rows, self._respondents, answers)
        self._rows, self._respondents, self._answers = [], [], []
