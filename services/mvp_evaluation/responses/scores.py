"""Scale scores, computed once when a batch is stored and kept beside it (`ScaleScore`).

A respondent's score on a scale is the mean of the answered items of that scale in the wave's
instrument version, reverse items scored min + max − x, when at least half of them are
answered; else missing (NaN). The sum of the recoded answers is an exact integer, so the
score is that sum divided by the count, rounded once.

Each stored batch keeps, per scale and per part of a few thousand rows, its scores as float8
(big-endian, NaN for missing) in the batch's row order, and each row's respondent key: the
first 16 bytes of the SHA-256 of its code (UTF-8), so the pre and post waves of a pupil are
paired without reading the codes. The migration that made the table computes the same with
PostgreSQL's `sha256` and `float8send`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.mvp_evaluation.instruments.models import Item
from services.mvp_evaluation.responses.batch import MISSING

KEY_BYTES = 16
ROWS_PER_PART = 4096
SCORE_DTYPE = np.dtype(">f8")
Chunk = tuple[list[str], npt.NDArray[np.int16]]


@dataclass(frozen=True)
class Scale:
    """One scale of an instrument version: its items' columns, and how each is recoded."""

    code: str
    columns: list[int]  # 0-based positions in the answers
    reverse: npt.NDArray[np.bool_]
    reflect: npt.NDArray[np.int64]  # min + max of each item, for reverse items


def scales_of(items: Sequence[Item]) -> list[Scale]:
    """The instrument version's scales, in order of first appearance."""
    members: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda item: item.position):
        members.setdefault(item.scale, []).append(item)
    return [
        Scale(
            code=code,
            columns=[item.position - 1 for item in group],
            reverse=np.array([item.reverse for item in group], dtype=bool),
            reflect=np.array([item.min + item.max for item in group], dtype=np.int64),
        )
        for code, group in members.items()
    ]


def scale_scores(scale: Scale, answers: npt.NDArray[np.int16]) -> npt.NDArray[np.float64]:
    """The scale's score of each row (NaN where fewer than half its items are answered)."""
    values = answers[:, scale.columns].astype(np.int64)
    present = values != MISSING
    recoded = np.where(scale.reverse, scale.reflect - values, values)
    total = np.where(present, recoded, 0).sum(axis=1)
    answered = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = total.astype(np.float64) / answered
    return np.where(answered * 2 >= len(scale.columns), means, np.nan)


def respondent_keys(codes: Iterable[str]) -> bytes:
    """Each code's key: the first 16 bytes of the SHA-256 of its UTF-8 bytes."""
    return b"".join(hashlib.sha256(code.encode()).digest()[:KEY_BYTES] for code in codes)


@dataclass(frozen=True)
class Part:
    """Consecutive rows of a batch, from the one at wave position `position`, scored."""

    position: int
    keys: bytes
    scores: dict[str, bytes]


def parts(scales: Sequence[Scale], first_position: int, chunks: Iterable[Chunk]) -> Iterator[Part]:
    """The batch's rows scored, about `ROWS_PER_PART` rows at a time: memory stays small
    however large the batch, and effects read few rows."""
    position = first_position
    keys: list[bytes] = []
    scores: dict[str, list[bytes]] = {scale.code: [] for scale in scales}
    rows = 0
    for codes, answers in chunks:
        keys.append(respondent_keys(codes))
        for scale in scales:
            scores[scale.code].append(scale_scores(scale, answers).astype(SCORE_DTYPE).tobytes())
        rows += len(codes)
        if rows >= ROWS_PER_PART:
            yield Part(position, b"".join(keys), {code: b"".join(v) for code, v in scores.items()})
            position, rows, keys = position + rows, 0, []
            scores = {scale.code: [] for scale in scales}
    if rows:
        yield Part(position, b"".join(keys), {code: b"".join(v) for code, v in scores.items()})


def decode_scores(data: bytes) -> npt.NDArray[np.float64]:
    return np.frombuffer(data, dtype=SCORE_DTYPE).astype(np.float64)


def decode_keys(data: bytes) -> npt.NDArray[np.uint64]:
    """Respondent keys as rows of two 64-bit halves."""
    return np.frombuffer(data, dtype=">u8").reshape(-1, 2).astype(np.uint64)


def match(
    first: npt.NDArray[np.uint64], second: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The rows (i, j) with first[i] equal to second[j] (keys are unique within each side).

    Each side's leading halves sorted once and merged by a binary search in order, the
    trailing halves compared after; two keys of one side sharing a leading half (about one
    chance in 10^8 for a cohort of 400 000) take the sort of both halves instead."""
    order_first = np.argsort(first[:, 0])
    order_second = np.argsort(second[:, 0])
    leading_first, leading_second = first[order_first, 0], second[order_second, 0]
    if _repeats(leading_first) or _repeats(leading_second):
        return _match_whole(first, second)
    found = np.searchsorted(leading_first, leading_second)
    inside = found < len(leading_first)
    inside[inside] = leading_first[found[inside]] == leading_second[inside]
    left, right = order_first[found[inside]], order_second[inside]
    same = first[left, 1] == second[right, 1]
    return left[same], right[same]


def _repeats(ordered: npt.NDArray[np.uint64]) -> bool:
    return len(ordered) > 1 and bool((ordered[1:] == ordered[:-1]).any())


def _match_whole(
    first: npt.NDArray[np.uint64], second: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    keys = np.concatenate([first, second])
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    ordered = keys[order]
    same = (ordered[1:] == ordered[:-1]).all(axis=1)
    left, right = order[:-1][same], order[1:][same]
    across = (left < len(first)) & (right >= len(first))
    return left[across], right[across] - len(first)
