"""The programme's goals: the agreement goals A1–A3 and the kvinnofrid goals K1–K5.

Titles in Swedish as in the seeds (`skr-overenskommelse-2019-12-04.txt` for A1–A3,
`skl-kvinnofridssatsning-2019-02-06.txt` for K1–K5), with an English translation. The rows
are written here, as data, so that the catalogue is the same wherever the schema is made.

Revision ID: goals_0003
Revises: goals_0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "goals_0003"
down_revision: str | None = "goals_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the table as this revision knows it, so later model changes cannot alter
# what this migration writes.
goal = sa.table(
    "goal",
    sa.column("code", sa.String),
    sa.column("title", sa.String),
    sa.column("title_en", sa.String),
    sa.column("kind", sa.String),
    schema="goals",
)

GOALS: tuple[tuple[str, str, str, str], ...] = (
    (
        "A1",
        "agreement",
        "Stärka och utveckla samverkan på det jämställdhetspolitiska området mellan staten, "
        "SKR, kommuner och regioner",
        "Strengthen and develop collaboration on gender-equality policy between the state, "
        "SKR, municipalities and regions",
    ),
    (
        "A2",
        "agreement",
        "Stärka och utveckla jämställdhetsarbetet hos kommuner och regioner i förhållande till "
        "de jämställdhetspolitiska delmålen",
        "Strengthen and develop gender-equality work in municipalities and regions towards the "
        "national gender-equality sub-goals",
    ),
    (
        "A3",
        "agreement",
        "Stärka och utveckla kvinnofridsarbetet i kommuner och regioner utifrån den nationella "
        "strategin för att förebygga och bekämpa mäns våld mot kvinnor och våld i nära "
        "relationer",
        "Strengthen and develop work against men's violence against women in municipalities "
        "and regions, following the national strategy to prevent and combat men's violence "
        "against women and domestic violence",
    ),
    (
        "K1",
        "kvinnofrid",
        "Stärkt samverkan på lokal, regional och nationell nivå",
        "Stronger collaboration at local, regional and national level",
    ),
    (
        "K2",
        "kvinnofrid",
        "Bättre systematisk uppföljning och analys",
        "Better systematic follow-up and analysis",
    ),
    (
        "K3",
        "kvinnofrid",
        "Stärkt kvinnofridsarbete i socialtjänsten",
        "Stronger work against men's violence against women in the social services",
    ),
    (
        "K4",
        "kvinnofrid",
        "Stärkt kvinnofridsarbete i hälso- och sjukvården",
        "Stronger work against men's violence against women in health care",
    ),
    (
        "K5",
        "kvinnofrid",
        "Stärkt våldsförebyggande arbete med fokus förskola och skola",
        "Stronger violence prevention with a focus on preschool and school",
    ),
)


def upgrade() -> None:
    op.bulk_insert(
        goal,
        [
            {"code": code, "kind": kind, "title": title, "title_en": title_en}
            for code, kind, title, title_en in GOALS
        ],
    )


def downgrade() -> None:
    op.execute(goal.delete().where(goal.c.code.in_([code for code, *_ in GOALS])))
