"""Scale scores stored with each accepted batch: equal to the scores recomputed from the
stored answers, one row per batch and scale, and what the migration computes for batches
stored before it is the same, byte for byte."""

from __future__ import annotations

import hashlib
import importlib.util
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.mvp_evaluation.support import Survey, csv_text, key
from tests.support import Schema

ROOT = Path(__file__).resolve().parents[3]
MIGRATION = ROOT / "migrations/mvp_evaluation/versions/20261201_mvp_evaluation_0003_scale_scores.py"
# `attityd`: q1–q4 answered 1–5, q2 reversed; `ingripande`: q5–q7 answered 0–4, q7 reversed.
ITEMS: list[dict[str, Any]] = [
    {
        "code": f"q{i}",
        "text": f"Påstående {i}",
        "min": 0 if i > 4 else 1,
        "max": 4 if i > 4 else 5,
        "reverse": i in (2, 7),
        "scale": "ingripande" if i > 4 else "attityd",
    }
    for i in range(1, 8)
]
CODES = [item["code"] for item in ITEMS]
FIRST: list[tuple[str, list[int | None]]] = [
    ("A1", [1, 5, 3, 2, 0, 4, 4]),
    ("A2", [None, None, 3, 4, 1, None, None]),  # attityd 2 of 4 answered: a score
    ("A3", [5, None, None, None, None, None, 2]),  # 1 of 4 and 1 of 3: no scores
    ("Ö-4", [2, 2, 2, 2, 3, 3, 3]),
]
SECOND: list[tuple[str, list[int | None]]] = [
    ("B1", [4, 1, None, 5, None, 2, 0]),
    ("B2", [3, 3, 3, 3, 4, 4, 4]),
]
# The score as DESIGN.md defines it, from the stored answers (the formula effects used to
# compute on every request).
RECOMPUTED = """
SELECT r.wave_id, r.position, i.scale,
       CASE WHEN count(v.v) * 2 >= count(*) THEN avg(v.v)::float8 END
FROM mvp_evaluation.response AS r
JOIN mvp_evaluation.wave AS w ON w.id = r.wave_id
JOIN mvp_evaluation.item AS i ON i.instrument_id = w.instrument_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN i.reverse THEN i.min + i.max - r.answers[i.position]
                ELSE r.answers[i.position] END AS v
) AS v
GROUP BY r.wave_id, r.position, i.scale
"""


BACKFILLED = """
SELECT b.wave_id, f.position, f.scale, f.respondent_keys, f.scores
FROM ({select}) AS f (import_id, scale, position, respondent_keys, scores)
JOIN mvp_evaluation.response_import AS b ON b.id = f.import_id
ORDER BY b.wave_id, f.position, f.scale
"""


def digest(code: str) -> bytes:
    return hashlib.sha256(code.encode()).digest()[:16]


async def stored(schema: Schema) -> list[tuple[Any, ...]]:
    """(wave, first position, scale, keys, scores) of every stored part and scale."""
    return await schema.rows(
        "SELECT b.wave_id, s.position, s.scale, s.respondent_keys, s.scores "
        "FROM mvp_evaluation.scale_score AS s "
        "JOIN mvp_evaluation.response_import AS b ON b.id = s.import_id "
        "ORDER BY b.wave_id, s.position, s.scale"
    )


async def two_batches(survey: Survey) -> int:
    await survey.instrument(item_list=ITEMS)
    wave = await survey.wave(await survey.school())
    assert (await survey.post(wave, csv_text(FIRST, CODES))).status_code == 201
    body = [
        {"respondent": code, "answers": dict(zip(CODES, answers, strict=True))}
        for code, answers in SECOND
    ]
    assert (await survey.post_json(wave, body)).status_code == 201
    return wave


def backfill_select() -> str:
    """The SELECT of the migration's backfill."""
    spec = importlib.util.spec_from_file_location("scale_scores_migration", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backfill: str = module.BACKFILL
    return backfill[backfill.index("SELECT") :]


class TestStoredAtIngest:
    async def test_each_batch_keeps_each_scales_scores_equal_to_recomputed_ones(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await two_batches(survey)

        rows = await stored(schema)
        recomputed = {(row[0], row[1], row[2]): row[3] for row in await schema.rows(RECOMPUTED)}

        assert [(row[0], row[1], row[2]) for row in rows] == [
            (wave, 1, "attityd"),
            (wave, 1, "ingripande"),
            (wave, 5, "attityd"),
            (wave, 5, "ingripande"),
        ]
        for wave_id, first, scale, keys, scores in rows:
            batch = FIRST if first == 1 else SECOND
            assert keys == b"".join(digest(code) for code, _ in batch)
            values = np.frombuffer(scores, dtype=">f8")
            assert len(values) == len(batch)
            for offset, value in enumerate(values.tolist()):
                expected = recomputed[(wave_id, first + offset, scale)]
                if expected is None:
                    assert math.isnan(value)
                else:
                    assert value == pytest.approx(expected, rel=1e-15)

    async def test_missing_scores_follow_the_half_rule(
        self, survey: Survey, schema: Schema
    ) -> None:
        await two_batches(survey)

        first = {row[2]: np.frombuffer(row[4], ">f8") for row in (await stored(schema))[:2]}

        # A1: attityd (1 + (6 − 5) + 3 + 2) / 4; ingripande (0 + 4 + (4 − 4)) / 3.
        assert first["attityd"][0] == 7 / 4
        assert first["ingripande"][0] == 4 / 3
        assert first["attityd"][1] == 3.5  # two of four answered
        assert math.isnan(first["ingripande"][1])  # one of three answered
        assert math.isnan(first["attityd"][2])
        assert math.isnan(first["ingripande"][2])

    async def test_a_dry_run_and_a_refused_batch_store_no_scores(
        self, survey: Survey, schema: Schema
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        wave = await survey.wave(await survey.school())

        dry = await survey.post(wave, csv_text(FIRST, CODES), dry_run=True)
        refused = await survey.post(wave, csv_text([*FIRST, ("A1", [9] * 7)], CODES))

        assert (dry.status_code, refused.status_code) == (200, 422)
        assert await schema.count("scale_score") == 0

    async def test_a_replayed_upload_stores_its_scores_once(
        self, survey: Survey, schema: Schema
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        wave = await survey.wave(await survey.school())
        headers = key()

        first = await survey.post(wave, csv_text(FIRST, CODES), headers=headers)
        again = await survey.post(wave, csv_text(FIRST, CODES), headers=headers)

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert await schema.count("scale_score") == 2


class TestMigrationBackfill:
    async def test_the_backfill_computes_what_the_ingestion_stored(
        self, survey: Survey, schema: Schema
    ) -> None:
        await two_batches(survey)

        backfilled = await schema.rows(BACKFILLED.format(select=backfill_select()))

        assert backfilled == await stored(schema)
