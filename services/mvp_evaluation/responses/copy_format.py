"""PostgreSQL's binary COPY format for `response` rows, encoded with NumPy a chunk at a time.

Columns, in this order: wave_id int4, position int4, answers int2[], respondent varchar.
Each tuple: field count (int16), then per field its length (int32) and bytes; an array is
ndim, has-nulls flag, element type (int2), length, lower bound, then each element's length
(-1 for NULL) and value. Everything is big-endian.
"""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt

from services.mvp_evaluation.responses.batch import MISSING

COLUMNS = ["wave_id", "position", "answers", "respondent"]
HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
INT2_OID = 21
_HEAD = np.dtype(
    [
        ("fields", ">i2"),
        ("wave_size", ">i4"),
        ("wave", ">i4"),
        ("position_size", ">i4"),
        ("position", ">i4"),
        ("answers_size", ">i4"),
        ("ndim", ">i4"),
        ("has_null", ">i4"),
        ("element_type", ">i4"),
        ("length", ">i4"),
        ("lower_bound", ">i4"),
    ]
)
_ELEMENT = np.dtype([("size", ">i4"), ("value", ">i2")])


def encode(
    wave_id: int, first_position: int, codes: list[str], answers: npt.NDArray[np.int16]
) -> bytes:
    """The tuples of one chunk (no file header or trailer)."""
    m, k = answers.shape
    missing = answers == MISSING
    missing_per_row = missing.sum(axis=1)
    element_bytes = 6 * k - 2 * missing_per_row
    encoded = [code.encode() for code in codes]
    code_sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=m)

    head = np.zeros(m, dtype=_HEAD)
    head["fields"] = len(COLUMNS)
    head["wave_size"] = head["position_size"] = 4
    head["wave"] = wave_id
    head["position"] = np.arange(first_position, first_position + m)
    head["answers_size"] = 20 + element_bytes
    head["ndim"] = 1
    head["has_null"] = missing_per_row > 0
    head["element_type"] = INT2_OID
    head["length"] = k
    head["lower_bound"] = 1

    elements = np.zeros((m, k), dtype=_ELEMENT)
    elements["size"] = np.where(missing, -1, 2)
    elements["value"] = answers
    element_view = elements.view(np.uint8).reshape(m, k, _ELEMENT.itemsize)
    keep = np.ones(element_view.shape, dtype=bool)
    keep[:, :, 4:] = ~missing[:, :, None]  # a NULL element has its size only
    element_stream = element_view[keep]

    sizes = np.zeros(m, dtype=">i4")
    sizes[:] = code_sizes
    row_sizes = _HEAD.itemsize + element_bytes + 4 + code_sizes
    starts = np.zeros(m, dtype=np.int64)
    np.cumsum(row_sizes[:-1], out=starts[1:])
    out = np.empty(int(row_sizes.sum()), dtype=np.uint8)

    _scatter(out, starts, np.full(m, _HEAD.itemsize), head.view(np.uint8))
    element_starts = starts + _HEAD.itemsize
    _scatter(out, element_starts, element_bytes, element_stream)
    size_starts = element_starts + element_bytes
    _scatter(out, size_starts, np.full(m, 4), sizes.view(np.uint8))
    code_stream = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    _scatter(out, size_starts + 4, code_sizes, code_stream)
    return out.tobytes()


def _scatter(
    out: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    sizes: npt.NDArray[np.int64],
    stream: npt.NDArray[np.uint8],
) -> None:
    """Put consecutive runs of `stream` (of `sizes` bytes each) at `starts` in `out`."""
    if not len(stream):
        return
    run_starts = np.zeros(len(sizes), dtype=np.int64)
    np.cumsum(sizes[:-1], out=run_starts[1:])
    offsets = np.repeat(starts - run_starts, sizes)
    out[offsets + np.arange(len(stream))] = stream
