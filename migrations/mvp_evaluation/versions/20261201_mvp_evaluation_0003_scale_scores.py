"""Scale scores stored with each accepted batch (`scale_score`), computed for the batches
already stored.

Each row holds the scores of a part of a batch (here: the whole batch, from its first
position) on one scale (float8 big-endian, NaN where fewer than half
the scale's items are answered) and its respondents' keys (the first 16 bytes of the SHA-256
of each code), in the batch's row order: what `responses.scores` computes at ingest.

Revision ID: mvp_evaluation_0003
Revises: mvp_evaluation_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mvp_evaluation_0003"
down_revision: str | None = "mvp_evaluation_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The score as the ingestion computes it: the exact integer sum of the recoded answers
# divided by their count, rounded once.
BACKFILL = """
INSERT INTO mvp_evaluation.scale_score (import_id, scale, position, respondent_keys, scores)
SELECT b.id,
       s.scale,
       b.first_position,
       string_agg(substring(sha256(convert_to(r.respondent, 'UTF8')) FROM 1 FOR 16), ''::bytea
                  ORDER BY r.position),
       string_agg(float8send(coalesce(x.score, 'NaN'::float8)), ''::bytea ORDER BY r.position)
FROM mvp_evaluation.response_import AS b
JOIN mvp_evaluation.wave AS w ON w.id = b.wave_id
JOIN (SELECT DISTINCT instrument_id, scale FROM mvp_evaluation.item) AS s
    ON s.instrument_id = w.instrument_id
JOIN mvp_evaluation.response AS r
    ON r.wave_id = b.wave_id
    AND r.position >= b.first_position
    AND r.position < b.first_position + b.rows
CROSS JOIN LATERAL (
    SELECT CASE WHEN count(y.v) * 2 >= count(*) THEN sum(y.v)::float8 / count(y.v) END AS score
    FROM (
        SELECT CASE WHEN i.reverse THEN i.min + i.max - r.answers[i.position]
                    ELSE r.answers[i.position] END AS v
        FROM mvp_evaluation.item AS i
        WHERE i.instrument_id = w.instrument_id AND i.scale = s.scale
    ) AS y
) AS x
GROUP BY b.id, s.scale, b.first_position
"""


def upgrade() -> None:
    op.create_table(
        "scale_score",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("scale", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("respondent_keys", sa.LargeBinary(), nullable=False),
        sa.Column("scores", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "length(scores) = length(respondent_keys) / 2",
            name=op.f("ck_scale_score_lengths_agree"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["mvp_evaluation.response_import.id"],
            name=op.f("fk_scale_score_import_id_response_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "scale", "position", name=op.f("pk_scale_score")),
        schema="mvp_evaluation",
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("scale_score", schema="mvp_evaluation")
