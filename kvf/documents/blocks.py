"""The pieces a document is made of, as plain dicts both templates lay out: headings,
paragraphs, notices, tables with their notes, and charts as inline SVG."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kvf.documents.formatting import DASH

Block = dict[str, Any]

SMALL_CELL = "¹"
GROUP = "²"
NOT_APPROVED = "³"
SCHOOL_HIDDEN = "⁴"
NOTES = {
    SMALL_CELL: "¹ Dolt: färre svarande än gränsen för små tal (som standard 10). / "
    "Suppressed: fewer respondents than the small-cell limit (10 by default).",
    GROUP: "² Dolt: bygger på färre svarande än gränsen, eller skulle genom subtraktion visa "
    "en enskild dold skolas resultat. / Suppressed: from fewer respondents than the limit, "
    "or it would reveal one hidden school's result by subtraction.",
    NOT_APPROVED: "³ Visas inte i den publika versionen: inte en godkänd uppgift. / "
    "Not shown in the public version: not an approved figure.",
    SCHOOL_HIDDEN: "⁴ Enskilda skolors resultat visas inte: en läsare ser bara sammanvägda "
    "uppgifter, en skolhuvudman bara sina egna skolors. / Single schools' results are not "
    "shown: a reader sees pooled figures only, an organiser its own schools only.",
}


def hidden(mark: str) -> str:
    """The dash of a figure the API suppressed, with the mark of its footnote."""
    return f"{DASH}{mark}"


def heading(swedish: str, english: str) -> Block:
    return {"kind": "heading", "sv": swedish, "en": english}


def text(*sentences: str) -> Block:
    return {"kind": "text", "text": " ".join(sentences)}


def notice(swedish: str, english: str) -> Block:
    """A framed statement: a part not public, no data yet."""
    return {"kind": "notice", "text": f"{swedish} / {english}"}


def not_public(what_sv: str, what_en: str) -> Block:
    return notice(
        f"{what_sv} är inte publika uppgifter och visas bara i den interna versionen.",
        f"{what_en} are not public and are shown in the internal version only.",
    )


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric_from: int = 1,
    total: bool = False,
) -> Block:
    """A table: columns from `numeric_from` on are right-aligned; `total` sets the last row
    apart; notes for every footnote mark that appears in it."""
    body = [list(row) for row in rows]
    cells = " ".join(cell for row in body for cell in row)
    return {
        "kind": "table",
        "columns": list(columns),
        "align": ["left" if i < numeric_from else "right" for i in range(len(columns))],
        "rows": body,
        "total": total and bool(body),
        "notes": [note for mark, note in NOTES.items() if mark in cells],
    }


def chart(svg: str, caption: str) -> Block:
    return {"kind": "chart", "svg": svg, "caption": caption}


def section(key: str, swedish: str, english: str, blocks: list[Block]) -> dict[str, Any]:
    return {"id": key, "sv": swedish, "en": english, "blocks": blocks}
