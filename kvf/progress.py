"""A file read for an upload, counted on a progress bar when someone is watching.

The bar (tqdm: bytes, rate, time left) goes to stderr and only when stderr is a terminal, so
a script or a pipe gets exactly the command's output and nothing else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Any

CHUNK = 1 << 16


class ProgressReader:
    """`file`, read in chunks as httpx streams it, each chunk counted on `bar`.

    `fileno()` is the file's, so httpx sends its size as Content-Length instead of chunking.
    """

    def __init__(self, file: IO[bytes], bar: Any | None) -> None:
        self.file = file
        self.bar = bar

    def read(self, size: int = CHUNK) -> bytes:
        chunk = self.file.read(size)
        if self.bar is not None and chunk:
            self.bar.update(len(chunk))
        return chunk

    def fileno(self) -> int:
        return self.file.fileno()

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK):
            yield chunk


def _shape() -> dict[str, int]:
    """tqdm's `ncols` and `nrows` where the terminal reports no size (a new pseudo-terminal,
    `docker exec -t`): tqdm would then draw nothing. Otherwise tqdm asks the terminal itself."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):
        size = os.terminal_size((0, 0))
    return {} if size.columns > 0 and size.lines > 0 else {"ncols": 80, "nrows": 24}


class UploadProgress:
    """A context giving a `ProgressReader` of `file`, with a bar of `total` bytes on a
    terminal, closed (left on screen at its final count) when the block ends."""

    def __init__(self, file: IO[bytes], *, total: int, label: str) -> None:
        self.file, self.total, self.label = file, total, label
        self.bar: Any | None = None

    def __enter__(self) -> ProgressReader:
        if sys.stderr.isatty():
            # Imported only here: without a terminal tqdm is not needed. It ships no types.
            from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

            self.bar = tqdm(
                total=self.total,
                desc=self.label,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                leave=True,
                **_shape(),
            )
        return ProgressReader(self.file, self.bar)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.close()
